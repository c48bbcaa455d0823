//! The rules that turn the words of one attribute name into a [`Verdict`].
//!
//! A key is read left to right for its first *head*: a word, or a fixed
//! pair of words, that names a category (`email`, `city`, `social security`,
//! `customer id`). The head counts only if every word after it is one of its
//! *tails* (`email_address`, `address_line_1`, `phone_e164`); otherwise the
//! search goes on to the right, so `email_verified_at` and `mobile_app`
//! name nothing, and `customer_email` finds `email` after `customer` fails.
//!
//! The words before the head are *modifiers*, read right to left until one
//! decides: a person (`contact_name`) confirms the head; an organisation, a
//! thing or a verification flag cancels it (`company_name`, `support_email`,
//! `verified_email`); a few change it (`user_name` is a login, `remote_addr`
//! an IP address, `country_name` is left to the value or the parent key).
//! Other words are neutral (`first`, `billing`, `e` in `e_mail`). A head
//! that nothing confirmed is *bare*, and the caller lets the parent key
//! cancel it (`product.name`, `line_items[0].name`).
//!
//! A first word such as `is`, `has` or `num` makes the key a flag or count
//! that names nothing, and a digest word anywhere (`email_sha256`) makes the
//! category `other-pii`.

use lethe_detectors::Category;

use crate::lexicon::roles;
use crate::vocab::*;
use crate::words::MAX_WORDS;

/// What the words of a key say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Personal data of this category (never `none`).
    Pii(Category),
    /// Decidedly not personal data (a product name, a support address).
    NotPii,
    /// The words say nothing; the parent key or the value may.
    Unknown,
}

/// A verdict, and whether its head went unconfirmed by any modifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub(crate) verdict: Verdict,
    pub(crate) bare: bool,
}

const EMAIL_TAILS: Roles = T_ADDRW | T_FMT;
const PHONE_TAILS: Roles = T_NUM | T_PHONEPART | T_CODE | T_FMT;
const NAME_TAILS: Roles = T_NAMEPART | T_FMT;
const ADDRESS_TAILS: Roles =
    T_PLACEPART | H_PLACE | REGION | T_LINE | T_NUM | T_CODE | T_ADDRW | T_FMT;
const PLACE_TAILS: Roles = ADDRESS_TAILS | H_NAME;
const REGION_TAILS: Roles = T_CODE | T_FMT | H_NAME;
const NATID_TAILS: Roles = T_NUM | T_LAST | T_FMT | ID_WORD | T_CODE;
const PAY_TAILS: Roles = T_NUM | T_LAST | T_FMT | H_PAY;
const IP_TAILS: Roles = T_IPPART | T_FMT;
const DOB_TAILS: Roles = T_DATEPART | T_FMT;
const TEXT_TAILS: Roles = T_TEXTPART | T_FMT;
const IDENT_TAILS: Roles = ID_WORD | T_FMT;

/// A head found at some position.
#[derive(Clone, Copy)]
struct Head {
    category: Category,
    /// The index of the first word after the head.
    end: usize,
    tails: Roles,
    /// A bare `address`/`addr`, which an IP modifier turns into an IP.
    whole_address: bool,
}

/// Classifies the words of one key. At most [`MAX_WORDS`] words are read.
pub(crate) fn classify(words: &[&str]) -> Outcome {
    let words = &words[..words.len().min(MAX_WORDS)];
    let mut buf = [0; MAX_WORDS];
    for (slot, word) in buf.iter_mut().zip(words) {
        *slot = roles(word);
    }
    let r = &buf[..words.len()];
    let unknown = Outcome {
        verdict: Verdict::Unknown,
        bare: false,
    };
    if r.len() > 1 && r[0] & FLAG_PRE != 0 {
        return unknown;
    }
    for i in 0..r.len() {
        let Some(head) = head_at(words, r, i) else {
            continue;
        };
        if r[head.end..]
            .iter()
            .all(|&t| t & (head.tails | NUMERIC | HASH) != 0)
        {
            let mut out = modify(head, &r[..i]);
            if matches!(out.verdict, Verdict::Pii(_)) && r.iter().any(|&x| x & HASH != 0) {
                out.verdict = Verdict::Pii(Category::OtherPii);
            }
            return out;
        }
    }
    unknown
}

/// Whether a parent key made of `parent` words cancels a bare head of
/// `category` (`product.name`, `company.phone`).
pub(crate) fn cancels(category: Category, parent: &[&str]) -> bool {
    parent.iter().any(|w| negates(category, roles(w)))
}

/// The category a leaf of unknown words gets from its parent key: an
/// address part inside an address (`address.line1`, `addresses[0].country`),
/// a name part inside a name (`name.first`), an id inside a person
/// (`customer.id`, `author.id`), a value inside a typed list
/// (`emails[0].value`).
pub(crate) fn inherit(leaf: &[&str], parent: &[&str]) -> Verdict {
    let category = match classify(parent).verdict {
        Verdict::Pii(c) => c,
        Verdict::NotPii => return Verdict::NotPii,
        Verdict::Unknown => match parent.last() {
            Some(w) if roles(w) & PERSON != 0 => Category::Identifier,
            _ => return Verdict::Unknown,
        },
    };
    let parts = parts(category) | NUMERIC;
    if !leaf.is_empty() && leaf.iter().all(|w| roles(w) & parts != 0) {
        Verdict::Pii(category)
    } else {
        Verdict::Unknown
    }
}

