//! Single-core throughput of the scanner on synthetic chat transcripts.
//!
//! `cargo bench -p lethe-detectors` (std only, no harness): builds ~16 MB of
//! English/Swedish support-chat messages with a few percent of PII, scans
//! them message by message as the `std-scrubber` plugin does, with and
//! without a subject, and prints MB/s and the share of bytes found. The
//! target is 100 MB/s natively, so that the WebAssembly build reaches 50.

use std::hint::black_box;
use std::time::{Duration, Instant};

use lethe_detectors::{Scanner, Subject, SubjectMatcher};

/// Lines without personal data.
const PLAIN: &[&str] = &[
    "Agent: Hej och välkommen till kundtjänst, vad kan jag hjälpa dig med idag?",
    "Customer: Hi, I ordered a pair of running shoes last week and they still haven't arrived.",
    "Agent: I'm sorry to hear that! Let me check the status of your delivery right away.",
    "Kund: Paketet skulle komma i tisdags men jag har inte fått någon avisering än.",
    "Agent: Tack för ditt tålamod. Jag ser att försändelsen ligger på terminalen i Göteborg.",
    "Customer: Great, thanks. Could you also tell me if the jacket comes in a larger size?",
    "Agent: Yes, it is available in L and XL. Would you like me to reserve one for you?",
    "Kund: Ja tack, gärna i storlek L. Hur lång är leveranstiden ungefär?",
    "Agent: Normally 2-3 working days. The price is $129.99 and shipping is free over $50.",
    "Customer: Perfect. My order #100234567 was placed on 2024-01-15 at 12:30, just so you know.",
    "Agent: Noted. Your case has been escalated; expect an update within 24 hours. Version 1.2.3 of the app fixes the login issue.",
    "Kund: Okej, då väntar jag. Ha en bra dag!",
    "Agent: Detsamma! Hör av dig om det är något mer. Order no. 4500123456 totals 1 299,00 kr.",
];

/// Lines with personal data (`{}` is filled from the values below).
const WITH_PII: &[&str] = &[
    "Customer: You can reach me at {email} or on {phone}.",
    "Kund: Mitt personnummer är {pnr} och jag heter Åsa Lindqvist.",
    "Customer: Please refund to card {card}, thanks.",
    "Kund: Betala tillbaka till {iban}, tack!",
    "Agent: The login came from {ip} according to our logs.",
    "Customer: My name is John Smith, call me on {phone} after five.",
];

const EMAILS: &[&str] = &[
    "anna.berg@example.com",
    "J.Smith+shop@mail.example.org",
    "kund123@example.se",
];
const PHONES: &[&str] = &[
    "070-123 45 67",
    "+46 70 765 43 21",
    "(202) 555-0143",
    "+44 20 7946 0958",
    "0701234567",
];
const PNRS: &[&str] = &["811228-9874", "198112289874", "19811228-9874"];
const CARDS: &[&str] = &[
    "4111 1111 1111 1111",
    "5555555555554444",
    "3782 822463 10005",
];
const IBANS: &[&str] = &["SE45 5000 0000 0583 9825 7466", "DE89370400440532013000"];
const IPS: &[&str] = &["192.168.10.24", "2001:db8::42", "10.0.0.1"];

/// A deterministic corpus of about `bytes` bytes, as messages.
fn corpus(bytes: usize) -> Vec<String> {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut out = Vec::new();
    let mut total = 0;
    while total < bytes {
        let line = if next(5) == 0 {
            WITH_PII[next(WITH_PII.len())]
                .replace("{email}", EMAILS[next(EMAILS.len())])
                .replace("{phone}", PHONES[next(PHONES.len())])
                .replace("{pnr}", PNRS[next(PNRS.len())])
                .replace("{card}", CARDS[next(CARDS.len())])
                .replace("{iban}", IBANS[next(IBANS.len())])
                .replace("{ip}", IPS[next(IPS.len())])
        } else {
            PLAIN[next(PLAIN.len())].to_owned()
        };
        total += line.len();
        out.push(line);
    }
    out
}

/// Scans every message repeatedly for at least `min`; returns MB/s and the
/// share of bytes found.
fn measure(messages: &[String], subject: Option<&SubjectMatcher>, min: Duration) -> (f64, f64) {
    let scanner = Scanner::new();
    let bytes: usize = messages.iter().map(String::len).sum();
    let mut out = Vec::new();
    let mut found = 0;
    for m in messages {
        out.clear();
        scanner.scan_into(m, subject, &mut out);
        found += out.iter().map(|f| f.end - f.start).sum::<usize>();
    }
    let start = Instant::now();
    let mut rounds = 0;
    while start.elapsed() < min {
        for m in messages {
            out.clear();
            scanner.scan_into(black_box(m), subject, &mut out);
            black_box(&out);
        }
        rounds += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    let mbps = (bytes * rounds) as f64 / secs / 1e6;
    (mbps, found as f64 / bytes as f64)
}

fn main() {
    let messages = corpus(16 << 20);
    let bytes: usize = messages.iter().map(String::len).sum();
    let subject = SubjectMatcher::new(&Subject {
        names: vec!["Åsa Lindqvist".into(), "John Smith".into()],
        emails: vec!["anna.berg@example.com".into()],
        phones: vec!["+46 70 123 45 67".into()],
        ids: vec!["CUST-00123".into()],
    });
    println!(
        "corpus: {} messages, {:.1} MB",
        messages.len(),
        bytes as f64 / 1e6
    );
    for (label, subject) in [("generic", None), ("with subject", Some(&subject))] {
        let (mbps, share) = measure(&messages, subject, Duration::from_secs(3));
        println!(
            "{label:>13}: {mbps:7.1} MB/s, {:.1}% of bytes found",
            share * 100.0
        );
    }
}
