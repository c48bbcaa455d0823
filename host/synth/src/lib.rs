//! Synthetic customers for Lethe's demo, end-to-end tests and benchmarks.
//!
//! [`Synth::customer`] builds one customer, deterministically from a seed
//! and its number: a profile, orders, support conversations whose
//! transcripts mention the customer's e-mail, phone, card and name in
//! *other* spellings than the profile's (upper-case e-mail, regrouped
//! phone, initial and surname), and a web log with an IP address. Every
//! personal value is also returned in [`Customer::pii`], so a checker can
//! search for each of them after an erasure.
//!
//! Values are made up: names from a short list (with diacritics), e-mails
//! at `example.com`/`example.org`, phone numbers in the fictional ranges
//! shapes of Swedish, US and UK numbers, card numbers that pass Luhn on a
//! test BIN, IPv6 addresses in the documentation range. E-mails, phones,
//! cards and IPs are unique per customer number (below one million); names
//! repeat, as real names do.
//!
//! The generator is a SplitMix64 stream (a dozen lines; a random-number
//! crate would add nothing, since only determinism matters here).

#![deny(missing_docs)]
#![forbid(unsafe_code)]

use jiff::{SignedDuration, Timestamp};
use lethe_core::engine::IngestItem;
use serde_json::{Value, json};

const FIRST: [&str; 12] = [
    "Astrid", "Jöns", "Åsa", "Björn", "Chloé", "Mateo", "Ingrid", "Olof", "Zoë", "Henrik",
    "Siobhán", "Amara",
];
const LAST: [&str; 12] = [
    "Lindqvist",
    "Åberg",
    "Nyström",
    "Östlund",
    "Dubois",
    "García",
    "Sørensen",
    "Karlsson",
    "O'Brien",
    "Müller",
    "Johansson",
    "Okafor",
];
const CITIES: [&str; 6] = ["Stockholm", "Göteborg", "Paris", "Leeds", "Austin", "Malmö"];
const SKUS: [&str; 6] = [
    "SKU-1001", "SKU-2040", "SKU-3300", "SKU-4711", "SKU-5150", "SKU-6006",
];
const TOPICS: [&str; 4] = [
    "my parcel has not arrived",
    "I want to return a jacket",
    "the discount code did not work",
    "please change my delivery address",
];

/// A deterministic generator of synthetic customers.
#[derive(Clone, Copy, Debug)]
pub struct Synth {
    seed: u64,
    /// Orders per customer.
    pub orders: usize,
    /// Conversations per customer.
    pub conversations: usize,
    /// Web-log items per customer.
    pub logs: usize,
    /// Every `n`th customer's id is its e-mail address (0: none).
    pub email_ids_every: u64,
}

/// One synthetic customer: its items and every personal value in them.
#[derive(Clone, Debug)]
pub struct Customer {
    /// The customer id.
    pub id: String,
    /// Its items, ready to ingest.
    pub items: Vec<IngestItem>,
    /// Every personal value, in the spellings stored (for checkers).
    pub pii: Vec<String>,
    /// Non-personal attribute values that must survive erasure, as
    /// (kind, item id, attribute, value).
    pub non_pii: Vec<(String, String, String, Value)>,
    /// The customer's e-mail.
    pub email: String,
    /// The customer's phone.
    pub phone: String,
}

impl Synth {
    /// A generator with 5 orders, 3 conversations and 1 log item per
    /// customer (10 items), and one customer in 20 identified by e-mail.
    pub fn new(seed: u64) -> Self {
        Synth {
            seed,
            orders: 5,
            conversations: 3,
            logs: 1,
            email_ids_every: 20,
        }
    }

