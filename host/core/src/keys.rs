//! Where everything lives: the partition and sort keys of both tables and
//! the blob keys, in one place.
//!
//! Two tables, as in the design brief: the **data** table holds the tenant's
//! customer items and the indexes over them; the **control** table holds
//! tenants, settings, requests, jobs, audit events and suppression entries.
//! Keys start with `T#{tenant}#`, so one tenant's keys never overlap
//! another's; tenant ids are validated (`[a-z0-9-]`, see [`crate::tenant`]).
//!
//! Customer ids are the tenant's own and may be personal data (an e-mail);
//! they appear in data-table keys (as DynamoDB requires) but never in
//! control records, logs or errors: those name customers by
//! [`SubjectRef`](crate::lookup::SubjectRef), a keyed hash.
//!
//! | table   | pk                      | sk                       | what |
//! |---------|-------------------------|--------------------------|------|
//! | data    | `T#t#C#{customer}`      | `{kind}#{id}`            | a customer's item |
//! | data    | `T#t#C#{customer}`      | `#head`                  | the customer's head: activity, lookups, redaction state |
//! | data    | `T#t#L#{hmac}`          | `C#{customer}` / `I#…`   | lookup: e-mail, phone, name or IP hash -> customer / item |
//! | index   | `T#t#IA#{shard}`        | `{last active}#…`        | sparse: customers that may go inactive |
//! | index   | `T#t#X#{shard}`         | `{expires, 12 digits}#…` | sparse: items with a retention deadline |
//! | control | `T#t`                   | `tenant`                 | the tenant and its settings (index: `REGION#{r}`) |
//! | control | `T#t#REQ`               | `{request}`              | privacy requests |
//! | control | `T#t#JOB`               | `{job}`                  | jobs (ids sort by creation time) |
//! | control | `T#t#JOB#{job}`         | `chunk#{n}` / `fail#{n}` | chunk results, failures |
//! | control | `T#t#NIGHT`             | `{kind}#{date}`          | one nightly run per tenant, kind and night |
//! | control | `T#t#AUDIT`             | `{seq, 12 digits}` / `head` | the audit hash chain |
//! | control | `T#t#SUP`               | `{hmac}`                 | suppression: erased subjects' identifier hashes |
//! | control | `T#t#KEY`               | `{key id}`               | API keys: SHA-256 of the key, role, label |
//! | control | `T#t#PLUGIN`            | `{name}`                 | a plugin's active version and activation history |
//! | control | `T#t#PLUGIN#{name}`     | `{sha256}`               | a plugin's uploaded versions (blob `plugins/{t}/{name}/{sha256}.wasm`) |
//! | control | `ARTIFACT#{engine}`     | `{module sha256}`        | the trust record of a precompiled plugin (blob `artifacts/{engine}/{module sha256}.cwasm`): the SHA-256 its bytes must have |
//!
//! Precompiled artifacts are not tenant data: they are keyed by the
//! component's SHA-256 and the sandbox's engine-compatibility hash (both
//! 64 lowercase hex), shared by every tenant that uploaded the same bytes,
//! and the `ARTIFACT#` partitions cannot collide with a tenant's `T#`
//! ones.

use crate::ports::RecordKey;

/// How many shards the sparse indexes spread one tenant over, so no tenant
/// has a hot index partition.
pub const INDEX_SHARDS: u32 = 8;

/// Sort key of a customer's head record.
pub const HEAD_SK: &str = "#head";

/// Partition of one customer's items.
pub fn customer(tenant: &str, customer: &str) -> String {
    format!("T#{tenant}#C#{customer}")
}

/// A customer's item.
pub fn item(tenant: &str, customer_id: &str, kind: &str, id: &str) -> RecordKey {
    RecordKey::new(customer(tenant, customer_id), format!("{kind}#{id}"))
}

/// A customer's head record.
pub fn head(tenant: &str, customer_id: &str) -> RecordKey {
    RecordKey::new(customer(tenant, customer_id), HEAD_SK)
}

/// Splits an item sort key into kind and id.
pub fn split_item_sk(sk: &str) -> Option<(&str, &str)> {
    if sk == HEAD_SK {
        return None;
    }
    sk.split_once('#')
}

/// Partition of the lookup entries for one identifier hash.
pub fn lookup(tenant: &str, hash: &str) -> String {
    format!("T#{tenant}#L#{hash}")
}

/// The shard (0..[`INDEX_SHARDS`]) a key belongs to, stable across runs.
pub fn shard_of(text: &str) -> u32 {
    // FNV-1a: tiny, stable, and spreads ids evenly enough for 8 shards.
    let mut hash: u32 = 0x811c_9dc5;
    for byte in text.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash % INDEX_SHARDS
}

