//! The per-tenant hash chain: events, the head, append, list and verify.

use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{AuditError, Certificate, canonical_json};
use crate::keys;
use crate::ports::{Condition, ItemStore, KeyRange, PortError, Record};

/// The `prev_hash` of a tenant's first event, and the hash of an empty
/// chain: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How many times [`append`] tries before it gives up with
/// [`PortError::Unavailable`]. Each failed try means another appender
/// committed an event, so running out means sustained contention.
pub const MAX_APPEND_ATTEMPTS: u32 = 64;

/// The largest sequence number the 12-digit sort keys hold in order.
const MAX_SEQ: u64 = 999_999_999_999;

/// Domain separation for the event hash, so it can never equal a hash of
/// another Lethe structure.
const EVENT_DOMAIN: &[u8] = b"lethe-audit-event/1\0";

/// How many events one store query reads while walking the chain.
const PAGE: usize = 500;

/// One entry of a tenant's audit chain.
///
/// Holds no personal data (see the [module docs](super)): `actor` is an
/// operator or `system`, `target` a request, job or tenant id, `details`
/// counts, categories, versions and keyed subject references.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Position in the tenant's chain: 1, 2, 3, … without gaps.
    pub seq: u64,
    /// When it happened.
    pub at: Timestamp,
    /// Who did it: an operator's name or API key id, or `system`.
    pub actor: String,
    /// What was done, dotted: `request.completed`, `settings.updated`.
    pub action: String,
    /// What it was done to: a request, job or tenant id.
    pub target: String,
    /// Anything else worth keeping, free of personal data.
    pub details: Value,
    /// The hash of event `seq - 1`, or [`GENESIS`] for event 1.
    pub prev_hash: String,
    /// This event's [`event_hash`].
    pub hash: String,
}

impl AuditEvent {
    /// The hash this event's fields give, to compare with [`hash`](Self::hash).
    pub fn computed_hash(&self) -> String {
        event_hash(
            &self.prev_hash,
            self.seq,
            self.at,
            &self.actor,
            &self.action,
            &self.target,
            &self.details,
        )
    }

    /// The chain head this event makes: its sequence number and hash.
    pub fn chain_head(&self) -> ChainHead {
        ChainHead {
            seq: self.seq,
            hash: self.hash.clone(),
        }
    }
}

/// The latest event of a chain, by sequence number and hash: what a
/// [`Certificate`] pins. An empty chain's head is `0` and [`GENESIS`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    /// The latest event's sequence number; 0 when there is none.
    pub seq: u64,
    /// The latest event's hash; [`GENESIS`] when there is none.
    pub hash: String,
}

impl ChainHead {
    /// The head of an empty chain.
    pub fn genesis() -> ChainHead {
        ChainHead {
            seq: 0,
            hash: GENESIS.to_owned(),
        }
    }
}

impl Default for ChainHead {
    fn default() -> Self {
        ChainHead::genesis()
    }
}

/// The hash of an event: lowercase hex SHA-256 over an unambiguous encoding
/// of its fields.
///
/// The encoding is a domain tag (`lethe-audit-event/1` and a zero byte),
/// then each field in order: `prev_hash`; `seq` as 8 bytes big-endian;
/// `at` as its Unix second (8 bytes) and nanosecond (4 bytes) big-endian;
/// `actor`, `action`, `target`; and the [canonical JSON](canonical_json) of
/// `details`. Every text field is preceded by its byte length (8 bytes
/// big-endian), so no two different events encode alike: moving a byte
/// from `actor` to `action` changes the hash.
pub fn event_hash(
    prev_hash: &str,
    seq: u64,
    at: Timestamp,
    actor: &str,
    action: &str,
    target: &str,
    details: &Value,
) -> String {
    fn text(hasher: &mut Sha256, s: &str) {
        hasher.update((s.len() as u64).to_be_bytes());
        hasher.update(s.as_bytes());
    }
    let mut hasher = Sha256::new();
    hasher.update(EVENT_DOMAIN);
    text(&mut hasher, prev_hash);
    hasher.update(seq.to_be_bytes());
    hasher.update(at.as_second().to_be_bytes());
    hasher.update(at.subsec_nanosecond().to_be_bytes());
    text(&mut hasher, actor);
    text(&mut hasher, action);
    text(&mut hasher, target);
    text(&mut hasher, &canonical_json(details));
    hex::encode(hasher.finalize())
}

