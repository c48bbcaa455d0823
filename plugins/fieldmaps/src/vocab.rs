//! The vocabulary of the generic field map: every word it knows, grouped by
//! the role the word may play in an attribute name.
//!
//! A word may sit in several groups: `address` is a head noun of the
//! `address` category ([`H_ADDR`]) and may also follow an e-mail or IP head
//! ([`T_ADDRW`]). Heads (`H_*`) name a category on their own; tails (`T_*`)
//! may follow a head without changing its category; the other roles are
//! modifiers that confirm, change or cancel the head they precede. The rules
//! in `rules.rs` say how; `lexicon.rs` turns these lists into one lookup
//! table. Words are lowercase here and matched ignoring ASCII case.

/// A set of roles, one bit per role.
pub(crate) type Roles = u64;

/// The word is all ASCII digits (`1` in `address_line1`).
pub(crate) const NUMERIC: Roles = 1 << 63;

/// Names an e-mail address on its own (`email`, `mail`).
pub(crate) const H_EMAIL: Roles = 1 << 0;
/// Names a telephone number on its own.
pub(crate) const H_PHONE: Roles = 1 << 1;
/// Names a person's name, or part of one, on its own.
pub(crate) const H_NAME: Roles = 1 << 2;
/// Names a whole postal address (`address`); takes no `name` after it.
pub(crate) const H_ADDR: Roles = 1 << 3;
/// Names a part of a postal address (`street`, `city`, `zip`).
pub(crate) const H_PLACE: Roles = 1 << 4;
/// A region (`country`, `state`): an address part only after [`ADDR_CTX`] or inside an address.
pub(crate) const REGION: Roles = 1 << 5;
/// Names a national identity number on its own.
pub(crate) const H_NATID: Roles = 1 << 6;
/// Names a payment card or bank account on its own.
pub(crate) const H_PAY: Roles = 1 << 7;
/// Names an IP address on its own.
pub(crate) const H_IP: Roles = 1 << 8;
/// Names a date of birth on its own (`dob`, `birth`).
pub(crate) const H_DOB: Roles = 1 << 9;
/// Names free text on its own (`note`, `message`).
pub(crate) const H_TEXT: Roles = 1 << 10;
/// Names an identifier of a person on its own (`username`, `customer`).
pub(crate) const H_IDENT: Roles = 1 << 11;
/// A person: makes a following id word an identifier and confirms a person category.
pub(crate) const PERSON: Roles = 1 << 12;
/// Not a person, but makes a following id word an identifier (`external_id`).
pub(crate) const ID_MOD: Roles = 1 << 13;
/// An id word (`id`, `uuid`, `number`).
pub(crate) const ID_WORD: Roles = 1 << 14;
/// Starts a two-word national id (`social security`, `tax id`).
pub(crate) const NATID_LEAD: Roles = 1 << 15;
/// Starts a two-word payment head (`account number`, `bank account`).
pub(crate) const PAY_LEAD: Roles = 1 << 16;
/// Turns a following bare `address` into an IP address (`remote_addr`).
pub(crate) const IP_MOD: Roles = 1 << 17;
/// An organisation, a thing, or a verification flag: whatever follows is not a person's data.
pub(crate) const NEG_ALL: Roles = 1 << 18;
/// Something that has a name but is not a person (`product`, `file`).
pub(crate) const NEG_NAME: Roles = 1 << 19;
/// Text that a system writes, not a person (`error`, `alt`).
pub(crate) const NEG_TEXT: Roles = 1 << 20;
/// An address that is not a postal one (`web`, `wallet`).
pub(crate) const NEG_ADDR: Roles = 1 << 21;
/// A card that is not a payment card (`gift`).
pub(crate) const NEG_PAY: Roles = 1 << 22;
/// Right before `name`, makes it a login (`user_name`).
pub(crate) const LOGIN: Roles = 1 << 23;
/// Right before a region, makes it an address part (`billing_country`).
pub(crate) const ADDR_CTX: Roles = 1 << 24;
/// As the first word, makes the key a flag or a count (`is_`, `num_`).
pub(crate) const FLAG_PRE: Roles = 1 << 25;
/// A digest of the value: the category becomes `other-pii`.
pub(crate) const HASH: Roles = 1 << 26;
/// May follow a head: a number word.
pub(crate) const T_NUM: Roles = 1 << 27;
/// May follow a head: `address`.
pub(crate) const T_ADDRW: Roles = 1 << 28;
/// May follow an address head: `line`.
pub(crate) const T_LINE: Roles = 1 << 29;
/// May follow any head: a form or variant of the value (`raw`, `primary`, `home`).
pub(crate) const T_FMT: Roles = 1 << 30;
/// May follow `name`: which part (`first`, `last`, `on card`).
pub(crate) const T_NAMEPART: Roles = 1 << 31;
/// May follow a head: `code`.
pub(crate) const T_CODE: Roles = 1 << 32;
/// May follow an address head: a part of the address.
pub(crate) const T_PLACEPART: Roles = 1 << 33;
/// May follow a phone head: a part of the number (`ext`, `country code`).
pub(crate) const T_PHONEPART: Roles = 1 << 34;
/// May follow a birth head: a part of the date (`date`, `year`).
pub(crate) const T_DATEPART: Roles = 1 << 35;
/// May follow a card or id head: its last digits.
pub(crate) const T_LAST: Roles = 1 << 36;
/// May follow a text head: a format (`html`, `plain`).
pub(crate) const T_TEXTPART: Roles = 1 << 37;
/// May follow an IP head: the version or `address`.
pub(crate) const T_IPPART: Roles = 1 << 38;

