//! Access exports: the files a data subject receives for an access request.
//!
//! [`render`] turns the subject's items, each with the categories its field
//! map gave its fields, into two files with the same content: JSON for
//! machines (and for portability to another service) and CSV for people
//! with a spreadsheet. Both are deterministic (the same items give the same
//! bytes, so their SHA-256, recorded with the request, identifies them).
//!
//! # JSON: `lethe-access-export/1`
//!
//! ```json
//! {
//!   "format": "lethe-access-export/1",
//!   "request": "req-1",
//!   "generated_at": "2025-01-02T03:04:05Z",
//!   "items": [
//!     {
//!       "kind": "profile",
//!       "id": "p-1",
//!       "data": {"name": "Ada", "address": {"city": "Lund"}},
//!       "fields": [
//!         {"path": "name", "category": "name", "value": "Ada"},
//!         {"path": "address.city", "category": "address", "value": "Lund"}
//!       ]
//!     }
//!   ]
//! }
//! ```
//!
//! - `format` names this layout and its version; a change that could break
//!   a reader gets a new version.
//! - `generated_at` is RFC 3339 in UTC.
//! - `items` are in the order given; `data` is the item as stored, its keys
//!   in stored order.
//! - `fields` has one entry per scalar of `data` (empty objects and arrays
//!   have none), in document order: `path` in Lethe's path syntax
//!   (`lines[0].sku`, `meta["a.b"]`), `category` one of the contract's
//!   kebab-case names (`name`, `email`, `phone`, `address`, `national-id`,
//!   `payment`, `ip`, `date-of-birth`, `free-text`, `identifier`,
//!   `other-pii`, `none`; `none` for fields the field map did not label),
//!   and `value` the JSON scalar itself.
//!
//! The file is UTF-8, pretty-printed with two-space indents, and ends with
//! a newline.
//!
//! # CSV
//!
//! UTF-8 with a byte-order mark (so that spreadsheets read it as UTF-8),
//! CRLF line endings, a header `kind,id,path,category,value`, then one row
//! per scalar of every item, in the same order as `fields`. Values are
//! text: `null` is an empty cell, booleans and numbers their JSON text.
//!
//! Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (and some
//! with a leading tab or CR) as a formula, and a subject's data can hold
//! anything, so every such cell is written with a `'` in front: `-5`
//! becomes `'-5`, `=HYPERLINK(…)` becomes `'=HYPERLINK(…)`. The JSON file
//! holds the exact values.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use crate::Category;
use crate::digest::sha256_hex;
use crate::item::{Path, Scalar, flatten};

/// The `format` field of the JSON export.
pub const FORMAT: &str = "lethe-access-export/1";

/// The header row of the CSV export.
pub const CSV_HEADER: [&str; 5] = ["kind", "id", "path", "category", "value"];

/// One of the subject's items, with the categories of its fields.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportItem {
    /// The item's kind (`profile`, `order`, …).
    pub kind: String,
    /// The item's id within its kind.
    pub id: String,
    /// The item as stored.
    pub data: Value,
    /// The field map's labels: paths of `data` and their categories. Paths
    /// not listed are [`Category::None`]; labels for paths `data` does not
    /// have are ignored.
    pub labels: Vec<(Path, Category)>,
}

/// The two files of an export and their SHA-256.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedExport {
    /// The JSON file (see the [module docs](self)).
    pub json: Vec<u8>,
    /// The CSV file.
    pub csv: Vec<u8>,
    /// SHA-256 of `json`, lowercase hex.
    pub json_sha256: String,
    /// SHA-256 of `csv`, lowercase hex.
    pub csv_sha256: String,
}

