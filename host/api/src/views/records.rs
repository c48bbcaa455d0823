//! A tenant's records: items to ingest, an IP whose log items go, and a
//! customer's items as read.

use std::collections::BTreeMap;

use jiff::Timestamp;
use lethe_core::engine::CustomerView as CoreCustomerView;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// Items to store.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IngestBody {
    /// 1 to 1,000 items: `{customer, kind, id, data, active_at?}` each.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<lethe_core::engine::IngestItem>,
}

/// What ingest did.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IngestResult {
    /// Items stored.
    pub stored: u64,
    /// Items stored with their personal data redacted (suppression `strip`).
    pub stripped: u64,
    /// Positions (0-based) of items refused (suppression `refuse`).
    pub refused: Vec<usize>,
}

/// An IP address whose log items are to be deleted.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IpDeletionBody {
    /// An IPv4 or IPv6 address.
    pub ip: String,
}

/// How many items were deleted.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DeletedCount {
    /// Items deleted.
    pub deleted: u64,
}

/// One item of a customer, as read.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ItemView {
    /// Entity kind.
    pub kind: String,
    /// Item id.
    pub id: String,
    /// The attributes (masked for the support role).
    #[schema(value_type = Object)]
    pub data: Value,
    /// Category of each personal-data attribute, by path.
    pub labels: BTreeMap<String, String>,
    /// When ingest stored it.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ingested_at: Option<Timestamp>,
    /// When it was redacted.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub redacted_at: Option<Timestamp>,
}

/// A customer's items, as read.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CustomerItemsView {
    /// The customer's keyed reference.
    pub subject: String,
    /// Last activity.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_active_at: Option<Timestamp>,
    /// When it was redacted.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub redacted_at: Option<Timestamp>,
    /// Whether personal data is masked (support role).
    pub masked: bool,
    /// The items.
    pub items: Vec<ItemView>,
}

impl From<CoreCustomerView> for CustomerItemsView {
    fn from(v: CoreCustomerView) -> Self {
        CustomerItemsView {
            subject: v.subject.0,
            last_active_at: v.last_active_at,
            redacted_at: v.redacted_at,
            masked: v.masked,
            items: v
                .items
                .into_iter()
                .map(|i| ItemView {
                    kind: i.kind,
                    id: i.id,
                    data: i.data,
                    labels: i.labels,
                    ingested_at: i.ingested_at,
                    redacted_at: i.redacted_at,
                })
                .collect(),
        }
    }
}
