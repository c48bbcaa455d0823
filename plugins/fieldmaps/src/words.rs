//! Splitting an attribute name into words: `firstName`, `first_name`,
//! `first-name`, `First Name` and `FIRST_NAME` all give `first`, `name`.
//!
//! Words are slices of the key as written (no lowercasing, no allocation);
//! the lexicon compares them ignoring ASCII case.

/// The most words a key may have; longer keys are not classified by name.
pub(crate) const MAX_WORDS: usize = 12;

/// The words of one key, in order.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Words<'a> {
    buf: [&'a str; MAX_WORDS],
    len: usize,
}

impl<'a> Words<'a> {
    /// Splits `key` at non-alphanumeric characters, at lower-to-upper case
    /// changes (`firstName`), before the last capital of a capital run that
    /// a lowercase word follows (`IPAddress` -> `IP`, `Address`; but `IPs`
    /// stays one word), and between letters and digits (`line1`).
    ///
    /// Returns `None` when the key has more than [`MAX_WORDS`] words.
    pub(crate) fn split(key: &'a str) -> Option<Self> {
        let mut words = Words {
            buf: [""; MAX_WORDS],
            len: 0,
        };
        let mut start: Option<usize> = None;
        let mut prev = ' ';
        for (i, c) in key.char_indices() {
            if !c.is_alphanumeric() {
                if let Some(s) = start.take() {
                    words.push(&key[s..i])?;
                }
                continue;
            }
            match start {
                None => start = Some(i),
                Some(s) if boundary(prev, c, &key[i + c.len_utf8()..]) => {
                    words.push(&key[s..i])?;
                    start = Some(i);
                }
                Some(_) => {}
            }
            prev = c;
        }
        if let Some(s) = start {
            words.push(&key[s..])?;
        }
        Some(words)
    }

    fn push(&mut self, word: &'a str) -> Option<()> {
        *self.buf.get_mut(self.len)? = word;
        self.len += 1;
        Some(())
    }

    /// The words, in order.
    pub(crate) fn as_slice(&self) -> &[&'a str] {
        &self.buf[..self.len]
    }
}

/// Whether a new word starts at `c`, after `prev` in the same run of
/// alphanumerics, with `rest` the text after `c`.
fn boundary(prev: char, c: char, rest: &str) -> bool {
    if prev.is_numeric() != c.is_numeric() {
        return true;
    }
    if prev.is_lowercase() && c.is_uppercase() {
        return true;
    }
    if prev.is_uppercase() && c.is_uppercase() {
        let mut next = rest.chars();
        return match (next.next(), next.next()) {
            // `IPs`, `IDs`: a plural `s` stays with its capitals.
            (Some('s'), after) if !after.is_some_and(char::is_alphanumeric) => false,
            (Some(n), _) => n.is_lowercase(),
            (None, _) => false,
        };
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(key: &str) -> Vec<&str> {
        Words::split(key).expect("few words").as_slice().to_vec()
    }

    #[test]
    fn separators_and_cases() {
        for key in [
            "first_name",
            "firstName",
            "FirstName",
            "first-name",
            "First Name",
            "FIRST_NAME",
            "first.name",
        ] {
            let lower: Vec<String> = words(key).iter().map(|w| w.to_ascii_lowercase()).collect();
            assert_eq!(lower, ["first", "name"], "{key}");
        }
    }

    #[test]
    fn capital_runs_digits_and_plurals() {
        assert_eq!(words("IPAddress"), ["IP", "Address"]);
        assert_eq!(words("customerID"), ["customer", "ID"]);
        assert_eq!(words("userIDs"), ["user", "IDs"]);
        assert_eq!(
            words("collaborator_IPs_v2"),
            ["collaborator", "IPs", "v", "2"]
        );
        assert_eq!(words("address_line1"), ["address", "line", "1"]);
        assert_eq!(words("ipv4"), ["ipv", "4"]);
        assert_eq!(words("HTTPServer"), ["HTTP", "Server"]);
        assert_eq!(words("ssn"), ["ssn"]);
    }

    #[test]
    fn unicode_and_empty_keys() {
        assert_eq!(words("förnamn"), ["förnamn"]);
        assert_eq!(words("Straße_Nr"), ["Straße", "Nr"]);
        assert_eq!(words(""), Vec::<&str>::new());
        assert_eq!(words("__"), Vec::<&str>::new());
    }

    #[test]
    fn too_many_words() {
        assert!(Words::split("a_b_c_d_e_f_g_h_i_j_k_l").is_some());
        assert!(Words::split("a_b_c_d_e_f_g_h_i_j_k_l_m").is_none());
    }
}