/// Renders the export of `request_id`, generated at `generated_at`, from
/// `items` (see the [module docs](self) for both formats).
pub fn render(request_id: &str, generated_at: Timestamp, items: &[ExportItem]) -> RenderedExport {
    let mut documents = Vec::with_capacity(items.len());
    let mut csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    // Writing to a `Vec` cannot fail; neither can the serializations below.
    let _ = csv.write_record(CSV_HEADER);
    for item in items {
        let labels: HashMap<&Path, Category> = item.labels.iter().map(|(p, c)| (p, *c)).collect();
        let flat = flatten(&item.data);
        let mut fields = Vec::new();
        for (path, scalar) in flat.scalars() {
            let category = labels.get(path).copied().unwrap_or(Category::None);
            let path_text = path.to_string();
            let _ = csv.write_record([
                neutralize(&item.kind).as_ref(),
                neutralize(&item.id).as_ref(),
                neutralize(&path_text).as_ref(),
                category.as_str(),
                neutralize(&cell_text(scalar)).as_ref(),
            ]);
            fields.push(Field {
                path: path_text,
                category: category.as_str(),
                value: scalar_json(path, scalar),
            });
        }
        documents.push(Item {
            kind: &item.kind,
            id: &item.id,
            data: &item.data,
            fields,
        });
    }
    let document = Document {
        format: FORMAT,
        request: request_id,
        generated_at,
        items: documents,
    };
    let mut json = serde_json::to_vec_pretty(&document).unwrap_or_default();
    json.push(b'\n');
    let csv = csv.into_inner().unwrap_or_default();
    RenderedExport {
        json_sha256: sha256_hex(&json),
        csv_sha256: sha256_hex(&csv),
        json,
        csv,
    }
}

#[derive(Serialize)]
struct Document<'a> {
    format: &'static str,
    request: &'a str,
    generated_at: Timestamp,
    items: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Item<'a> {
    kind: &'a str,
    id: &'a str,
    data: &'a Value,
    fields: Vec<Field>,
}

#[derive(Serialize)]
struct Field {
    path: String,
    category: &'static str,
    value: Value,
}

/// A scalar as JSON. Items come from JSON, so a `Bytes` scalar cannot occur;
/// it would be written as `null` rather than fail the export.
fn scalar_json(path: &Path, scalar: &Scalar) -> Value {
    scalar.to_json(path).unwrap_or(Value::Null)
}

