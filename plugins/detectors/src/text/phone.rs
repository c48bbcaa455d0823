//! Phone numbers: cutting a phone-like run into digit groups, then trying
//! the longest prefix of groups that a numbering plan accepts.
//!
//! A run is an optional `+` (or `(+` with the country code closed by `)`:
//! `(+46) 70-123 45 67`), then groups of digits separated by one of
//! `' '`, `-` (or a Unicode hyphen or en dash), `.`, `/` (optionally with
//! spaces around `-` and `/`), a no-break space, or parentheses around a
//! group (`(202) 555-0143`,
//! `+44 (0)20 7946 0958`). At most [`MAX_GROUPS`] groups and
//! [`MAX_DIGITS`] digits are read; `:` and `,` end a run, so times and
//! prices never start one.
//!
//! Because a number is often followed by more digits (`070-123 45 67 2
//! gånger`), [`at`] tries prefixes of the run from the longest down and
//! reports the first one that [`dialing::classify`] accepts and whose end
//! is not glued to the following text. The same [`Run`] feeds the
//! subject matcher, which compares digits rather than plans.

use crate::text::{boundary, context, dialing, read_digits};
use crate::{Detector, Finding};

/// Most digits read into one run (E.164 allows 15, plus `00` and slack).
pub(crate) const MAX_DIGITS: usize = 20;
/// Most groups read into one run (`+33 6 12 34 56 78` has six).
pub(crate) const MAX_GROUPS: usize = 8;

/// How a group is separated from the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sep {
    /// The first group.
    None,
    /// A space or no-break space.
    Space,
    /// `-` (or ` - `).
    Dash,
    /// `.`.
    Dot,
    /// `/` (or ` / `).
    Slash,
    /// A parenthesis on either side; ignored by the consistency rule.
    Paren,
}

/// One group of digits in a [`Run`], in four bytes: a run spans at most
/// [`MAX_DIGITS`] digits and [`MAX_GROUPS`] separators, well under 256
/// bytes, so offsets within it fit a `u8`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Group {
    /// Offset from the run's start just after the group (after its `)` if
    /// parenthesised); see [`Run::end`].
    end: u8,
    /// Digits in the run up to and including this group.
    digits_end: u8,
    /// Digits in this group.
    pub len: u8,
    /// The separator before this group.
    pub sep: Sep,
}

/// A phone-like run of digit groups, read from one start position.
///
/// Kept within 64 bytes: a detector builds one at nearly every digit run
/// of a text, and a bigger value is moved with `memcpy`, which inside a
/// plugin is a `memory.copy` call out to the host.
#[derive(Clone, Debug)]
pub(crate) struct Run {
    /// Whether the run started with `+`.
    pub plus: bool,
    n: u8,
    start: usize,
    digits: [u8; MAX_DIGITS],
    groups: [Group; MAX_GROUPS],
}

impl Run {
    /// Reads the run starting at byte `start` (a `+`, `(` or digit).
    pub(crate) fn parse(b: &[u8], start: usize) -> Option<Run> {
        let mut run = Run::empty(start, false);
        run.reread(b, start);
        (run.n > 0).then_some(run)
    }

    /// Reads the run at `start` into this one, in place (what
    /// [`parse`](Run::parse) returns, or no groups).
    ///
    /// A run may open with the country code in parentheses, `(+46) 70-…`:
    /// then it starts at the `(` and its first group must be closed.
    pub(crate) fn reread(&mut self, b: &[u8], start: usize) {
        let open_plus = b.get(start) == Some(&b'(') && b.get(start + 1) == Some(&b'+');
        self.plus = open_plus || b.get(start) == Some(&b'+');
        self.n = 0;
        self.start = start;
        let first = start + usize::from(self.plus) + usize::from(open_plus);
        self.read_groups(b, first, Sep::None, open_plus);
    }

