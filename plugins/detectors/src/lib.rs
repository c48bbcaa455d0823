//! PII detectors shared by the Lethe host and its standard plugins.
//!
//! One implementation, compiled twice: natively (host-side checks,
//! benchmarks) and into the `std-scrubber` plugin for `wasm32-wasip2`. The
//! plugin is instantiated fresh for every batch of texts, so nothing here is
//! built at run time: no regular expressions, no lazily built tables. Every
//! detector is a hand-written, single-pass byte scanner over `const` tables,
//! and the hot path allocates nothing beyond the caller's `Vec<Finding>`.
//!
//! # Brief overview
//!
//! - [`Scanner`] finds personal data in a text and returns [`Finding`]s:
//!   UTF-8 byte spans, sorted and non-overlapping, each with the
//!   [`Detector`] that found it (and so its [`Category`]) and a score.
//! - [`Subject`] holds the known values of the person a request is about;
//!   [`SubjectMatcher`] is its prepared form, built once per batch, that
//!   lets the scanner find those values in other spellings (`J. Smith`,
//!   `+46 70-123 45 67`, `JOHN.SMITH@EXAMPLE.COM`).
//! - [`validate`] has the checksums and range rules (Luhn, IBAN mod-97,
//!   SSN ranges, personnummer dates, e-mail syntax) for single values.
//!
//! Generic detectors: e-mail, phone (E.164 and US/UK/SE/DE/FR national
//! formats), payment card, IBAN, US SSN, Swedish personnummer, IPv4, IPv6,
//! and dates of birth (a date after a birth word: `DOB: 12/03/1985`).
//! They favour precision on ambiguous digit runs: order numbers,
//! timestamps, prices, other dates, versions and GUID pieces are not
//! reported.
//!
//! # Example
//!
//! ```
//! use lethe_detectors::{Category, Detector, Scanner, Subject, SubjectMatcher};
//!
//! let subject = SubjectMatcher::new(&Subject {
//!     names: vec!["John Smith".into()],
//!     emails: vec!["john.smith@example.com".into()],
//!     ..Subject::default()
//! });
//! let text = "Hi, J. Smith here (JOHN.SMITH@EXAMPLE.COM), card 4111 1111 1111 1111.";
//! let mut found = Vec::new();
//! Scanner::new().scan_into(text, Some(&subject), &mut found);
//!
//! let spans: Vec<_> = found.iter().map(|f| (&text[f.start..f.end], f.category())).collect();
//! assert_eq!(spans, [
//!     ("J. Smith", Category::Name),
//!     ("JOHN.SMITH@EXAMPLE.COM", Category::Email),
//!     ("4111 1111 1111 1111", Category::Payment),
//! ]);
//! assert_eq!(found[1].detector, Detector::SubjectEmail);
//! ```
//!
//! # Layout
//!
//! | module         | job                                                    |
//! |----------------|--------------------------------------------------------|
//! | `finding`      | [`Finding`], [`Detector`], score bands                  |
//! | `scan`         | [`Scanner`] and the byte-class main loop               |
//! | `trigger`      | the bytes that start a value; the search for the next  |
//! | `text::*`      | one scanner per kind of value, boundary and context rules |
//! | `subject`      | [`Subject`], [`SubjectMatcher`], folding, name forms   |
//! | `resolve`      | overlap resolution                                     |
//! | [`validate`]   | checksums and ranges                                   |
//! | [`category`]   | the contract's [`Category`] vocabulary                 |
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

pub mod category;
mod finding;
mod resolve;
mod scan;
mod subject;
mod text;
mod trigger;
pub mod validate;

pub use category::{Category, UnknownCategory};
pub use finding::{Detector, Finding};
pub use scan::Scanner;
pub use subject::{Subject, SubjectMatcher};