/// Appends an event to `tenant`'s chain in the control `store` and returns
/// it.
///
/// Safe with any number of concurrent appenders and across crashes (see the
/// [module docs](super#appending-concurrently-and-across-crashes)): the
/// event is committed once its record is written, and each event gets
/// exactly one sequence number. If this returns an error, the event was not
/// appended, *except* for an [`PortError::Unavailable`] from the store
/// itself, after which it may have been (as with any store write).
///
/// # Errors
///
/// - [`PortError::Unavailable`] after [`MAX_APPEND_ATTEMPTS`] tries lost to
///   other appenders, or when the store fails;
/// - [`PortError::Invalid`] when the head record or an event it must
///   repair over is not valid (the chain was changed outside Lethe; run
///   [`verify`]).
pub async fn append(
    store: &dyn ItemStore,
    tenant: &str,
    at: Timestamp,
    actor: &str,
    action: &str,
    target: &str,
    details: Value,
) -> Result<AuditEvent, PortError> {
    for attempt in 0..MAX_APPEND_ATTEMPTS {
        if attempt > 0 {
            back_off(attempt).await;
        }
        let (current, version) = read_head_record(store, tenant).await?;
        let seq = current.seq + 1;
        if seq > MAX_SEQ {
            return Err(PortError::invalid("audit", "the audit chain is full"));
        }
        let hash = event_hash(&current.hash, seq, at, actor, action, target, &details);
        let event = AuditEvent {
            seq,
            at,
            actor: actor.to_owned(),
            action: action.to_owned(),
            target: target.to_owned(),
            details: details.clone(),
            prev_hash: current.hash,
            hash,
        };
        let record = Record::new(keys::audit_event(tenant, seq), to_body(&event)?);
        match store.put(record, Condition::Absent).await {
            Ok(_) => {
                // Committed. Moving the head is an optimisation the next
                // append (or `head`) redoes if it does not happen here: a
                // lost race means another appender already moved it past
                // this event, and a failure leaves it one behind.
                let _ = put_head(store, tenant, &event.chain_head(), version).await;
                return Ok(event);
            }
            Err(e) if e.is_condition_failed() => {
                // Another appender took `seq`, or a crash left it behind the
                // head: move the head over what is there, then retry.
                repair(store, tenant, version).await?;
            }
            Err(e) => return Err(e),
        }
    }
    Err(PortError::unavailable(
        "audit",
        format!(
            "the audit chain stayed contended for {MAX_APPEND_ATTEMPTS} attempts; try again later"
        ),
    ))
}

/// The head of `tenant`'s chain: its latest event, or `0` and [`GENESIS`]
/// when it has none.
///
/// Reads the head record and follows any events written after it (the head
/// lags after a crash); does not write.
///
/// # Errors
///
/// A [`PortError`] from the store, or [`PortError::Invalid`] for a record
/// that is not valid.
pub async fn head(store: &dyn ItemStore, tenant: &str) -> Result<ChainHead, PortError> {
    let (recorded, _) = read_head_record(store, tenant).await?;
    follow(store, tenant, recorded).await
}