    /// When this run's second group begins at `start`, turns this run into
    /// the one [`parse`](Run::parse) would read there, reusing the groups
    /// already read; otherwise `false`, and unchanged (no second group
    /// there, or it is parenthesised: a run is never read from the digit
    /// after a `(`).
    ///
    /// The main loop tries the numeric detectors at every digit run, so in
    /// a run of many short groups (`1 2 3 4 5 6 7 8 9 …`) each group would
    /// otherwise be read once for every run it belongs to: up to
    /// [`MAX_GROUPS`] times. Done in place, with fixed-length loops, so
    /// that nothing is moved with `memcpy`.
    pub(crate) fn read_from_second_group(&mut self, b: &[u8], start: usize) -> bool {
        if self.second_group_start(b) != Some(start) {
            return false;
        }
        let (first, second) = (self.groups[0], self.groups[1]);
        let shift = usize::from(first.digits_end);
        for k in 0..MAX_DIGITS {
            self.digits[k] = self.digits.get(k + shift).copied().unwrap_or(0);
        }
        for k in 0..MAX_GROUPS - 1 {
            let g = self.groups[k + 1];
            self.groups[k] = Group {
                end: g.end.wrapping_sub(second.end).wrapping_add(second.len),
                digits_end: g.digits_end.wrapping_sub(first.digits_end),
                len: g.len,
                sep: if k == 0 { Sep::None } else { g.sep },
            };
        }
        self.start = start;
        self.plus = false;
        self.n -= 1;
        // Read on where this run stopped: it may have been full (groups or
        // digits) where the shorter one is not.
        let last = self.end(self.len());
        if let Some((next, sep)) = after_group(b, last, b.get(last - 1) == Some(&b')')) {
            self.read_groups(b, next, sep, false);
        }
        true
    }

    /// Where the second group's digits start, unless there is no second
    /// group or it is parenthesised.
    fn second_group_start(&self, b: &[u8]) -> Option<usize> {
        let second = self.groups.get(1).filter(|_| self.n >= 2)?;
        let end = self.start + usize::from(second.end);
        (b.get(end - 1) != Some(&b')')).then(|| end - usize::from(second.len))
    }

    /// A run at `start` with no groups yet.
    pub(crate) fn empty(start: usize, plus: bool) -> Run {
        let empty = Group {
            end: 0,
            digits_end: 0,
            len: 0,
            sep: Sep::None,
        };
        Run {
            plus,
            n: 0,
            start,
            digits: [0; MAX_DIGITS],
            groups: [empty; MAX_GROUPS],
        }
    }

    /// Reads groups from byte `i`, where the next group starts after
    /// separator `sep`, until the run ends or is full. With `closed_first`
    /// the first group is read as parenthesised though its `(` came before
    /// the `+` (`(+46) …`).
    fn read_groups(&mut self, b: &[u8], mut i: usize, mut sep: Sep, closed_first: bool) {
        let mut nd = match self.n {
            0 => 0,
            n => usize::from(self.groups[usize::from(n) - 1].digits_end),
        };
        while usize::from(self.n) < MAX_GROUPS {
            let opened = b.get(i) == Some(&b'(');
            let paren = opened || (closed_first && self.n == 0);
            let first = i + usize::from(opened);
            let (j, total) = read_digits(b, first, &mut self.digits, nd);
            let len = j - first;
            if len == 0 || total > MAX_DIGITS || (paren && b.get(j) != Some(&b')')) {
                break;
            }
            let end = j + usize::from(paren);
            // Never fails: 20 digits and 8 separators of at most 9 bytes.
            let Ok(end_offset) = u8::try_from(end - self.start) else {
                break;
            };
            nd = total;
            self.groups[usize::from(self.n)] = Group {
                end: end_offset,
                digits_end: nd as u8,
                len: len as u8,
                sep: if paren { Sep::Paren } else { sep },
            };
            self.n += 1;
            if usize::from(self.n) == MAX_GROUPS {
                break;
            }
            let Some((next, kind)) = after_group(b, end, paren) else {
                break;
            };
            sep = kind;
            i = next;
        }
    }

    /// The number of groups read.
    pub(crate) fn len(&self) -> usize {
        usize::from(self.n)
    }

    /// The first `k` groups.
    pub(crate) fn groups(&self, k: usize) -> &[Group] {
        &self.groups[..k]
    }

    /// The digits of the first `k` groups.
    pub(crate) fn digits(&self, k: usize) -> &[u8] {
        &self.digits[..usize::from(self.groups[k - 1].digits_end)]
    }

    /// The byte offset just after the first `k` groups.
    pub(crate) fn end(&self, k: usize) -> usize {
        self.start + usize::from(self.groups[k - 1].end)
    }
}

/// Width of a space-like separator at `i`: space, tab-free NBSP (U+00A0) or
/// narrow NBSP (U+202F).
fn space_width(b: &[u8], i: usize) -> usize {
    match b.get(i..) {
        Some([b' ', ..]) => 1,
        Some([0xC2, 0xA0, ..]) => 2,
        Some([0xE2, 0x80, 0xAF, ..]) => 3,
        _ => 0,
    }
}