/// Index partition of inactivity candidates, one shard.
pub fn inactivity_index(tenant: &str, shard: u32) -> String {
    format!("T#{tenant}#IA#{shard}")
}

/// Index partition of items with a retention deadline, one shard.
pub fn expiry_index(tenant: &str, shard: u32) -> String {
    format!("T#{tenant}#X#{shard}")
}

/// A tenant's own record (control table).
pub fn tenant(tenant: &str) -> RecordKey {
    RecordKey::new(format!("T#{tenant}"), "tenant")
}

/// Index partition listing the tenants of a region.
pub fn region_index(region: &str) -> String {
    format!("REGION#{region}")
}

/// Partition of a tenant's privacy requests.
pub fn requests(tenant: &str) -> String {
    format!("T#{tenant}#REQ")
}

/// Partition of a tenant's jobs.
pub fn jobs(tenant: &str) -> String {
    format!("T#{tenant}#JOB")
}

/// Partition of one job's chunk results and failures.
pub fn job_detail(tenant: &str, job: &str) -> String {
    format!("T#{tenant}#JOB#{job}")
}

/// Marker of one nightly run.
pub fn night(tenant: &str, kind: &str, date: &str) -> RecordKey {
    RecordKey::new(format!("T#{tenant}#NIGHT"), format!("{kind}#{date}"))
}

/// Partition of a tenant's audit chain.
pub fn audit(tenant: &str) -> String {
    format!("T#{tenant}#AUDIT")
}

/// One audit event.
pub fn audit_event(tenant: &str, seq: u64) -> RecordKey {
    RecordKey::new(audit(tenant), format!("{seq:012}"))
}

/// The head of a tenant's audit chain.
pub fn audit_head(tenant: &str) -> RecordKey {
    RecordKey::new(audit(tenant), "head")
}

/// One suppression entry.
pub fn suppression(tenant: &str, hash: &str) -> RecordKey {
    RecordKey::new(format!("T#{tenant}#SUP"), hash)
}

/// Blob prefix of a request's export.
pub fn export_prefix(tenant: &str, request: &str) -> String {
    format!("exports/{tenant}/{request}/")
}

/// Blob key of an uploaded id list for a job.
pub fn upload(tenant: &str, job: &str) -> String {
    format!("uploads/{tenant}/{job}.ids")
}

/// Blob prefix of a tenant's datasets.
pub fn datasets(tenant: &str) -> String {
    format!("datasets/{tenant}/")
}

/// Partition of a tenant's API keys (control table; sort key = key id).
pub fn api_keys(tenant: &str) -> String {
    format!("T#{tenant}#KEY")
}

/// One API key's record (control table): its SHA-256, role and label.
pub fn api_key(tenant: &str, key_id: &str) -> RecordKey {
    RecordKey::new(api_keys(tenant), key_id)
}

/// Partition of a tenant's plugins (control table; sort key = plugin name):
/// the active version and the activation history of each.
pub fn plugins(tenant: &str) -> String {
    format!("T#{tenant}#PLUGIN")
}

/// Partition of one plugin's uploaded versions (sort key = SHA-256).
pub fn plugin_versions(tenant: &str, name: &str) -> String {
    format!("T#{tenant}#PLUGIN#{name}")
}

/// Blob key of an uploaded plugin component.
pub fn plugin_blob(tenant: &str, name: &str, sha256: &str) -> String {
    format!("plugins/{tenant}/{name}/{sha256}.wasm")
}

/// The control record that says which bytes a precompiled plugin artifact
/// must hash to: partition `ARTIFACT#{engine}` (the sandbox's
/// engine-compatibility hash), sort key the component's SHA-256.
pub fn artifact_record(engine: &str, module_sha256: &str) -> RecordKey {
    RecordKey::new(format!("ARTIFACT#{engine}"), module_sha256)
}

/// Blob key of a precompiled plugin artifact, by engine-compatibility hash
/// and component SHA-256.
pub fn artifact_blob(engine: &str, module_sha256: &str) -> String {
    format!("artifacts/{engine}/{module_sha256}.cwasm")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_stable_and_in_range() {
        assert_eq!(shard_of("cust-1"), shard_of("cust-1"));
        let mut seen = [0u32; INDEX_SHARDS as usize];
        for i in 0..8000 {
            seen[shard_of(&format!("cust-{i}")) as usize] += 1;
        }
        assert!(seen.iter().all(|&n| n > 700), "{seen:?}");
    }

    #[test]
    fn item_sort_keys_split() {
        assert_eq!(split_item_sk("order#o#1"), Some(("order", "o#1")));
        assert_eq!(split_item_sk(HEAD_SK), None);
    }
}
