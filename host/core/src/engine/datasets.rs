//! Rewriting a tenant's dataset files (CSV, JSON Lines) in the blob store
//! for the subjects of a redaction chunk: step 3 of
//! [`redaction`](super::redaction).
//!
//! Each file is streamed through [`rewrite_dataset`] on a blocking thread,
//! from one temporary file into another, so memory stays bounded whatever
//! the file's size. A file is written back only if a row changed, and only
//! over the version that was read: a file changed meanwhile is a transient
//! [`EngineError::Contention`], so the chunk runs again instead of
//! overwriting the other write.

use super::{Engine, EngineError};
use crate::Subject;
use crate::dataset::{DatasetError, DatasetFormat, DatasetOutcome, rewrite_dataset};
use crate::keys;
use crate::ports::{BlobMeta, PortError, PutCondition, TenantPlugins};
use crate::tenant::Tenant;

impl Engine {
    /// Rewrites every dataset file of the tenant for these subjects.
    /// Returns how many rows were removed or scrubbed.
    pub(super) async fn rewrite_datasets(
        &self,
        tenant: &Tenant,
        plugins: &TenantPlugins,
        subjects: &[Subject],
    ) -> Result<u64, EngineError> {
        let files = self.ports.blobs.list(&keys::datasets(&tenant.id)).await?;
        let mut rows = 0;
        for file in files {
            let Some(format) = DatasetFormat::from_key(&file.key) else {
                continue;
            };
            let (meta, outcome, rewritten) = self
                .rewrite_one_dataset(tenant, plugins, subjects, &file.key, format)
                .await?;
            if outcome.removed + outcome.scrubbed == 0 {
                continue;
            }
            match self
                .ports
                .blobs
                .put_file(
                    &file.key,
                    rewritten.path(),
                    format.content_type(),
                    PutCondition::Matches(meta.etag),
                )
                .await
            {
                Ok(_) => rows += outcome.removed + outcome.scrubbed,
                Err(e) if e.is_condition_failed() => {
                    return Err(EngineError::Contention("dataset file"));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(rows)
    }

    /// Streams one dataset object through [`rewrite_dataset`]: downloaded
    /// to a temporary file, rewritten row by row on a blocking thread into
    /// another, so memory stays bounded whatever the object's size.
    async fn rewrite_one_dataset(
        &self,
        tenant: &Tenant,
        plugins: &TenantPlugins,
        subjects: &[Subject],
        key: &str,
        format: DatasetFormat,
    ) -> Result<(BlobMeta, DatasetOutcome, tempfile::NamedTempFile), EngineError> {
        let io = |e: std::io::Error| {
            EngineError::Port(PortError::unavailable("dataset scratch space", e))
        };
        let (meta, mut reader) = self.ports.blobs.get(key).await?;
        let input = tempfile::NamedTempFile::new().map_err(io)?;
        let mut file = tokio::fs::File::from_std(input.reopen().map_err(io)?);
        tokio::io::copy(&mut reader, &mut file).await.map_err(io)?;
        tokio::io::AsyncWriteExt::flush(&mut file)
            .await
            .map_err(io)?;
        let output = tempfile::NamedTempFile::new().map_err(io)?;
        let (in_file, out_file) = (input.reopen().map_err(io)?, output.reopen().map_err(io)?);
        let (mode, policy, pseudonym) = (
            tenant.settings.datasets,
            tenant.settings.policy.clone(),
            tenant.keys().pseudonym,
        );
        let (scanner, subjects) = (plugins.scrubber.clone(), subjects.to_vec());
        let outcome = tokio::task::spawn_blocking(move || {
            let mut writer = std::io::BufWriter::new(out_file);
            let outcome = rewrite_dataset(
                format,
                mode,
                std::io::BufReader::new(in_file),
                &mut writer,
                &subjects,
                scanner.as_ref(),
                &policy,
                &pseudonym,
            )?;
            std::io::Write::flush(&mut writer).map_err(DatasetError::Io)?;
            Ok::<_, DatasetError>(outcome)
        })
        .await
        .map_err(|e| EngineError::Invalid(format!("the dataset rewrite stopped: {e}")))?
        .map_err(|e| {
            EngineError::Invalid(format!(
                "dataset file {key} could not be rewritten ({e}); fix or remove the file, then run the job again"
            ))
        })?;
        drop(input);
        Ok((meta, outcome, output))
    }
}
