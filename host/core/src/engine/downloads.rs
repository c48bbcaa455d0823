//! Export downloads: the link e-mailed to the subject, and the short-lived
//! link to the file itself.
//!
//! ```text
//!  mail: {public}/v1/downloads/{tenant}/{request}?format=json&token=…   (24 h, signed)
//!          │ open_download: token for this tenant, request and format? not expired?
//!          │                export still there? audit "export.downloaded"
//!          ▼
//!  302 → the blob store's own link to the file                          (10 min)
//!        (S3: a presigned GET; lethe serve: /blobs/…?expires=&sig=)
//! ```
//!
//! Why two links: the mailed link must work for as long as the mail says,
//! but an S3 link presigned with temporary credentials (a Lambda's role)
//! stops working when those credentials expire, whatever expiry it was
//! signed with, and that can be within the hour. So the mail carries a link
//! to the API, signed with the tenant's link key (see `link_token`), and
//! each time it is opened the API asks the blob store for a fresh link that
//! only has to last until the browser follows the redirect.

use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use super::model::ExportFiles;
use super::{Engine, EngineError, link_token};
use crate::tenant::Tenant;

/// How long a direct link to an export file works. It is handed out by a
/// redirect and followed at once, so minutes are plenty.
pub const DIRECT_LINK_TTL: SignedDuration = SignedDuration::from_mins(10);

/// What a download token is signed for: one format of one request's
/// export.
fn scope(request_id: &str, format: &str) -> String {
    format!("{request_id}/export.{format}")
}

/// The blob key of `format` (`json` or `csv`) of `export`.
pub(super) fn export_file<'a>(
    export: &'a ExportFiles,
    format: &str,
) -> Result<&'a str, EngineError> {
    match format {
        "json" => Ok(&export.json_key),
        "csv" => Ok(&export.csv_key),
        _ => Err(EngineError::Invalid(
            "the export format is \"json\" or \"csv\"".into(),
        )),
    }
}

impl Engine {
    /// The subject's link to `format` of a request's export, working until
    /// `expires`.
    pub(super) fn download_url(
        &self,
        tenant: &Tenant,
        request_id: &str,
        format: &str,
        expires: Timestamp,
    ) -> String {
        let token = link_token::sign(
            &tenant.keys().link,
            &tenant.id,
            &scope(request_id, format),
            expires,
        );
        format!(
            "{}/v1/downloads/{}/{request_id}?format={format}&token={token}",
            self.config.public_base_url, tenant.id
        )
    }

    /// Opens a subject's download link: a fresh direct link to the file,
    /// valid for [`DIRECT_LINK_TTL`]. Each opening is audited.
    ///
    /// # Errors
    /// [`EngineError::Link`]: `"not valid"` for a token that was not made
    /// for this tenant, request and format (or a request that does not
    /// exist); `"expired"` once the link or the export has expired, or the
    /// export was destroyed (the subject was erased).
    pub async fn open_download(
        &self,
        tenant_id: &str,
        request_id: &str,
        format: &str,
        token: &str,
    ) -> Result<String, EngineError> {
        let tenant = self
            .tenant(tenant_id)
            .await
            .map_err(|_| EngineError::Link("not valid"))?;
        let expires = link_token::check(
            &tenant.keys().link,
            tenant_id,
            &scope(request_id, format),
            token,
        )
        .ok_or(EngineError::Link("not valid"))?;
        let now = self.now();
        if now > expires {
            return Err(EngineError::Link("expired"));
        }
        let request = self
            .request(tenant_id, request_id)
            .await
            .map_err(|_| EngineError::Link("not valid"))?;
        let export = request.export.ok_or(EngineError::Link("not valid"))?;
        if export.destroyed || export.expires_at <= now {
            return Err(EngineError::Link("expired"));
        }
        let key = export_file(&export, format)?;
        let link = self
            .ports
            .blobs
            .download_link(key, now + DIRECT_LINK_TTL)
            .await?;
        self.audit(
            tenant_id,
            "subject",
            "export.downloaded",
            request_id,
            json!({ "format": format }),
        )
        .await?;
        Ok(link)
    }
}
