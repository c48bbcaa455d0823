//! Synthetic but realistic inputs: support-chat lines with a few percent of
//! PII among decoys (order numbers, prices, timestamps), and commerce items
//! in the shapes `fieldmap-commerce` knows. Deterministic (a fixed-seed
//! xorshift), so every run measures the same bytes. No real people: e-mails
//! are at example.com, numbers are fictional with computed check digits.

use serde_json::{Value, json};

/// A small deterministic generator.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

const FIRST: &[&str] = &[
    "Anna", "Erik", "Maria", "Johan", "Sofia", "Lukas", "Emma", "Noah", "Chloé", "Jörg",
];
const LAST: &[&str] = &[
    "Lindqvist",
    "Berg",
    "Smith",
    "Müller",
    "Dubois",
    "Okafor",
    "Nilsson",
    "García",
];
const FILLER: &[&str] = &[
    "Hi, I ordered a jacket last week and it still has not arrived.",
    "Thanks for waiting, let me check the status of your parcel.",
    "The tracking page says it is stuck in the sorting centre since Monday.",
    "Could you send me a replacement instead of a refund?",
    "I can see the order #100234567 was shipped on 2024-03-02 at 14:05.",
    "The total was $129.99 including shipping, is that right?",
    "Our returns window is 30 days from delivery, so you are well within it.",
    "Ticket 550e8400-e29b-41d4-a716-446655440000 has been escalated.",
    "Hej! Jag har inte fått min beställning än, kan ni kolla?",
    "Das Paket kam beschädigt an, bitte um Ersatz.",
    "Merci, j'attends votre réponse avant vendredi.",
    "Let me know if there is anything else I can help you with today.",
];

fn luhn_complete(body: &str) -> String {
    let check = lethe_detectors::validate::luhn_check_digit(body.as_bytes())
        .expect("the body is ASCII digits");
    format!("{body}{}", char::from(check))
}

fn iban_se(rng: &mut Rng) -> String {
    let bban = format!("500{}", rng.digits(17));
    // Check digits: move "SE00" to the end, letters as numbers, mod 97.
    let rearranged = format!("{bban}281400");
    let rem = rearranged
        .bytes()
        .fold(0u32, |acc, b| (acc * 10 + u32::from(b - b'0')) % 97);
    format!("SE{:02}{bban}", 98 - rem)
}

fn pii(rng: &mut Rng) -> String {
    let first = rng.pick(FIRST);
    let last = rng.pick(LAST);
    match rng.below(7) {
        0 => format!(
            "my email is {}.{}@example.com",
            first.to_lowercase(),
            rng.digits(3)
        ),
        1 => format!(
            "call me on +46 70-{} {} {}",
            rng.digits(3),
            rng.digits(2),
            rng.digits(2)
        ),
        2 => format!("my number is (202) 555-01{}", rng.digits(2)),
        3 => format!("card {}", luhn_complete(&format!("4{}", rng.digits(14)))),
        4 => format!("IBAN {}", iban_se(rng)),
        5 => format!(
            "I connected from 192.168.{}.{}",
            rng.below(255),
            1 + rng.below(254)
        ),
        _ => format!("this is {first} {last} writing"),
    }
}

/// `lines` chat lines of about 200-400 bytes, a few percent of them PII.
pub(crate) fn transcripts(lines: usize) -> Vec<String> {
    let mut rng = Rng::new(0x1e7e);
    (0..lines)
        .map(|_| {
            let mut line = String::with_capacity(400);
            for _ in 0..(2 + rng.below(3)) {
                if rng.below(8) == 0 {
                    line.push_str(&pii(&mut rng));
                    line.push_str(". ");
                } else {
                    line.push_str(rng.pick(FILLER));
                    line.push(' ');
                }
            }
            line
        })
        .collect()
}

/// `n` commerce items per kind: (kind, item) for profile, order, conversation.
pub(crate) fn items(n: usize) -> Vec<(&'static str, Vec<Value>)> {
    let mut rng = Rng::new(0xbeef);
    let mut profiles = Vec::with_capacity(n);
    let mut orders = Vec::with_capacity(n);
    let mut conversations = Vec::with_capacity(n);
    for i in 0..n {
        let first = rng.pick(FIRST);
        let last = rng.pick(LAST);
        let email = format!("{}.{}@example.com", first.to_lowercase(), i);
        let customer = format!("cust-{i:06}");
        profiles.push(json!({
            "customer_id": customer, "first_name": first, "last_name": last,
            "email": email, "phone": format!("+4670{}", rng.digits(7)),
            "address": {"street": format!("Storgatan {}", 1 + rng.below(90)), "city": "Uppsala",
                        "postal_code": format!("75{} {}", rng.digits(1), rng.digits(2)), "country": "SE"},
            "birth_date": "1990-04-12", "created_at": "2023-01-05T10:00:00Z",
            "last_active_at": "2024-02-01T09:30:00Z", "marketing_opt_in": rng.below(2) == 0,
            "loyalty_tier": "gold", "tags": ["newsletter", "vip"],
        }));
        orders.push(json!({
            "order_id": format!("SO-{}", rng.digits(8)), "created_at": "2024-02-01T09:31:00Z",
            "status": "shipped", "currency": "SEK", "total": 1299.5, "customer_id": customer, "email": email,
            "lines": [{"sku": "JKT-001", "title": "Rain jacket", "quantity": 1, "unit_price": 1299.5}],
            "shipping_address": {"name": format!("{first} {last}"), "street": "Storgatan 5",
                                 "city": "Uppsala", "postal_code": "753 20", "country": "SE"},
            "billing": {"card_last4": rng.digits(4), "card_brand": "visa"},
            "notes": "Leave at the door.",
        }));
        conversations.push(json!({
            "conversation_id": format!("conv-{i}"), "channel": "chat", "created_at": "2024-02-03T08:00:00Z",
            "status": "closed", "tags": ["delivery"], "customer_id": customer,
            "visitor_ip": format!("10.1.{}.{}", rng.below(255), 1 + rng.below(254)),
            "messages": [
                {"at": "2024-02-03T08:00:05Z", "author": "customer", "author_name": first,
                 "text": format!("Hi, this is {first} {last}, {} — my parcel is late.", pii(&mut rng))},
                {"at": "2024-02-03T08:01:10Z", "author": "agent", "author_name": "Agent Kim",
                 "text": rng.pick(FILLER).to_owned()},
            ],
        }));
    }
    vec![
        ("profile", profiles),
        ("order", orders),
        ("conversation", conversations),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_numbers_carry_valid_check_digits() {
        let mut rng = Rng::new(7);
        let card = luhn_complete("411111111111111");
        assert_eq!(card, "4111111111111111");
        let iban = iban_se(&mut rng);
        assert_eq!(iban.len(), 24);
        assert!(lethe_detectors::validate::iban(&iban), "{iban}");
    }

    #[test]
    fn corpus_is_deterministic_and_sized() {
        assert_eq!(transcripts(10), transcripts(10));
        let bytes: usize = transcripts(1000).iter().map(String::len).sum();
        assert!(bytes > 100_000, "{bytes}");
        assert_eq!(items(3).len(), 3);
    }
}