/// The words that may make up a leaf inside a container of `category`.
fn parts(category: Category) -> Roles {
    match category {
        Category::Email => EMAIL_TAILS,
        Category::Phone => PHONE_TAILS,
        Category::Name => NAME_TAILS,
        Category::Address => PLACE_TAILS,
        Category::NationalId => NATID_TAILS,
        Category::Payment => PAY_TAILS,
        Category::Ip => IP_TAILS,
        Category::DateOfBirth => DOB_TAILS,
        Category::FreeText => TEXT_TAILS,
        Category::Identifier => IDENT_TAILS,
        Category::OtherPii | Category::None => T_FMT,
    }
}

fn head_at(words: &[&str], r: &[Roles], i: usize) -> Option<Head> {
    let here = r[i];
    let next = words.get(i + 1).copied();
    let prev = if i > 0 { r[i - 1] } else { 0 };
    let head = |category, end, tails| Head {
        category,
        end,
        tails,
        whole_address: false,
    };
    let pair = |lead: Roles, f: fn(&str, &str) -> bool| {
        here & lead != 0 && next.is_some_and(|n| f(words[i], n))
    };
    if pair(NATID_LEAD, natid_pair) {
        return Some(head(Category::NationalId, i + 2, NATID_TAILS));
    }
    if pair(PAY_LEAD, pay_pair) {
        return Some(head(Category::Payment, i + 2, PAY_TAILS));
    }
    if is(words[i], "forwarded") && next.is_some_and(|n| is(n, "for")) {
        return Some(head(Category::Ip, i + 2, IP_TAILS));
    }
    if is(words[i], "mac") && next.is_some_and(|n| roles(n) & T_ADDRW != 0) {
        return Some(head(Category::Identifier, i + 2, T_FMT));
    }
    if here & ID_WORD != 0 && prev & (PERSON | ID_MOD) != 0 {
        return Some(head(Category::Identifier, i + 1, IDENT_TAILS));
    }
    if here & REGION != 0 && prev & ADDR_CTX != 0 {
        return Some(head(Category::Address, i + 1, REGION_TAILS));
    }
    let (category, tails) = match here {
        h if h & H_EMAIL != 0 => (Category::Email, EMAIL_TAILS),
        h if h & H_IP != 0 => (Category::Ip, IP_TAILS),
        h if h & H_PHONE != 0 => (Category::Phone, PHONE_TAILS),
        h if h & H_NATID != 0 => (Category::NationalId, NATID_TAILS),
        h if h & H_PAY != 0 => (Category::Payment, PAY_TAILS),
        h if h & H_DOB != 0 => (Category::DateOfBirth, DOB_TAILS),
        h if h & H_IDENT != 0 => (Category::Identifier, IDENT_TAILS),
        h if h & H_ADDR != 0 => {
            return Some(Head {
                whole_address: true,
                ..head(Category::Address, i + 1, ADDRESS_TAILS)
            });
        }
        h if h & H_PLACE != 0 => (Category::Address, PLACE_TAILS),
        h if h & H_NAME != 0 => (Category::Name, NAME_TAILS),
        h if h & H_TEXT != 0 => (Category::FreeText, TEXT_TAILS),
        _ => return None,
    };
    Some(head(category, i + 1, tails))
}

/// Applies the modifiers `before` a head, nearest first.
fn modify(head: Head, before: &[Roles]) -> Outcome {
    let done = |verdict| Outcome {
        verdict,
        bare: false,
    };
    for (k, &m) in before.iter().enumerate().rev() {
        let immediate = k + 1 == before.len();
        if negates(head.category, m) {
            return done(Verdict::NotPii);
        }
        match head.category {
            Category::Name if m & REGION != 0 => return done(Verdict::Unknown),
            Category::Name if immediate && m & LOGIN != 0 => {
                return done(Verdict::Pii(Category::Identifier));
            }
            Category::Address if immediate && head.whole_address && m & IP_MOD != 0 => {
                return done(Verdict::Pii(Category::Ip));
            }
            _ => {}
        }
        if m & PERSON != 0 {
            return done(Verdict::Pii(head.category));
        }
    }
    Outcome {
        verdict: Verdict::Pii(head.category),
        bare: true,
    }
}

/// Whether a modifier with roles `m` cancels a head of `category`.
fn negates(category: Category, m: Roles) -> bool {
    let specific = match category {
        Category::Name => NEG_NAME,
        Category::FreeText => NEG_TEXT,
        Category::Address => NEG_ADDR,
        Category::Payment => NEG_PAY,
        _ => 0,
    };
    m & (NEG_ALL | specific) != 0
}

fn is(word: &str, expected: &str) -> bool {
    word.eq_ignore_ascii_case(expected)
}

fn any(word: &str, expected: &[&str]) -> bool {
    expected.iter().any(|e| is(word, e))
}

/// Two-word national ids: `social security`, `tax id`, `id card`, ...
fn natid_pair(lead: &str, next: &str) -> bool {
    let followers: &[&str] = if is(lead, "social") {
        &["security"]
    } else if is(lead, "national") {
        &[
            "id",
            "identity",
            "identifier",
            "number",
            "no",
            "insurance",
            "registration",
        ]
    } else if any(lead, &["tax", "taxpayer"]) {
        &["id", "identifier", "number", "no", "nr", "code"]
    } else if is(lead, "identity") {
        &["number", "card", "document", "no"]
    } else if any(lead, &["government", "gov"]) {
        &["id", "identifier", "number"]
    } else if any(lead, &["driver", "drivers", "driving"]) {
        &["license", "licence", "permit"]
    } else if is(lead, "personal") {
        &["number", "id", "identity", "identifier", "code"]
    } else if is(lead, "id") {
        &["number", "card", "document", "no", "nr"]
    } else {
        &[]
    };
    any(next, followers)
}

/// Two-word payment heads: `cc number`, `account number`, `bank account`.
fn pay_pair(lead: &str, next: &str) -> bool {
    if is(lead, "bank") {
        return is(next, "account");
    }
    any(next, &["number", "num", "no", "nr"])
}
