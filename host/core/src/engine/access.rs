//! Access exports: everything held on a subject, labelled by category, as
//! JSON and CSV with their SHA-256, downloadable through expiring links,
//! destroyed when they expire or when the subject is erased.

use serde_json::json;

use super::downloads::{DIRECT_LINK_TTL, export_file};
use super::model::{CustomerHead, ExportFiles, PrivacyRequest, RequestStatus};
use super::redaction::kind_of;
use super::requests::request_key;
use super::{Engine, EngineError, decode, put_typed};
use crate::export::{ExportItem, render};
use crate::item::{FlatItem, flatten};
use crate::keys;
use crate::ports::{Condition, Notification, NotificationKind};
use crate::tenant::Tenant;

impl Engine {
    /// Builds and stores the access export of a request in `processing`,
    /// and completes it.
    pub(super) async fn fulfil_access(
        &self,
        tenant: &Tenant,
        request_id: &str,
        customers: &[String],
    ) -> Result<PrivacyRequest, EngineError> {
        let plugins = self.ports.plugins.plugins(&tenant.id).await?;
        let mut items: Vec<ExportItem> = Vec::new();
        for customer in customers {
            let state = self.load_customer(&tenant.id, customer).await?;
            let mut by_kind: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
            for (i, (record, _)) in state.items.iter().enumerate() {
                by_kind.entry(kind_of(record)).or_default().push(i);
            }
            let mut labelled: Vec<Option<ExportItem>> = vec![None; state.items.len()];
            for (kind, positions) in by_kind {
                let flat: Vec<FlatItem> = positions
                    .iter()
                    .map(|&i| flatten(&state.items[i].1.data))
                    .collect();
                let marks = plugins
                    .field_map
                    .classify(kind, &flat)
                    .map_err(|e| EngineError::Plugin(e.to_string()))?;
                for (i, marks) in positions.into_iter().zip(marks) {
                    let (record, envelope) = &state.items[i];
                    let id = keys::split_item_sk(&record.key.sk).map_or("", |(_, id)| id);
                    labelled[i] = Some(ExportItem {
                        kind: kind.to_string(),
                        id: id.to_string(),
                        data: envelope.data.clone(),
                        labels: marks.into_iter().map(|m| (m.path, m.category)).collect(),
                    });
                }
            }
            items.extend(labelled.into_iter().flatten());
        }
        let now = self.now();
        let rendered = render(request_id, now, &items);
        let prefix = keys::export_prefix(&tenant.id, request_id);
        let (json_key, csv_key) = (
            format!("{prefix}export.json"),
            format!("{prefix}export.csv"),
        );
        self.ports
            .blobs
            .put(
                &json_key,
                rendered.json.into(),
                "application/json",
                crate::ports::PutCondition::Any,
            )
            .await?;
        self.ports
            .blobs
            .put(
                &csv_key,
                rendered.csv.into(),
                "text/csv",
                crate::ports::PutCondition::Any,
            )
            .await?;
        for customer in customers {
            self.remember_export(&tenant.id, customer, request_id)
                .await?;
        }
        let (mut request, version) = self.request_versioned(&tenant.id, request_id).await?;
        let export_expires = now + self.config.export_ttl;
        request.export = Some(ExportFiles {
            json_key,
            json_sha256: rendered.json_sha256,
            csv_key,
            csv_sha256: rendered.csv_sha256,
            items: items.len() as u64,
            expires_at: export_expires,
            destroyed: false,
        });
        request.status = RequestStatus::Completed;
        request.completed_at = Some(now);
        let contact = request.contact.take();
        put_typed(
            self.ports.control.as_ref(),
            request_key(&tenant.id, request_id),
            &request,
            Condition::Version(version),
        )
        .await
        .map_err(|_| EngineError::Contention("request"))?;
        self.audit(
            &tenant.id,
            "system",
            "request.completed",
            request_id,
            json!({"kind": "access", "items": items.len()}),
        )
        .await?;
        if let Some(to) = contact {
            let expires = (now + self.config.download_link_ttl).min(export_expires);
            let link = self.download_url(tenant, request_id, "json", expires);
            self.ports
                .notifier
                .send(&Notification {
                    kind: NotificationKind::RequestCompleted,
                    to,
                    subject: "A copy of your personal data is ready".into(),
                    body: format!(
                        "The copy of your personal data you asked for (request {request_id}) is ready.\n\nDownload it within {} hours:\n\n{link}\n",
                        expires.duration_since(now).as_hours()
                    ),
                })
                .await?;
        }
        Ok(request)
    }

    /// A fresh direct link to a request's export file (`format` is `json`
    /// or `csv`), valid for [`DIRECT_LINK_TTL`]: for an operator's
    /// download, followed at once.
    ///
    /// # Errors
    /// [`EngineError::NotFound`] when the request has no live export.
    pub async fn export_link(
        &self,
        tenant_id: &str,
        request_id: &str,
        format: &str,
    ) -> Result<String, EngineError> {
        let request = self.request(tenant_id, request_id).await?;
        let now = self.now();
        let Some(export) = request
            .export
            .filter(|e| !e.destroyed && e.expires_at > now)
        else {
            return Err(EngineError::NotFound { what: "export" });
        };
        let key = export_file(&export, format)?;
        Ok(self
            .ports
            .blobs
            .download_link(key, now + DIRECT_LINK_TTL)
            .await?)
    }

    /// Destroys a request's export files (expiry, or the subject erased).
    pub(super) async fn destroy_export(
        &self,
        tenant_id: &str,
        request_id: &str,
    ) -> Result<(), EngineError> {
        for blob in self
            .ports
            .blobs
            .list(&keys::export_prefix(tenant_id, request_id))
            .await?
        {
            self.ports.blobs.delete(&blob.key).await?;
        }
        for _ in 0..16 {
            let Ok((mut request, version)) = self.request_versioned(tenant_id, request_id).await
            else {
                return Ok(());
            };
            match request.export.as_mut() {
                Some(e) if !e.destroyed => e.destroyed = true,
                _ => return Ok(()),
            }
            match put_typed(
                self.ports.control.as_ref(),
                request_key(tenant_id, request_id),
                &request,
                Condition::Version(version),
            )
            .await
            {
                Ok(_) => {
                    self.audit(
                        tenant_id,
                        "system",
                        "export.destroyed",
                        request_id,
                        json!({}),
                    )
                    .await?;
                    return Ok(());
                }
                Err(EngineError::Port(e)) if e.is_condition_failed() => continue,
                Err(e) => return Err(e),
            }
        }
        Err(EngineError::Contention("request"))
    }

    /// Notes on a customer's head that an export holds its data.
    async fn remember_export(
        &self,
        tenant_id: &str,
        customer: &str,
        request_id: &str,
    ) -> Result<(), EngineError> {
        let key = keys::head(tenant_id, customer);
        for _ in 0..16 {
            let Some(record) = self.ports.data.get(&key).await? else {
                return Ok(());
            };
            let mut head: CustomerHead = decode(&record)?;
            if head.exports.iter().any(|r| r == request_id) {
                return Ok(());
            }
            head.exports.push(request_id.to_string());
            match self
                .ports
                .data
                .put(
                    super::customers::head_record(tenant_id, customer, &head),
                    Condition::Version(record.version),
                )
                .await
            {
                Ok(_) => return Ok(()),
                Err(e) if e.is_condition_failed() => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(EngineError::Contention("customer head"))
    }
}