/// Where the group after the one ending at `end` starts, and the separator
/// before it; `None` if the run ends there.
fn after_group(b: &[u8], end: usize, paren: bool) -> Option<(usize, Sep)> {
    let (next, kind) = separator(b, end, paren)?;
    let starts_group = match b.get(next) {
        Some(d) if d.is_ascii_digit() => true,
        Some(b'(') => b.get(next + 1).is_some_and(u8::is_ascii_digit),
        _ => false,
    };
    (starts_group && (next > end || kind == Sep::Paren)).then_some((next, kind))
}

/// The separator mark at `i` and its width: `-` or a Unicode hyphen or
/// dash that word processors and web pages put in numbers (U+2010 hyphen,
/// U+2011 non-breaking hyphen, U+2013 en dash), `.` or `/`.
fn mark(b: &[u8], i: usize) -> Option<(usize, Sep)> {
    match b.get(i..)? {
        [b'-', ..] => Some((1, Sep::Dash)),
        [b'.', ..] => Some((1, Sep::Dot)),
        [b'/', ..] => Some((1, Sep::Slash)),
        [0xE2, 0x80, 0x90 | 0x91 | 0x93, ..] => Some((3, Sep::Dash)),
        _ => None,
    }
}

/// The separator at `i`, as (offset of the next group, kind).
fn separator(b: &[u8], i: usize, after_paren: bool) -> Option<(usize, Sep)> {
    let sp = space_width(b, i);
    if after_paren {
        return Some((i + sp, Sep::Paren));
    }
    if sp > 0 {
        // " - " and " / " count as the dash or slash; "( " opens a group.
        if let Some((width, k @ (Sep::Dash | Sep::Slash))) = mark(b, i + sp) {
            let sp2 = space_width(b, i + sp + width);
            return (sp2 > 0).then_some((i + sp + width + sp2, k));
        }
        let next = i + sp;
        let k = if b.get(next) == Some(&b'(') {
            Sep::Paren
        } else {
            Sep::Space
        };
        return Some((next, k));
    }
    match b.get(i) {
        Some(b'(') => Some((i, Sep::Paren)),
        Some(_) => mark(b, i).map(|(width, k)| (i + width, k)),
        None => None,
    }
}

/// The phone number starting at byte `start` (a `+`, `(` or digit whose
/// left side the caller has checked).
pub(crate) fn at(text: &str, start: usize) -> Option<Finding> {
    found_in(text, &Run::parse(text.as_bytes(), start)?)
}

/// [`at`], reading the run from `last` (the run of the previous call) when
/// `start` is where its second group begins; leaves this call's run in
/// `last`, read in place. Keeps the scan linear on text made of many short
/// digit groups.
pub(crate) fn at_reusing(text: &str, start: usize, last: &mut Run) -> Option<Finding> {
    let b = text.as_bytes();
    if !last.read_from_second_group(b, start) {
        last.reread(b, start);
    }
    if last.n == 0 {
        return None;
    }
    found_in(text, last)
}