/// Up to `limit` events of `tenant`'s chain after sequence number
/// `after_seq`, in order. `list(store, t, 0, 100)` reads the first hundred;
/// pass the last `seq` read to read on.
///
/// Does not verify the events; [`verify`] does.
///
/// # Errors
///
/// A [`PortError`] from the store, or [`PortError::Invalid`] for a record
/// that is not a valid event.
pub async fn list(
    store: &dyn ItemStore,
    tenant: &str,
    after_seq: u64,
    limit: usize,
) -> Result<Vec<AuditEvent>, PortError> {
    let mut out = Vec::new();
    if limit == 0 || after_seq >= MAX_SEQ {
        return Ok(out);
    }
    let pk = keys::audit(tenant);
    let range = events_from(after_seq + 1);
    let mut cursor: Option<String> = None;
    while out.len() < limit {
        let page = store
            .query(
                &pk,
                &range,
                cursor.as_deref(),
                (limit - out.len()).min(PAGE),
            )
            .await?;
        for record in page.records {
            if out.len() == limit {
                break;
            }
            out.push(event_of(&record)?);
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(out)
}

/// Verifies `tenant`'s whole chain and returns its head.
///
/// Walks every event in order and checks that the sequence numbers run
/// 1, 2, 3, … without a gap, that each event is stored under its own
/// number, links to the hash of the one before it, and hashes to its
/// `hash`; then that the head record names an event of the chain with its
/// hash. A head record that lags behind the last event is accepted (it is
/// what a crash between an event and its head write leaves behind); one
/// that names a missing or different event is not.
///
/// Reads every event: run it from an operator's request or a nightly job,
/// not on every API call.
///
/// # Errors
///
/// [`AuditError::Broken`] naming the first event found wrong;
/// [`AuditError::Port`] if the store cannot be read.
pub async fn verify(store: &dyn ItemStore, tenant: &str) -> Result<ChainHead, AuditError> {
    // Read the head first: events are written before the head moves over
    // them, so every event the head names is already there for the walk,
    // even while other appenders keep writing.
    let recorded = store.get(&keys::audit_head(tenant)).await?;
    let walked = walk(store, tenant, None).await?;
    if let Some(record) = recorded {
        let recorded: ChainHead = serde_json::from_value(record.body)
            .map_err(|_| broken(walked.seq, "the head record is not a valid chain head"))?;
        check_pinned(store, tenant, &recorded, &walked, "the head record").await?;
    }
    Ok(walked)
}

/// Verifies a certificate against `store`: its signature under `key`, then
/// that the chain of `cert.tenant` holds together up to the event the
/// certificate names and that this event has the hash it records.
///
/// # Errors
///
/// [`AuditError::InvalidSignature`], [`AuditError::Broken`] (naming the
/// first event wrong up to the certificate's),
/// [`AuditError::HeadMismatch`], or [`AuditError::Port`].
pub async fn verify_certificate(
    store: &dyn ItemStore,
    cert: &Certificate,
    key: &[u8; 32],
) -> Result<(), AuditError> {
    if !cert.signature_valid(key) {
        return Err(AuditError::InvalidSignature);
    }
    let pinned = &cert.chain_head;
    let walked = walk(store, &cert.tenant, Some(pinned.seq)).await?;
    if walked.seq < pinned.seq {
        return Err(broken(walked.seq + 1, "the event is missing"));
    }
    if walked.hash != pinned.hash {
        return Err(AuditError::HeadMismatch { seq: pinned.seq });
    }
    Ok(())
}

/// Checks that `pinned` (from the head record) names an event of the
/// walked chain, with its hash.
async fn check_pinned(
    store: &dyn ItemStore,
    tenant: &str,
    pinned: &ChainHead,
    walked: &ChainHead,
    what: &str,
) -> Result<(), AuditError> {
    if pinned.seq > walked.seq {
        return Err(broken(
            pinned.seq,
            &format!("{what} names an event that does not exist"),
        ));
    }
    let hash = if pinned.seq == walked.seq {
        walked.hash.clone()
    } else if pinned.seq == 0 {
        GENESIS.to_owned()
    } else {
        // Verified by the walk; events never change once written.
        match store.get(&keys::audit_event(tenant, pinned.seq)).await? {
            Some(record) => {
                event_of(&record)
                    .map_err(|_| broken(pinned.seq, "the record is not a valid audit event"))?
                    .hash
            }
            None => return Err(broken(pinned.seq, "the event is missing")),
        }
    };
    if hash != pinned.hash {
        return Err(broken(
            pinned.seq,
            &format!("{what} records another hash for this event"),
        ));
    }
    Ok(())
}

/// Walks the chain from event 1, checking every event, up to `upto` (or
/// the end); returns the last event's head.
async fn walk(
    store: &dyn ItemStore,
    tenant: &str,
    upto: Option<u64>,
) -> Result<ChainHead, AuditError> {
    let pk = keys::audit(tenant);
    let range = KeyRange::Between(seq_key(0), seq_key(upto.unwrap_or(MAX_SEQ).min(MAX_SEQ)));
    let mut last = ChainHead::genesis();
    let mut cursor: Option<String> = None;
    loop {
        let page = store.query(&pk, &range, cursor.as_deref(), PAGE).await?;
        for record in &page.records {
            let expected = last.seq + 1;
            let at: u64 = match record.key.sk.parse() {
                Ok(at) if record.key.sk.len() == 12 => at,
                _ => {
                    return Err(broken(
                        expected,
                        "a record with a malformed key sits in the chain",
                    ));
                }
            };
            if at == 0 {
                return Err(broken(0, "an event is stored under number 0"));
            }
            if at != expected {
                // Keys come in order, so `at > expected`: `expected` is
                // missing.
                return Err(broken(expected, "the event is missing"));
            }
            let event = event_of(record)
                .map_err(|_| broken(at, "the record is not a valid audit event"))?;
            if event.seq != at {
                return Err(broken(
                    at,
                    "the event's sequence number differs from the one it is stored under",
                ));
            }
            if event.prev_hash != last.hash {
                return Err(broken(at, "the event does not link to the event before it"));
            }
            if event.computed_hash() != event.hash {
                return Err(broken(at, "the event's content does not match its hash"));
            }
            last = event.chain_head();
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(last),
        }
    }
}

fn broken(seq: u64, reason: &str) -> AuditError {
    AuditError::Broken {
        seq,
        reason: reason.to_owned(),
    }
}

/// The head record's head and version (`None` when there is no record).
async fn read_head_record(
    store: &dyn ItemStore,
    tenant: &str,
) -> Result<(ChainHead, Option<u64>), PortError> {
    match store.get(&keys::audit_head(tenant)).await? {
        None => Ok((ChainHead::genesis(), None)),
        Some(record) => {
            let head: ChainHead = serde_json::from_value(record.body).map_err(|_| {
                PortError::invalid("audit", "the audit head record is not a valid chain head")
            })?;
            Ok((head, Some(record.version)))
        }
    }
}

/// Follows the events after `from` to the last one there is.
async fn follow(
    store: &dyn ItemStore,
    tenant: &str,
    from: ChainHead,
) -> Result<ChainHead, PortError> {
    let mut last = from;
    while last.seq < MAX_SEQ {
        match store.get(&keys::audit_event(tenant, last.seq + 1)).await? {
            Some(record) => last = event_of(&record)?.chain_head(),
            None => break,
        }
    }
    Ok(last)
}

/// Moves the head record (read at `version`) over the events written after
/// it. Losing the race to another repairer or appender is fine.
async fn repair(
    store: &dyn ItemStore,
    tenant: &str,
    version: Option<u64>,
) -> Result<(), PortError> {
    // Re-read under the version we hold: if the head moved, someone else
    // repaired and the next attempt reads their head.
    let (current, now) = read_head_record(store, tenant).await?;
    if now != version {
        return Ok(());
    }
    let forward = follow(store, tenant, current.clone()).await?;
    if forward.seq == current.seq {
        return Ok(());
    }
    match put_head(store, tenant, &forward, version).await {
        Err(e) if !e.is_condition_failed() => Err(e),
        _ => Ok(()),
    }
}

/// Writes the head record, if it is still at `version` (absent for `None`).
async fn put_head(
    store: &dyn ItemStore,
    tenant: &str,
    head: &ChainHead,
    version: Option<u64>,
) -> Result<u64, PortError> {
    let condition = version.map_or(Condition::Absent, Condition::Version);
    let body = serde_json::to_value(head)
        .map_err(|_| PortError::invalid("audit", "the chain head could not be encoded"))?;
    store
        .put(Record::new(keys::audit_head(tenant), body), condition)
        .await
}

/// Waits a little, more after more lost races, with jitter so that
/// contending appenders spread out.
async fn back_off(attempt: u32) {
    if attempt < 2 {
        tokio::task::yield_now().await;
        return;
    }
    let cap_ms = 1u64 << attempt.min(6); // 4 ms, then up to 64 ms
    let jitter = getrandom::u64().unwrap_or(u64::from(attempt) * 7919);
    tokio::time::sleep(Duration::from_millis(jitter % (cap_ms + 1))).await;
}

fn to_body(event: &AuditEvent) -> Result<Value, PortError> {
    serde_json::to_value(event)
        .map_err(|_| PortError::invalid("audit", "the audit event could not be encoded"))
}

fn event_of(record: &Record) -> Result<AuditEvent, PortError> {
    serde_json::from_value(record.body.clone())
        .map_err(|_| PortError::invalid("audit", "an audit record is not a valid event"))
}

/// The sort key of event `seq`, as [`keys::audit_event`] writes it.
fn seq_key(seq: u64) -> String {
    format!("{seq:012}")
}

/// The range of event sort keys from `seq` on (the head's `head` key sorts
/// after every digit, so it is outside).
fn events_from(seq: u64) -> KeyRange {
    KeyRange::Between(seq_key(seq), seq_key(MAX_SEQ))
}
