//! Reading settings from environment variables, with one rule for every
//! Lethe binary on AWS: a blank variable is unset (its default applies),
//! and a value that does not parse or is out of range is refused at start,
//! naming the variable and what it should hold. A typo in a limit is a
//! cold-start error, never a silent fallback.
//!
//! Settings are read through a [`Lookup`] (the process environment, or a
//! map in tests), so the rules are unit-tested without touching the
//! process environment.

use std::ops::RangeInclusive;
use std::str::FromStr;

/// A setting that is missing or malformed.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A required variable is not set.
    #[error("{name} is not set: {hint}")]
    Missing {
        /// The variable.
        name: &'static str,
        /// What to set it to.
        hint: &'static str,
    },
    /// A variable does not parse, or is out of range.
    #[error("{name}={value:?} is not valid: {hint}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// Its value (settings hold names, sizes and URLs, never personal
        /// data).
        value: String,
        /// What it should be.
        hint: &'static str,
    },
}

/// Where settings are read from: a name in, its value (if set) out.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Reads the process environment.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The variable `name`, unless unset or blank.
pub fn var(lookup: Lookup<'_>, name: &str) -> Option<String> {
    lookup(name).filter(|v| !v.trim().is_empty())
}

/// The variable `name`, or `default` when unset or blank.
pub fn var_or(lookup: Lookup<'_>, name: &str, default: &str) -> String {
    var(lookup, name).unwrap_or_else(|| default.to_owned())
}

/// The optional variable `name` as a number in `range`: `None` when unset
/// or blank, an error (with `hint`) when it is anything but such a number.
///
/// # Errors
/// [`SettingsError::Invalid`] naming the variable.
pub fn number_in<T>(
    lookup: Lookup<'_>,
    name: &'static str,
    range: RangeInclusive<T>,
    hint: &'static str,
) -> Result<Option<T>, SettingsError>
where
    T: FromStr + PartialOrd,
{
    let Some(value) = var(lookup, name) else {
        return Ok(None);
    };
    match value.trim().parse::<T>() {
        Ok(n) if range.contains(&n) => Ok(Some(n)),
        _ => Err(SettingsError::Invalid { name, value, hint }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(name: &str) -> Option<String> {
        match name {
            "BLANK" => Some("  ".into()),
            "SEVEN" => Some(" 7 ".into()),
            "WORD" => Some("seven".into()),
            "BIG" => Some("700".into()),
            _ => None,
        }
    }

    #[test]
    fn blank_and_unset_variables_take_their_defaults() {
        assert_eq!(var(&lookup, "BLANK"), None);
        assert_eq!(var_or(&lookup, "UNSET", "d"), "d");
        assert_eq!(number_in(&lookup, "BLANK", 1..=9u32, "").unwrap(), None);
        assert_eq!(number_in(&lookup, "UNSET", 1..=9u32, "").unwrap(), None);
    }

    #[test]
    fn numbers_in_range_are_read_around_spaces() {
        assert_eq!(number_in(&lookup, "SEVEN", 1..=9u32, "").unwrap(), Some(7));
        assert_eq!(number_in(&lookup, "SEVEN", 7..=7u64, "").unwrap(), Some(7));
    }

    #[test]
    fn anything_else_is_refused_naming_the_variable_and_the_fix() {
        for name in ["WORD", "BIG"] {
            let e = number_in(&lookup, name, 1..=9u32, "from 1 to 9").unwrap_err();
            let text = e.to_string();
            assert!(text.starts_with(&format!("{name}=")), "{text}");
            assert!(text.ends_with("is not valid: from 1 to 9"), "{text}");
        }
    }
}