/// The longest prefix of `run` that is a phone number.
fn found_in(text: &str, run: &Run) -> Option<Finding> {
    let start = run.start;
    for k in (1..=run.len()).rev() {
        if run.digits(k).len() < 7 {
            break;
        }
        let end = run.end(k);
        // A number never ends in `)`: `(0111050092)` is a bracketed run.
        if text.as_bytes()[end - 1] == b')' || !boundary::ends_free(text, end, false) {
            continue;
        }
        let extension = || {
            dialing::ends_in_extension(run, k)
                .then(|| dialing::with_extension(run, k))
                .flatten()
        };
        let labelled = || {
            (dialing::labelled(run, k) && context::phone_before(text, start)).then_some(
                dialing::Verdict {
                    score: 0.6,
                    bare: true,
                },
            )
        };
        let verdict = dialing::classify(run, k)
            .or_else(extension)
            .or_else(labelled);
        let Some(verdict) = verdict else {
            continue;
        };
        if verdict.bare
            && (context::reference_before(text, start) || context::currency_after(text, end))
        {
            return None;
        }
        return Some(Finding {
            start,
            end,
            detector: Detector::Phone,
            score: verdict.score,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(s: &str) -> Vec<(usize, Sep)> {
        let run = Run::parse(s.as_bytes(), 0).unwrap();
        run.groups(run.len())
            .iter()
            .map(|g| (usize::from(g.len), g.sep))
            .collect()
    }

    #[test]
    fn grouping() {
        use Sep::*;
        assert_eq!(
            shape("070-123 45 67"),
            [(3, None), (3, Dash), (2, Space), (2, Space)]
        );
        assert_eq!(shape("(202) 555-0143"), [(3, Paren), (3, Paren), (4, Dash)]);
        assert_eq!(
            shape("+44 (0)20 7946"),
            [(2, None), (1, Paren), (2, Paren), (4, Space)]
        );
        assert_eq!(shape("030 / 1234567"), [(3, None), (7, Slash)]);
        assert_eq!(
            shape("06\u{a0}12\u{202f}34"),
            [(2, None), (2, Space), (2, Space)]
        );
        assert_eq!(
            shape("070\u{2011}123 45 67"),
            [(3, None), (3, Dash), (2, Space), (2, Space)]
        );
        assert_eq!(shape("0701 \u{2013} 123456"), [(4, None), (6, Dash)]);
        assert_eq!(
            shape("070\u{2012}123"),
            [(3, None)],
            "a figure dash is not one"
        );
        assert_eq!(shape("12:30"), [(2, None)]);
        assert_eq!(shape("1 299,00"), [(1, None), (3, Space)]);
        assert_eq!(shape("12 (34"), [(2, None)]);
        assert_eq!(shape("(+46) 70-123"), [(2, Paren), (2, Paren), (3, Dash)]);
        assert!(
            Run::parse(b"(+46 70", 0).is_none(),
            "the code must be closed"
        );
        let run = Run::parse(b"+46 70-123", 0).unwrap();
        assert!(run.plus);
        assert_eq!(run.digits(3), b"4670123");
    }

    #[test]
    fn a_run_fits_in_64_bytes_so_moving_it_needs_no_memcpy_call() {
        assert!(core::mem::size_of::<Run>() <= 64);
    }

    #[test]
    fn run_ends_are_absolute_offsets() {
        let text = "call +46 70-123 45 67 now";
        let run = Run::parse(text.as_bytes(), 5).unwrap();
        assert_eq!(&text[5..run.end(run.len())], "+46 70-123 45 67");
        assert_eq!(&text[5..run.end(2)], "+46 70");
    }

    /// What a run says (plus, start, digits, then each group's end,
    /// digits so far, length and separator), without the buffers' unused
    /// tails.
    type View = (bool, usize, Vec<u8>, Vec<(usize, u8, u8, Sep)>);

    fn view(run: &Run) -> View {
        let n = run.len();
        let groups = (1..=n)
            .map(|k| {
                let g = run.groups[k - 1];
                (run.end(k), g.digits_end, g.len, g.sep)
            })
            .collect();
        (run.plus, run.start, run.digits(n).to_vec(), groups)
    }

    #[test]
    fn a_run_read_on_from_its_second_group_is_the_run_read_there() {
        let text = "1 2 3 4 5 6 7 8 9 10 11";
        let b = text.as_bytes();
        let mut run = Run::parse(b, 0).unwrap();
        assert_eq!(run.len(), MAX_GROUPS, "full: eight groups");
        for start in [2, 4, 6, 8, 10, 12, 14, 16] {
            assert!(
                !run.read_from_second_group(b, start + 1),
                "not a group start"
            );
            assert!(run.read_from_second_group(b, start));
            assert_eq!(view(&run), view(&Run::parse(b, start).unwrap()));
        }
        let mut paren = Run::parse(b"1 (202) 555", 0).unwrap();
        assert!(!paren.read_from_second_group(b"1 (202) 555", 3));
        assert!(
            !Run::parse(b"123", 0)
                .unwrap()
                .read_from_second_group(b"123", 1)
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        #[test]
        fn reading_from_the_second_group_equals_parsing_there(
            text in proptest::string::string_regex("([0-9]{1,4}|[ ./()+-]|\u{a0}|\u{202f}| - | / |x){0,24}").unwrap()
        ) {
            let b = text.as_bytes();
            for start in 0..b.len() {
                let Some(mut run) = Run::parse(b, start) else { continue };
                let Some(second) = run.second_group_start(b) else {
                    for other in start..b.len() {
                        proptest::prop_assert!(!run.read_from_second_group(b, other));
                    }
                    continue;
                };
                let before = view(&run);
                proptest::prop_assert!(!run.read_from_second_group(b, second + 1));
                proptest::prop_assert_eq!(view(&run), before, "unchanged when refused");
                proptest::prop_assert!(run.read_from_second_group(b, second));
                let fresh = Run::parse(b, second).unwrap();
                proptest::prop_assert_eq!(view(&run), view(&fresh), "from {} in {:?}", start, text);
            }
        }
    }

    #[test]
    fn run_limits() {
        assert!(Run::parse(b"123456789012345678901", 0).is_none());
        let run = Run::parse(b"1 2 3 4 5 6 7 8 9 10", 0).unwrap();
        assert_eq!(run.len(), MAX_GROUPS);
    }
}
