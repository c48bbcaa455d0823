//! [`DynamoTable`]: the `ItemStore` port on one DynamoDB table.
//!
//! | port call | DynamoDB call | how |
//! |-----------|---------------|-----|
//! | `get` | `GetItem` | strongly consistent |
//! | `put` | `UpdateItem` | `SET body, version = if_not_exists(version, 0) + 1`, the index and TTL attributes set or `REMOVE`d, so the write replaces the whole record and bumps the version atomically; `ReturnValues: UPDATED_NEW` gives the new version |
//! | `delete` | `DeleteItem` | |
//! | `Condition::Absent` / `Exists` / `Version(v)` | `ConditionExpression` | `attribute_not_exists(pk)` / `attribute_exists(pk)` / `version = :v`; `ConditionalCheckFailedException` is `PortError::ConditionFailed` |
//! | (every put) | `ConditionExpression`, `ReturnValuesOnConditionCheckFailure` | `AND (attribute_not_exists(wid) OR wid <> :wid)` with a fresh write id set by the same update: an SDK retry that meets its own write fails that condition, and the returned item, holding this call's id, makes it a success with that item's version (`write_id`) |
//! | `query` | `Query` | strongly consistent, `begins_with` / `BETWEEN` / `<=` on `sk`; asks one record more than the page so that a last page says so |
//! | `query_index` | `Query` on GSI `gsi1` | eventually consistent (callers re-check) |
//! | `write_batch` | `UpdateItem` / `DeleteItem` per write, 16 at a time; `BatchWriteItem` for unconditional deletes | see below |
//!
//! **Batches.** `BatchWriteItem` takes no conditions and cannot bump a
//! version, so a batch runs every put and every conditional delete as its
//! own call, at most [`BATCH_CONCURRENCY`] at once; writes to the same key
//! run one after another in batch order, so a batch means what it would
//! mean applied in order. Unconditional deletes of keys named once in the
//! batch go through `BatchWriteItem` in groups of 25, their
//! `UnprocessedItems` retried with exponential backoff and jitter, a
//! bounded number of times. Each write gets its own answer, as the port
//! says; the batch as a whole is not atomic (nor is the port's).
//!
//! **Retries.** Every call is retried by the SDK's standard strategy
//! (throttling, 5xx, timeouts; exponential backoff with jitter, bounded
//! attempts, see [`AwsConfig`](crate::AwsConfig)); what still fails is
//! `PortError::Unavailable`.
//!
//! **Limits.** The same checks as the local store, before any call: empty
//! or over-long keys, a body that is not an object, a record over 400 KB
//! (counted as the local store counts it). Checked here too, because
//! DynamoDB refuses them and emulators may not: a body nested deeper than
//! 32 levels, an empty attribute name inside the body, a number outside
//! DynamoDB's range (the local store accepts these three). Whatever else
//! DynamoDB refuses (`ValidationException`) is `PortError::Invalid` as well.

mod codec;
mod errors;
mod expr;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, DeleteRequest, GlobalSecondaryIndex,
    KeySchemaElement, KeyType, Projection, ProjectionType, ReturnValue,
    ReturnValuesOnConditionCheckFailure, ScalarAttributeType, TableStatus, TimeToLiveSpecification,
    TimeToLiveStatus, WriteRequest,
};
use futures_util::stream::{self, StreamExt};
use lethe_core::ports::{
    Condition, ItemStore, KeyRange, Page, PortError, Record, RecordKey, Write,
};

use self::codec::{
    BODY, Cursor, EXPIRES_AT, GSI1, GSI1PK, GSI1SK, PK, PORT, SK, VERSION, WRITE_ID, body_value,
    check_key, check_record, key_map, n, page_size, record_of, s, version_of,
};
use self::errors::{read_error, write_error};
use self::expr::{Expr, key_condition};
use crate::backoff;
use crate::error::{AwsError, failure, setup};

