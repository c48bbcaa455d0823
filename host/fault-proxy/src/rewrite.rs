//! The rewriting faults: a batch call half-done, a short query page.
//! Both change the request before it is forwarded; a half-done batch
//! also changes the (successful) answer.
//!
//! - [`Fault::PartialBatch`] on DynamoDB `BatchWriteItem`: the last
//!   entries (across tables, in request order) are taken out of
//!   `RequestItems`, never reach the server, and are added to the
//!   answer's `UnprocessedItems` — what DynamoDB does when a partition is
//!   over its throughput. At least one entry is always forwarded
//!   (DynamoDB answers `ProvisionedThroughputExceededException` when it
//!   can process none: use [`Fault::Throttle`] for that).
//! - [`Fault::PartialBatch`] on SQS `SendMessageBatch`,
//!   `DeleteMessageBatch`, `ChangeMessageVisibilityBatch`: the last
//!   `Entries` are held back and answered as `Failed` entries with
//!   `SenderFault: false`, code `InternalError`.
//! - [`Fault::ShortPage`] on DynamoDB `Query` / `Scan`: `Limit` is lowered,
//!   so the server stops early and answers a `LastEvaluatedKey`, as at
//!   the 1 MB response limit.
//!
//! An answer that is an error is passed on unchanged: the whole call
//! failed, nothing was half-done.

use bytes::Bytes;
use serde_json::{Map, Value, json};

use crate::rules::Fault;

/// What a rewritten request held back, to be added to the answer.
#[derive(Debug)]
pub(crate) enum Held {
    /// DynamoDB write requests, with their table.
    Dynamo(Vec<(String, Value)>),
    /// SQS batch entry ids.
    Sqs(Vec<String>),
}

/// A rewritten request body, and what it held back.
#[derive(Debug)]
pub(crate) struct Rewritten {
    /// The body to forward.
    pub(crate) body: Bytes,
    /// What the answer must report as unprocessed.
    pub(crate) held: Option<Held>,
}

/// Rewrites the request for `fault`, or `None` when the fault does not
/// apply to this call (it is then forwarded unchanged).
pub(crate) fn prepare(
    service: &str,
    operation: &str,
    fault: Fault,
    body: &[u8],
) -> Option<Rewritten> {
    let mut request: Value = serde_json::from_slice(body).ok()?;
    let held = match (fault, service, operation) {
        (Fault::ShortPage { limit }, "dynamodb", "Query" | "Scan") => {
            let current = request.get("Limit").and_then(Value::as_u64);
            let lowered = current.map_or(u64::from(limit), |c| c.min(u64::from(limit)));
            request
                .as_object_mut()?
                .insert("Limit".to_owned(), json!(lowered.max(1)));
            None
        }
        (Fault::PartialBatch { held_back }, "dynamodb", "BatchWriteItem") => {
            Some(Held::Dynamo(hold_dynamo(&mut request, held_back)?))
        }
        (
            Fault::PartialBatch { held_back },
            "sqs",
            "SendMessageBatch" | "DeleteMessageBatch" | "ChangeMessageVisibilityBatch",
        ) => Some(Held::Sqs(hold_sqs(&mut request, held_back)?)),
        _ => return None,
    };
    Some(Rewritten {
        body: Bytes::from(serde_json::to_vec(&request).ok()?),
        held,
    })
}

/// Takes the last `held_back` write requests (at most all but one) out of
/// `RequestItems`.
fn hold_dynamo(request: &mut Value, held_back: usize) -> Option<Vec<(String, Value)>> {
    let items = request.get_mut("RequestItems")?.as_object_mut()?;
    let total: usize = items
        .values()
        .map(|v| v.as_array().map_or(0, Vec::len))
        .sum();
    let mut hold = held_back.min(total.saturating_sub(1));
    if hold == 0 {
        return None;
    }
    let tables: Vec<String> = items.keys().cloned().collect();
    let mut held = Vec::with_capacity(hold);
    for table in tables.iter().rev() {
        let Some(list) = items.get_mut(table).and_then(Value::as_array_mut) else {
            continue;
        };
        while hold > 0 {
            let Some(w) = list.pop() else { break };
            held.push((table.clone(), w));
            hold -= 1;
        }
        if list.is_empty() {
            items.remove(table);
        }
        if hold == 0 {
            break;
        }
    }
    held.reverse();
    Some(held)
}