/// Every word, grouped by role; a word may sit in several groups.
#[rustfmt::skip]
pub(crate) const GROUPS: &[(Roles, &[&str])] = &[
    (H_EMAIL, &["email", "emailaddress", "emailadresse", "mail", "mailaddress", "courriel", "epost"]),
    (H_PHONE, &[
        "phone", "telephone", "tel", "mobile", "msisdn", "cell", "cellphone", "mobilephone",
        "homephone", "workphone", "phonenumber", "telephonenumber", "fax", "landline",
        "telefon", "telefonnummer", "mobil", "mobilnummer", "handy", "handynummer",
        "telefono"
    ]),
    (H_NAME, &[
        "name", "handle", "surname", "lastname", "firstname", "fullname", "givenname", "familyname",
        "middlename", "displayname", "nickname", "forename", "forenames", "maidenname",
        "fname", "lname", "förnamn", "fornamn", "efternamn", "vorname", "nachname",
        "familienname", "prenom", "prénom", "nom", "namn", "nome", "cognome", "nombre",
        "apellido", "cardholder", "initials", "holder"
    ]),
    (H_ADDR, &["address", "addr", "adress", "adresse", "anschrift", "streetaddress", "gatuadress"]),
    (H_PLACE, &[
        "street", "city", "town", "zip", "zipcode", "postcode", "postalcode", "postal",
        "postnummer", "postnr", "plz", "postleitzahl", "strasse", "straße", "gata", "stadt",
        "ort", "ville", "house", "housenumber", "apartment", "apt", "pobox"
    ]),
    (REGION, &[
        "country", "state", "province", "region", "county", "district", "locality",
        "suburb", "neighborhood", "neighbourhood", "prefecture", "territory",
        "municipality", "kommun"
    ]),
    (H_NATID, &[
        "ssn", "sin", "personnummer", "personnr", "samordningsnummer", "fodselsnummer",
        "fødselsnummer", "cpr", "hetu", "bsn", "dni", "nif", "nie", "nino", "tin",
        "passport", "nationalid", "taxid", "steuerid", "aadhaar", "pesel", "cpf", "curp",
        "sozialversicherungsnummer"
    ]),
    (H_PAY, &[
        "iban", "pan", "cvv", "cvc", "cardnumber", "ccnumber", "creditcard", "debitcard",
        "card", "kontonummer", "bankgiro", "plusgiro", "bankaccount", "accountnumber"
    ]),
    (H_IP, &["ip", "ipaddr", "ipaddress", "ipv"]),
    (H_DOB, &[
        "dob", "birthday", "birthdate", "birth", "born", "geburtsdatum", "geburtstag",
        "fodelsedatum", "födelsedatum", "naissance"
    ]),
    (H_TEXT, &[
        "transcript", "message", "body", "text", "comment", "note", "chat", "remark",
        "feedback", "reply", "replies", "bio", "memo", "kommentar", "nachricht"
    ]),
    (H_IDENT, &[
        "username", "userid", "customerid", "login", "memberid", "imei", "customer", "user",
        "member", "subscriber", "visitor", "shopper", "buyer", "twitter", "instagram",
        "tiktok", "skype", "telegram"
    ]),
    (PERSON, &[
        "customer", "user", "member", "contact", "visitor", "client", "account", "person",
        "subscriber", "shopper", "buyer", "profile", "patient", "employee", "requester",
        "submitter", "author", "guest", "player", "student", "recipient", "sender", "owner",
        "holder", "cardholder", "agent", "assignee", "attendee", "passenger", "traveler",
        "traveller", "applicant", "candidate", "beneficiary", "payer", "payee", "consumer",
        "lead", "prospect", "respondent", "participant", "rider", "donor", "resident",
        "guardian", "spouse", "emergency", "kin", "follower", "collaborator", "reviewer",
        "commenter", "reporter", "caller", "mother", "father", "individual"
    ]),
    (ID_MOD, &[
        "external", "anonymous", "distinct", "device", "cookie", "loyalty", "membership",
        "crm"
    ]),
    (ID_WORD, &[
        "id", "identifier", "uuid", "guid", "ref", "reference", "number", "num", "no", "nr",
        "key", "code"
    ]),
    (NATID_LEAD, &[
        "social", "national", "tax", "taxpayer", "identity", "government", "gov", "driver",
        "drivers", "driving", "personal", "id"
    ]),
    (PAY_LEAD, &["cc", "account", "bank"]),
    (IP_MOD, &["remote", "peer", "source", "src", "origin"]),
    (NEG_ALL, &[
        "company", "business", "organization", "organisation", "org", "store", "shop",
        "merchant", "vendor", "supplier", "brand", "warehouse", "support", "bank",
        "carrier", "agency", "hotel", "restaurant", "venue", "product", "item", "service",
        "noreply", "system", "sales", "team", "verified", "confirmed", "unverified",
        "unconfirmed", "validated", "invalid", "bounced", "place"
    ]),
    (NEG_NAME, &[
        "file", "filename", "campaign", "template", "app", "application", "plan", "variant",
        "category", "collection", "event", "list", "tag", "segment", "host", "domain",
        "server", "field", "column", "table", "key", "attribute", "property", "properties",
        "channel", "method", "discount", "coupon", "device", "browser", "os", "platform",
        "group", "role", "job", "step", "language", "locale", "currency", "image", "class",
        "module", "function", "queue", "bucket", "package", "project", "workspace", "site",
        "page", "course", "room", "location", "model", "sku", "size", "color", "colour",
        "option", "section", "folder", "directory", "path", "metric", "feature", "flag",
        "setting", "config", "database", "schema", "index", "resource", "repo",
        "repository", "branch", "task", "workflow", "pipeline", "stage", "topic", "stream",
        "order", "gateway", "type", "kind", "source", "medium", "utm", "entity", "object",
        "record", "label", "header", "param", "parameter", "report", "dashboard", "widget",
        "form", "survey", "question", "dataset", "version", "release", "env", "environment",
        "plugin", "extension", "theme", "font", "icon", "asset", "document", "doc",
        "attachment", "media", "video", "song", "track", "album", "book", "movie", "game",
        "league", "sport", "skill", "certificate", "cert", "policy", "rule", "tier",
        "level", "status", "zone", "timezone", "cluster", "node", "network", "subnet", "title"
    ]),
    (NEG_TEXT, &[
        "error", "status", "system", "commit", "log", "welcome", "default", "template",
        "success", "warning", "validation", "alt", "button", "link", "label", "placeholder",
        "help", "hint", "tooltip", "banner", "page", "exception"
    ]),
    (NEG_ADDR, &[
        "web", "url", "uri", "wallet", "contract", "memory", "server", "host", "bitcoin",
        "btc", "eth", "crypto", "node", "broadcast", "network", "hardware", "ip"
    ]),
    (NEG_PAY, &["gift", "voucher", "loyalty", "membership", "member", "library", "sim"]),
    (LOGIN, &[
        "user", "login", "screen", "account", "twitter", "instagram", "tiktok", "skype",
        "telegram"
    ]),
    (ADDR_CTX, &[
        "mailing", "billing", "shipping", "home", "residential", "delivery", "postal",
        "residence", "permanent", "address", "addr", "bill", "ship"
    ]),
    (FLAG_PRE, &[
        "is", "has", "can", "should", "allow", "allows", "allowed", "accepts", "accept",
        "accepted", "use", "uses", "send", "sent", "enable", "enabled", "disable",
        "disabled", "verify", "require", "requires", "required", "show", "hide", "include",
        "num", "count", "total", "max", "min", "n", "opt", "opted", "do", "does", "did",
        "was", "will", "needs", "wants", "skip", "must"
    ]),
    (HASH, &["hash", "hashed", "sha", "digest", "hmac", "checksum", "md"]),
    (T_NUM, &["number", "num", "no", "nr"]),
    (T_ADDRW, &["address", "addr", "adresse", "adress"]),
    (T_LINE, &["line"]),
    (T_FMT, &[
        "value", "raw", "formatted", "normalized", "normalised", "canonical", "full",
        "primary", "secondary", "main", "alt", "alternate", "other", "home", "work",
        "personal", "private", "display", "text", "plain", "clean", "cleaned", "lower",
        "lowercase", "upper", "orig", "original", "old", "new", "prev", "previous",
        "current"
    ]),
    (T_NAMEPART, &[
        "first", "last", "given", "family", "middle", "full", "sur", "fore", "display",
        "nick", "kana", "kanji", "romanized", "latin", "native", "phonetic", "on", "card",
        "legal", "preferred", "maiden"
    ]),
    (T_CODE, &["code"]),
    (T_PLACEPART, &[
        "street", "city", "zip", "postcode", "postal", "town", "house", "apartment", "apt",
        "suite", "building", "floor", "door", "unit", "lat", "lng", "latitude", "longitude",
        "geo", "coordinates", "coords", "locality", "district"
    ]),
    (T_PHONEPART, &[
        "ext", "extension", "e", "national", "international", "country", "code", "prefix",
        "area", "dial", "dialing", "calling", "mobile", "cell", "landline", "home", "work",
        "fax"
    ]),
    (T_DATEPART, &["date", "day", "dt", "d", "year", "month", "on", "at", "of", "time"]),
    (T_LAST, &["last", "four", "digits"]),
    (T_TEXTPART, &["html", "plain", "markdown", "body", "content", "transcript", "text", "message"]),
    (T_IPPART, &["v", "address", "addr"]),
];