/// A scalar as a CSV cell: `null` empty, booleans and numbers as JSON text.
fn cell_text(scalar: &Scalar) -> String {
    match scalar {
        Scalar::Null | Scalar::Bytes(_) => String::new(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Number(text) => text.clone(),
        Scalar::Text(s) => s.clone(),
    }
}

/// `cell` with a `'` in front if a spreadsheet would run it as a formula.
fn neutralize(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn items() -> Vec<ExportItem> {
        vec![
            ExportItem {
                kind: "profile".into(),
                id: "p-1".into(),
                data: json!({
                    "name": "Åsa Öberg",
                    "email": "asa@example.com",
                    "address": {"city": "Malmö", "lines": ["Storgatan 1", "=cmd|' /C calc'!A0"]},
                    "balance": -12.5,
                    "vip": true,
                    "note": null,
                    "tags": [],
                    "meta": {"a.b": "+46 70 123", "x": "@SUM(1)"},
                }),
                labels: vec![
                    ("name".parse().unwrap(), Category::Name),
                    ("email".parse().unwrap(), Category::Email),
                    ("address.city".parse().unwrap(), Category::Address),
                    ("address.lines[0]".parse().unwrap(), Category::Address),
                    ("nonexistent".parse().unwrap(), Category::Phone),
                ],
            },
            ExportItem {
                kind: "order".into(),
                id: "-o-2".into(),
                data: json!({"sku": "\tX-1", "qty": 2, "text": "line1\r\nline2 \"quoted\", comma"}),
                labels: vec![("text".parse().unwrap(), Category::FreeText)],
            },
        ]
    }

    fn at() -> Timestamp {
        "2025-01-02T03:04:05Z".parse().unwrap()
    }

    #[test]
    fn json_has_the_documented_shape_and_parses_back() {
        let out = render("req-1", at(), &items());
        let doc: Value = serde_json::from_slice(&out.json).unwrap();
        assert_eq!(doc["format"], FORMAT);
        assert_eq!(doc["request"], "req-1");
        assert_eq!(doc["generated_at"], "2025-01-02T03:04:05Z");
        let item = &doc["items"][0];
        assert_eq!(item["kind"], "profile");
        assert_eq!(item["id"], "p-1");
        assert_eq!(item["data"], items()[0].data);
        let fields = item["fields"].as_array().unwrap();
        let got: Vec<(&str, &str, &Value)> = fields
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap(),
                    f["category"].as_str().unwrap(),
                    &f["value"],
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("name", "name", &json!("Åsa Öberg")),
                ("email", "email", &json!("asa@example.com")),
                ("address.city", "address", &json!("Malmö")),
                ("address.lines[0]", "address", &json!("Storgatan 1")),
                ("address.lines[1]", "none", &json!("=cmd|' /C calc'!A0")),
                ("balance", "none", &json!(-12.5)),
                ("vip", "none", &json!(true)),
                ("note", "none", &json!(null)),
                ("meta[\"a.b\"]", "none", &json!("+46 70 123")),
                ("meta.x", "none", &json!("@SUM(1)")),
            ]
        );
        assert_eq!(doc["items"][1]["fields"][2]["category"], "free-text");
        // Non-ASCII is written as UTF-8, not escaped.
        assert!(String::from_utf8(out.json).unwrap().contains("Åsa Öberg"));
    }

    #[test]
    fn csv_parses_back_with_formulas_neutralised() {
        let out = render("req-1", at(), &items());
        assert!(
            out.csv
                .starts_with(b"\xEF\xBB\xBFkind,id,path,category,value\r\n")
        );
        let mut reader = csv::Reader::from_reader(&out.csv[..]);
        assert_eq!(
            reader.headers().unwrap(),
            &csv::StringRecord::from(CSV_HEADER.to_vec())
        );
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        let row = |kind: &str, id: &str, path: &str, category: &str, value: &str| {
            vec![
                kind.to_owned(),
                id.to_owned(),
                path.to_owned(),
                category.to_owned(),
                value.to_owned(),
            ]
        };
        assert_eq!(
            rows,
            [
                row("profile", "p-1", "name", "name", "Åsa Öberg"),
                row("profile", "p-1", "email", "email", "asa@example.com"),
                row("profile", "p-1", "address.city", "address", "Malmö"),
                row(
                    "profile",
                    "p-1",
                    "address.lines[0]",
                    "address",
                    "Storgatan 1"
                ),
                row(
                    "profile",
                    "p-1",
                    "address.lines[1]",
                    "none",
                    "'=cmd|' /C calc'!A0"
                ),
                row("profile", "p-1", "balance", "none", "'-12.5"),
                row("profile", "p-1", "vip", "none", "true"),
                row("profile", "p-1", "note", "none", ""),
                row("profile", "p-1", "meta[\"a.b\"]", "none", "'+46 70 123"),
                row("profile", "p-1", "meta.x", "none", "'@SUM(1)"),
                row("order", "'-o-2", "sku", "none", "'\tX-1"),
                row("order", "'-o-2", "qty", "none", "2"),
                row(
                    "order",
                    "'-o-2",
                    "text",
                    "free-text",
                    "line1\r\nline2 \"quoted\", comma"
                ),
            ]
        );
        // No cell a spreadsheet would run.
        for row in &rows {
            for cell in row {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{cell:?}"
                );
            }
        }
    }

    #[test]
    fn output_is_deterministic_and_hashed() {
        let a = render("req-1", at(), &items());
        let b = render("req-1", at(), &items());
        assert_eq!(a, b);
        assert_eq!(a.json_sha256, sha256_hex(&a.json));
        assert_eq!(a.csv_sha256, sha256_hex(&a.csv));
        assert_eq!(a.json_sha256.len(), 64);
        let c = render("req-2", at(), &items());
        assert_ne!(a.json_sha256, c.json_sha256);
        assert!(a.json.ends_with(b"}\n"));
    }

    #[test]
    fn an_empty_export_is_still_well_formed() {
        let out = render("req-1", at(), &[]);
        let doc: Value = serde_json::from_slice(&out.json).unwrap();
        assert_eq!(doc["items"], json!([]));
        assert_eq!(out.csv, b"\xEF\xBB\xBFkind,id,path,category,value\r\n");
    }
}