/// How many writes of one batch run at once.
pub const BATCH_CONCURRENCY: usize = 16;

/// Most delete requests in one `BatchWriteItem` (DynamoDB's limit).
const BATCH_WRITE_MAX: usize = 25;

/// The `ItemStore` port on one DynamoDB table of the shape
/// [`create_table`] makes.
#[derive(Clone)]
pub struct DynamoTable {
    client: Client,
    table: Arc<str>,
}

impl std::fmt::Debug for DynamoTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamoTable")
            .field("table", &self.table)
            .finish_non_exhaustive()
    }
}

impl DynamoTable {
    /// The adapter on table `table` (which must exist, shaped as
    /// [`create_table`] makes it).
    pub fn new(client: Client, table: impl Into<String>) -> DynamoTable {
        DynamoTable {
            client,
            table: Arc::from(table.into()),
        }
    }

    /// The table's name.
    pub fn table_name(&self) -> &str {
        &self.table
    }

    async fn put_one(&self, record: Record, condition: Condition) -> Result<u64, PortError> {
        check_record(&record)?;
        let mut expr = Expr::default();
        let mut set = vec![
            format!(
                "{} = {}",
                expr.name("#b", BODY),
                expr.value(":b", body_value(&record.body)?)
            ),
            format!(
                "#v = if_not_exists(#v, {}) + {}",
                expr.value(":zero", n(0)),
                expr.value(":one", n(1))
            ),
        ];
        expr.name("#v", VERSION);
        let write_id = AttributeValue::B(aws_smithy_types::Blob::new(crate::write_id::new()));
        set.push(format!(
            "{} = {}",
            expr.name("#w", WRITE_ID),
            expr.value(":w", write_id.clone())
        ));
        let mut remove = Vec::new();
        match &record.index {
            Some(ix) => {
                set.push(format!(
                    "{} = {}",
                    expr.name("#gp", GSI1PK),
                    expr.value(":gp", s(&ix.pk))
                ));
                set.push(format!(
                    "{} = {}",
                    expr.name("#gs", GSI1SK),
                    expr.value(":gs", s(&ix.sk))
                ));
            }
            None => {
                remove.push(expr.name("#gp", GSI1PK));
                remove.push(expr.name("#gs", GSI1SK));
            }
        }
        match record.expires_at {
            Some(at) => set.push(format!(
                "{} = {}",
                expr.name("#e", EXPIRES_AT),
                expr.value(":e", n(at))
            )),
            None => remove.push(expr.name("#e", EXPIRES_AT)),
        }
        let mut update = format!("SET {}", set.join(", "));
        if !remove.is_empty() {
            update.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        // Not a replay of this very write (an SDK retry whose first
        // attempt was applied): see `write_id`.
        let not_replayed = "(attribute_not_exists(#w) OR #w <> :w)";
        let condition = match expr.condition(condition) {
            Some(c) => format!("({c}) AND {not_replayed}"),
            None => not_replayed.to_owned(),
        };
        let out = self
            .client
            .update_item()
            .table_name(&*self.table)
            .set_key(Some(key_map(&record.key)))
            .update_expression(update)
            .condition_expression(condition)
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .return_values(ReturnValue::UpdatedNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match out {
            Ok(out) => version_of(out.attributes()),
            Err(e) => {
                let current = match e.as_service_error() {
                    Some(UpdateItemError::ConditionalCheckFailedException(c)) => c.item(),
                    _ => None,
                };
                match current {
                    Some(item) if item.get(WRITE_ID) == Some(&write_id) => {
                        tracing::debug!("a retried write met its own earlier attempt");
                        version_of(Some(item))
                    }
                    _ => Err(write_error("UpdateItem", &e)),
                }
            }
        }
    }

    async fn delete_one(&self, key: &RecordKey, condition: Condition) -> Result<u64, PortError> {
        check_key(key, "record key")?;
        let mut expr = Expr::default();
        let condition = expr.condition(condition);
        self.client
            .delete_item()
            .table_name(&*self.table)
            .set_key(Some(key_map(key)))
            .set_condition_expression(condition)
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .send()
            .await
            .map_err(|e| write_error("DeleteItem", &e))?;
        Ok(0)
    }

    async fn apply(&self, write: Write) -> Result<u64, PortError> {
        match write {
            Write::Put { record, condition } => self.put_one(record, condition).await,
            Write::Delete { key, condition } => self.delete_one(&key, condition).await,
        }
    }

    /// Unconditional deletes through `BatchWriteItem`, 25 at a time, the
    /// unprocessed ones retried; one answer per key, in order.
    async fn delete_unconditionally(&self, keys: Vec<RecordKey>) -> Vec<Result<u64, PortError>> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(BATCH_WRITE_MAX) {
            let result = self.batch_delete_chunk(chunk).await;
            match result {
                Ok(()) => out.extend(chunk.iter().map(|_| Ok(0))),
                Err(e) => {
                    let reason = e.to_string();
                    out.extend(
                        chunk
                            .iter()
                            .map(|_| Err(PortError::unavailable(PORT, &reason))),
                    );
                }
            }
        }
        out
    }

    async fn batch_delete_chunk(&self, chunk: &[RecordKey]) -> Result<(), PortError> {
        let mut pending: Vec<WriteRequest> = Vec::with_capacity(chunk.len());
        for key in chunk {
            let req = DeleteRequest::builder()
                .set_key(Some(key_map(key)))
                .build()
                .map_err(|_| {
                    PortError::unavailable(PORT, "BatchWriteItem: the request could not be built")
                })?;
            pending.push(WriteRequest::builder().delete_request(req).build());
        }
        let mut attempt = 0;
        loop {
            let out = self
                .client
                .batch_write_item()
                .request_items(self.table.to_string(), pending)
                .send()
                .await
                .map_err(|e| write_error("BatchWriteItem", &e))?;
            pending = out
                .unprocessed_items
                .and_then(|mut m| m.remove(&*self.table))
                .unwrap_or_default();
            if pending.is_empty() {
                return Ok(());
            }
            if attempt >= backoff::MAX_BATCH_RETRIES {
                return Err(PortError::unavailable(
                    PORT,
                    format!(
                        "BatchWriteItem: {} deletes still unprocessed after retries",
                        pending.len()
                    ),
                ));
            }
            tracing::debug!(
                unprocessed = pending.len(),
                attempt,
                "retrying unprocessed deletes"
            );
            backoff::sleep(attempt).await;
            attempt += 1;
        }
    }

    async fn query_pages(
        &self,
        pk: &str,
        range: &KeyRange,
        cursor: Option<&str>,
        limit: usize,
        index: bool,
    ) -> Result<Page, PortError> {
        let limit = page_size(limit)?;
        let start = cursor.map(|c| Cursor::decode(c, pk, index)).transpose()?;
        let (pk_attr, sk_attr) = if index { (GSI1PK, GSI1SK) } else { (PK, SK) };
        let mut expr = Expr::default();
        let Some(condition) = key_condition(&mut expr, pk_attr, sk_attr, pk, range) else {
            return Ok(Page::default());
        };
        let want = limit + 1;
        let mut records: Vec<Record> = Vec::new();
        let mut start_key = start.map(|c| c.start_key());
        // DynamoDB may stop early (1 MB per response); keep reading until
        // the page is full or the partition ends.
        loop {
            let mut q = self
                .client
                .query()
                .table_name(&*self.table)
                .key_condition_expression(&condition)
                .set_expression_attribute_names(expr.names())
                .set_expression_attribute_values(expr.values())
                .set_exclusive_start_key(start_key.take())
                .limit(i32::try_from(want - records.len()).unwrap_or(i32::MAX));
            if index {
                q = q.index_name(GSI1);
            } else {
                q = q.consistent_read(true);
            }
            let out = q.send().await.map_err(|e| read_error("Query", &e))?;
            for item in out.items.unwrap_or_default() {
                records.push(record_of(item)?);
            }
            match out.last_evaluated_key {
                Some(last) if records.len() < want => start_key = Some(last),
                _ => break,
            }
        }
        let next = if records.len() > limit {
            records.truncate(limit);
            let last = records
                .last()
                .ok_or_else(|| PortError::unavailable(PORT, "empty page"))?;
            Some(Cursor::after(last, index)?.encode())
        } else {
            None
        };
        Ok(Page { records, next })
    }
}

#[async_trait]
impl ItemStore for DynamoTable {
    async fn get(&self, key: &RecordKey) -> Result<Option<Record>, PortError> {
        check_key(key, "record key")?;
        let out = self
            .client
            .get_item()
            .table_name(&*self.table)
            .set_key(Some(key_map(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| read_error("GetItem", &e))?;
        out.item.map(record_of).transpose()
    }

    async fn put(&self, record: Record, condition: Condition) -> Result<u64, PortError> {
        self.put_one(record, condition).await
    }

    async fn delete(&self, key: &RecordKey, condition: Condition) -> Result<(), PortError> {
        self.delete_one(key, condition).await.map(|_| ())
    }

    async fn query(
        &self,
        pk: &str,
        range: &KeyRange,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page, PortError> {
        self.query_pages(pk, range, cursor, limit, false).await
    }

    async fn query_index(
        &self,
        pk: &str,
        range: &KeyRange,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page, PortError> {
        self.query_pages(pk, range, cursor, limit, true).await
    }

    async fn write_batch(
        &self,
        writes: Vec<Write>,
    ) -> Result<Vec<Result<u64, PortError>>, PortError> {
        let total = writes.len();
        let mut results: Vec<Option<Result<u64, PortError>>> = (0..total).map(|_| None).collect();
        let mut per_key: HashMap<RecordKey, usize> = HashMap::new();
        for w in &writes {
            let key = match w {
                Write::Put { record, .. } => &record.key,
                Write::Delete { key, .. } => key,
            };
            *per_key.entry(key.clone()).or_default() += 1;
        }
        // Unconditional deletes of keys named once: BatchWriteItem.
        let mut plain_deletes: Vec<(usize, RecordKey)> = Vec::new();
        // Everything else, grouped by key in batch order.
        let mut groups: Vec<Vec<(usize, Write)>> = Vec::new();
        let mut group_of: HashMap<RecordKey, usize> = HashMap::new();
        for (i, w) in writes.into_iter().enumerate() {
            let checked = match &w {
                Write::Put { record, .. } => check_record(record),
                Write::Delete { key, .. } => check_key(key, "record key"),
            };
            if let Err(e) = checked {
                results[i] = Some(Err(e));
                continue;
            }
            let key = match &w {
                Write::Put { record, .. } => record.key.clone(),
                Write::Delete { key, .. } => key.clone(),
            };
            match w {
                Write::Delete {
                    key,
                    condition: Condition::None,
                } if per_key[&key] == 1 => {
                    plain_deletes.push((i, key));
                }
                w => {
                    let g = *group_of.entry(key).or_insert_with(|| {
                        groups.push(Vec::new());
                        groups.len() - 1
                    });
                    groups[g].push((i, w));
                }
            }
        }
        let (indexes, keys): (Vec<usize>, Vec<RecordKey>) = plain_deletes.into_iter().unzip();
        let deletes = async {
            if keys.is_empty() {
                Vec::new()
            } else {
                indexes
                    .into_iter()
                    .zip(self.delete_unconditionally(keys).await)
                    .collect()
            }
        };
        let singles = stream::iter(groups)
            .map(|group| async move {
                let mut out = Vec::with_capacity(group.len());
                for (i, w) in group {
                    out.push((i, self.apply(w).await));
                }
                out
            })
            .buffer_unordered(BATCH_CONCURRENCY)
            .collect::<Vec<_>>();
        let (deleted, applied) = tokio::join!(deletes, singles);
        for (i, r) in deleted.into_iter().chain(applied.into_iter().flatten()) {
            results[i] = Some(r);
        }
        Ok(results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| Err(PortError::unavailable(PORT, "a write was not attempted")))
            })
            .collect())
    }
}

/// Creates a table of the shape [`DynamoTable`] needs — `pk`/`sk` strings,
/// GSI `gsi1` on `gsi1pk`/`gsi1sk` projecting everything, on-demand
/// billing, TTL on `expires_at` — and waits (bounded) until it is active.
/// A table that already exists is left as it is (its TTL is still turned
/// on), so local setups may call this at every start.
///
/// # Errors
/// [`AwsError`] if a call fails or the table does not become active.
pub async fn create_table(client: &Client, name: &str) -> Result<DynamoTable, AwsError> {
    let attr = |n: &str| {
        AttributeDefinition::builder()
            .attribute_name(n)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(|e| AwsError::Setup(format!("attribute definition: {e}")))
    };
    let key = |n: &str, t: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(n)
            .key_type(t)
            .build()
            .map_err(|e| AwsError::Setup(format!("key schema: {e}")))
    };
    let gsi = GlobalSecondaryIndex::builder()
        .index_name(GSI1)
        .key_schema(key(GSI1PK, KeyType::Hash)?)
        .key_schema(key(GSI1SK, KeyType::Range)?)
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build(),
        )
        .build()
        .map_err(|e| AwsError::Setup(format!("index: {e}")))?;
    let created = client
        .create_table()
        .table_name(name)
        .attribute_definitions(attr(PK)?)
        .attribute_definitions(attr(SK)?)
        .attribute_definitions(attr(GSI1PK)?)
        .attribute_definitions(attr(GSI1SK)?)
        .key_schema(key(PK, KeyType::Hash)?)
        .key_schema(key(SK, KeyType::Range)?)
        .global_secondary_indexes(gsi)
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await;
    if let Err(e) = created
        && !failure(&e).is("ResourceInUseException")
    {
        return Err(setup("DynamoDB CreateTable", &e));
    }
    let mut active = false;
    for _ in 0..120 {
        let out = client
            .describe_table()
            .table_name(name)
            .send()
            .await
            .map_err(|e| setup("DynamoDB DescribeTable", &e))?;
        let table = out.table;
        let table_active =
            table.as_ref().and_then(|t| t.table_status()) == Some(&TableStatus::Active);
        let indexes_active = table
            .as_ref()
            .map(|t| {
                t.global_secondary_indexes().iter().all(|g| {
                    g.index_status() == Some(&aws_sdk_dynamodb::types::IndexStatus::Active)
                })
            })
            .unwrap_or(false);
        if table_active && indexes_active {
            active = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    if !active {
        return Err(AwsError::Setup(format!(
            "table {name} did not become active in 60 s"
        )));
    }
    let ttl = client
        .describe_time_to_live()
        .table_name(name)
        .send()
        .await
        .map_err(|e| setup("DynamoDB DescribeTimeToLive", &e))?;
    let enabled = ttl
        .time_to_live_description()
        .and_then(|d| d.time_to_live_status())
        .is_some_and(|s| matches!(s, TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling));
    if !enabled {
        let spec = TimeToLiveSpecification::builder()
            .enabled(true)
            .attribute_name(EXPIRES_AT)
            .build()
            .map_err(|e| AwsError::Setup(format!("TTL: {e}")))?;
        client
            .update_time_to_live()
            .table_name(name)
            .time_to_live_specification(spec)
            .send()
            .await
            .map_err(|e| setup("DynamoDB UpdateTimeToLive", &e))?;
    }
    Ok(DynamoTable::new(client.clone(), name))
}