    /// Customer number `n`, last active at `active_at`.
    pub fn customer(&self, n: u64, active_at: Timestamp) -> Customer {
        let mut rng = Rng(self.seed ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let first = FIRST[rng.below(FIRST.len())];
        let last = LAST[rng.below(LAST.len())];
        let name = format!("{first} {last}");
        let email = format!(
            "{}.{}{n}@{}",
            ascii(first).to_lowercase(),
            ascii(last).to_lowercase().replace('\'', ""),
            if n.is_multiple_of(2) {
                "example.com"
            } else {
                "example.org"
            }
        );
        let (phone, phone_spoken) = phone(n, &mut rng);
        let card = card(n);
        let ip = format!("2001:db8::{:04x}:{:04x}", n >> 16, n & 0xffff);
        let street = format!("{} Storgatan", rng.below(120) + 1);
        let city = CITIES[rng.below(CITIES.len())];
        let id = if self.email_ids_every > 0 && n % self.email_ids_every == 7 {
            email.clone()
        } else {
            format!("cust-{n:06}")
        };

        let mut items = Vec::new();
        let mut non_pii = Vec::new();
        let plan = ["free", "pro", "team"][rng.below(3)];
        items.push(IngestItem {
            customer: id.clone(),
            kind: "profile".into(),
            id: "main".into(),
            data: json!({
                "name": name,
                "email": email,
                "phone": phone,
                "address": {"street": street, "city": city, "postcode": format!("{:05}", 10000 + n % 89999)},
                "plan": plan,
                "newsletter": n.is_multiple_of(3),
                "signup_channel": "web",
            }),
            active_at: Some(active_at),
        });
        non_pii.push(("profile".into(), "main".into(), "plan".into(), json!(plan)));
        non_pii.push((
            "profile".into(),
            "main".into(),
            "signup_channel".into(),
            json!("web"),
        ));
        for o in 0..self.orders {
            let sku = SKUS[rng.below(SKUS.len())];
            let qty = rng.below(4) + 1;
            let total = format!("{}.{:02}", rng.below(400) + 5, rng.below(100));
            let order_id = format!("o-{n}-{o}");
            items.push(IngestItem {
                customer: id.clone(),
                kind: "order".into(),
                id: order_id.clone(),
                data: json!({
                    "order_id": order_id,
                    "status": "delivered",
                    "currency": "EUR",
                    "total": total,
                    "lines": [{"sku": sku, "qty": qty}],
                    "shipping_address": {"name": name, "street": street, "city": city},
                    "card_last4": &card[card.len() - 4..],
                }),
                active_at: None,
            });
            non_pii.push((
                "order".into(),
                order_id.clone(),
                "total".into(),
                json!(total),
            ));
            non_pii.push(("order".into(), order_id, "currency".into(), json!("EUR")));
        }
        let initial = first.chars().next().unwrap_or('X');
        for c in 0..self.conversations {
            let topic = TOPICS[rng.below(TOPICS.len())];
            let transcript = match c % 3 {
                0 => format!(
                    "Agent: Hi, how can I help?\nCustomer: Hi, this is {initial}. {last}, {topic}. You can reach me at {} or {phone_spoken}.",
                    email.to_uppercase()
                ),
                1 => format!(
                    "Customer: {topic}. I paid with card {}.\nAgent: Thanks {first}, I have refunded it.",
                    group4(&card)
                ),
                _ => format!(
                    "Customer: hello, {name} here - {topic}.\nAgent: Noted. We will write to {email}."
                ),
            };
            let conv_id = format!("c-{n}-{c}");
            items.push(IngestItem {
                customer: id.clone(),
                kind: "conversation".into(),
                id: conv_id.clone(),
                data: json!({
                    "channel": "chat",
                    "subject": topic,
                    "transcript": transcript,
                    "rating": (c % 5) + 1,
                }),
                active_at: None,
            });
            non_pii.push((
                "conversation".into(),
                conv_id.clone(),
                "channel".into(),
                json!("chat"),
            ));
            non_pii.push((
                "conversation".into(),
                conv_id,
                "rating".into(),
                json!((c % 5) + 1),
            ));
        }
        for l in 0..self.logs {
            let log_id = format!("l-{n}-{l}");
            items.push(IngestItem {
                customer: id.clone(),
                kind: "log".into(),
                id: log_id.clone(),
                data: json!({"ip": ip, "path": "/checkout", "status": 200, "user_agent": "Mozilla/5.0"}),
                active_at: None,
            });
            non_pii.push(("log".into(), log_id, "path".into(), json!("/checkout")));
        }
        let mut pii = vec![name, email.clone(), phone.clone(), card, ip, street];
        pii.push(email.to_uppercase());
        pii.push(phone_spoken);
        pii.push(format!("{initial}. {last}"));
        Customer {
            id,
            items,
            pii,
            non_pii,
            email,
            phone,
        }
    }

    /// `count` customers numbered from 0, last active `days_ago(n)` days
    /// before `now`.
    pub fn customers<F: Fn(u64) -> i64>(
        &self,
        count: u64,
        now: Timestamp,
        days_ago: F,
    ) -> impl Iterator<Item = Customer> + use<F> {
        let synth = *self;
        (0..count).map(move |n| {
            let at = now - SignedDuration::from_hours(24 * days_ago(n));
            synth.customer(n, at)
        })
    }
}

/// Folds the diacritics of the name lists for e-mail local parts.
fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'å' | 'ä' | 'Å' | 'Ä' => 'a',
            'ö' | 'ø' | 'Ö' | 'Ø' => 'o',
            'é' => 'e',
            'í' => 'i',
            'á' => 'a',
            'ü' => 'u',
            'ë' => 'e',
            c => c,
        })
        .collect()
}

/// A phone number as stored and as spoken in a transcript, unique per
/// customer number.
fn phone(n: u64, rng: &mut Rng) -> (String, String) {
    let d = format!("{:07}", n % 10_000_000);
    match rng.below(3) {
        0 => (
            format!("070-{d}"),
            format!("+46 70 {} {} {}", &d[..3], &d[3..5], &d[5..]),
        ),
        1 => (
            format!(
                "+1 212 {}{} {}",
                2 + u8::from(&d[..1] > "7"),
                &d[1..3],
                &d[3..]
            ),
            format!(
                "(212) {}{}-{}",
                2 + u8::from(&d[..1] > "7"),
                &d[1..3],
                &d[3..]
            ),
        ),
        _ => (
            format!("07700 {}", &d[1..]),
            format!("+44 7700 {} {}", &d[1..4], &d[4..]),
        ),
    }
}

/// A 16-digit card number on a test BIN that passes Luhn, unique per
/// customer number.
fn card(n: u64) -> String {
    let mut digits = format!("411111{:09}", n % 1_000_000_000);
    let check = lethe_detectors::validate::luhn_check_digit(digits.as_bytes()).unwrap_or(b'0');
    digits.push(char::from(check));
    digits
}

fn group4(card: &str) -> String {
    card.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customers_are_deterministic_with_ten_items() {
        let s = Synth::new(7);
        let now = Timestamp::UNIX_EPOCH;
        let a = s.customer(3, now);
        let b = s.customer(3, now);
        assert_eq!(a.items, b.items);
        assert_eq!(a.items.len(), 10);
        assert!(a.pii.iter().all(|v| !v.is_empty()));
        assert_eq!(s.customer(7, now).id, s.customer(7, now).email);
    }

    #[test]
    fn cards_pass_luhn() {
        for n in [0, 1, 49_999, 123_456_789] {
            assert!(lethe_detectors::validate::luhn(card(n).as_bytes()));
        }
    }
}
