//! `{{name}}`: a Lethe scrubber.
//!
//! It finds personal data in free text (chat transcripts, notes, e-mails):
//! everything Lethe's standard scrubber finds (e-mails, phones, payment
//! cards, IBANs, national ids, IP addresses, dates of birth, and during an
//! erasure the person's own name, e-mail, phone and ids in other
//! spellings), plus
//! values only your business has, here loyalty numbers such as
//! `LOY-00042137`.
//!
//! Lethe decides what happens to each span under your policy (by default
//! it is replaced by a token such as `[EMAIL]`); a plugin only finds. Try
//! it on your own samples with `lethe plugin test . --texts texts.jsonl`.

use lethe_plugin_sdk::prelude::*;

/// The scrubber.
struct Scrub;

impl Scrubber for Scrub {
    fn scan(text: &str, cx: &Context) -> Vec<Span> {
        // What the standard scrubber finds (with the erasure's subject, if any).
        let mut spans = cx.find_pii(text);
        // Your own values. Spans may overlap: Lethe merges them.
        spans.extend(
            text::words(text)
                .filter(|word| is_loyalty_number(word.text))
                .map(|word| word.span(Category::Identifier)),
        );
        spans
    }
}

/// `LOY-` and 8 digits.
fn is_loyalty_number(word: &str) -> bool {
    word.strip_prefix("LOY-")
        .is_some_and(|digits| digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()))
}

lethe_plugin_sdk::export_scrubber!(Scrub);

/// `cargo test` runs the scrubber natively, through the same glue as the
/// component.
#[cfg(test)]
mod tests {
    use lethe_plugin_sdk::testing;

    use super::*;

    #[test]
    fn finds_loyalty_numbers_and_the_standard_kinds() {
        let text = "Card LOY-00042137 belongs to ada@example.com (not LOY-42).";
        let spans = testing::scan::<Scrub>(text, None).unwrap();
        let found: Vec<(&str, Category)> = spans
            .iter()
            .map(|s| (s.text(text).unwrap(), s.category))
            .collect();
        assert_eq!(
            found,
            [
                ("ada@example.com", Category::Email),
                ("LOY-00042137", Category::Identifier),
            ]
        );
    }

    #[test]
    fn finds_the_subject_in_other_spellings() {
        let subject = Subject {
            names: vec!["Ada Lovelace".into()],
            ..Subject::default()
        };
        let text = "Spoke with A. Lovelace today.";
        let spans = testing::scan::<Scrub>(text, Some(&subject)).unwrap();
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].text(text), Some("A. Lovelace"));
        assert_eq!(spans[0].category, Category::Name);
    }
}