/// Takes the last `held_back` entries (at most all but one) out of
/// `Entries`; returns their ids.
fn hold_sqs(request: &mut Value, held_back: usize) -> Option<Vec<String>> {
    let entries = request.get_mut("Entries")?.as_array_mut()?;
    let hold = held_back.min(entries.len().saturating_sub(1));
    if hold == 0 {
        return None;
    }
    let held = entries.split_off(entries.len() - hold);
    held.iter()
        .map(|e| e.get("Id").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// Adds what was held back to a successful answer's unprocessed part.
pub(crate) fn finish(held: Held, answer: &[u8]) -> Option<Bytes> {
    let mut answer: Value = serde_json::from_slice(answer).ok()?;
    let object = answer.as_object_mut()?;
    match held {
        Held::Dynamo(writes) => {
            let unprocessed = object
                .entry("UnprocessedItems")
                .or_insert_with(|| Value::Object(Map::new()));
            if !unprocessed.is_object() {
                *unprocessed = Value::Object(Map::new());
            }
            let unprocessed = unprocessed.as_object_mut()?;
            for (table, w) in writes {
                let list = unprocessed.entry(table).or_insert_with(|| json!([]));
                list.as_array_mut()?.push(w);
            }
        }
        Held::Sqs(ids) => {
            let failed = object.entry("Failed").or_insert_with(|| json!([]));
            if !failed.is_array() {
                *failed = json!([]);
            }
            let failed = failed.as_array_mut()?;
            for id in ids {
                failed.push(json!({
                    "Id": id,
                    "SenderFault": false,
                    "Code": "InternalError",
                    "Message": "We encountered an internal error. Please try again.",
                }));
            }
        }
    }
    serde_json::to_vec(&answer).ok().map(Bytes::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(n: u32) -> Value {
        json!({"PutRequest": {"Item": {"pk": {"S": format!("p{n}")}, "sk": {"S": "s"}}}})
    }

    #[test]
    fn batch_write_items_are_held_back_and_reported_unprocessed() {
        let request = json!({
            "RequestItems": { "t1": [put(1), put(2)], "t2": [put(3), put(4), put(5)] },
            "ReturnConsumedCapacity": "NONE",
        });
        let body = serde_json::to_vec(&request).expect("json");
        let r = prepare(
            "dynamodb",
            "BatchWriteItem",
            Fault::PartialBatch { held_back: 4 },
            &body,
        )
        .expect("applies");
        let sent: Value = serde_json::from_slice(&r.body).expect("json");
        // Four held back: all of t2, one of t1; t2 disappears.
        assert_eq!(sent["RequestItems"], json!({ "t1": [put(1)] }));
        assert_eq!(sent["ReturnConsumedCapacity"], "NONE");
        let answer = finish(r.held.expect("held"), br#"{"UnprocessedItems":{}}"#).expect("json");
        let answer: Value = serde_json::from_slice(&answer).expect("json");
        assert_eq!(
            answer["UnprocessedItems"],
            json!({ "t1": [put(2)], "t2": [put(3), put(4), put(5)] })
        );
    }

    #[test]
    fn at_least_one_entry_is_forwarded() {
        let one = serde_json::to_vec(&json!({"RequestItems": {"t": [put(1)]}})).expect("json");
        let fault = Fault::PartialBatch { held_back: 5 };
        assert!(prepare("dynamodb", "BatchWriteItem", fault, &one).is_none());
        let two = serde_json::to_vec(&json!({"QueueUrl": "q", "Entries": [
            {"Id": "0", "MessageBody": "a"}, {"Id": "1", "MessageBody": "b"}
        ]}))
        .expect("json");
        let r = prepare("sqs", "SendMessageBatch", fault, &two).expect("applies");
        let sent: Value = serde_json::from_slice(&r.body).expect("json");
        assert_eq!(sent["Entries"].as_array().map(Vec::len), Some(1));
        let answer = finish(
            r.held.expect("held"),
            br#"{"Successful":[{"Id":"0","MessageId":"m"}]}"#,
        )
        .expect("json");
        let answer: Value = serde_json::from_slice(&answer).expect("json");
        assert_eq!(answer["Failed"][0]["Id"], "1");
        assert_eq!(answer["Failed"][0]["SenderFault"], false);
        assert_eq!(answer["Successful"][0]["Id"], "0");
    }

    #[test]
    fn short_pages_lower_the_limit() {
        let fault = Fault::ShortPage { limit: 3 };
        for (request, want) in [
            (json!({"TableName": "t", "Limit": 101}), 3),
            (json!({"TableName": "t", "Limit": 2}), 2),
            (json!({"TableName": "t"}), 3),
        ] {
            let body = serde_json::to_vec(&request).expect("json");
            let r = prepare("dynamodb", "Query", fault, &body).expect("applies");
            let sent: Value = serde_json::from_slice(&r.body).expect("json");
            assert_eq!(sent["Limit"], want);
            assert!(r.held.is_none());
        }
        assert!(prepare("dynamodb", "GetItem", fault, b"{}").is_none());
        assert!(prepare("s3", "Query", fault, b"{}").is_none());
    }
}
