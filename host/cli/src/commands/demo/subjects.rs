//! The demo's single-subject steps: an access request with its export,
//! an erasure with its certificate, and the search that shows the person
//! gone.

use std::time::Instant;

use anyhow::{Context, anyhow, ensure};
use lethe_core::audit;
use lethe_core::engine::NewRequest;
use lethe_core::engine::model::{RequestKind, RequestStatus, SubjectBy};
use lethe_core::ports::{NotificationKind, read_all};
use lethe_core::tenant::Tenant;
use lethe_synth::Customer;

use super::{Demo, Known, OPERATOR, TENANT, contains_token, ms, print_certificate, step};
use crate::table;

impl Demo<'_> {
    /// Step 3 (a): an access request, its export and who may fetch it.
    pub(super) async fn access(&self, tenant: &Tenant, k: &Known) -> anyhow::Result<()> {
        step("3. (a) An access request");
        let engine = &self.node.engine;
        let started = Instant::now();
        let (request, _) = engine
            .create_request(
                TENANT,
                NewRequest {
                    kind: RequestKind::Access,
                    subject: SubjectBy::Email(k.customer.email.clone()),
                    contact: None,
                },
                OPERATOR,
            )
            .await
            .context("the access request failed")?;
        println!(
            "{} asked, by e-mail address, for a copy of their data: request {} is {} after {} \
             (automatic handling).",
            self.who(tenant, k),
            request.id,
            request.status.as_str(),
            ms(started)
        );
        let export = request
            .export
            .as_ref()
            .ok_or_else(|| anyhow!("the access request completed without an export"))?;
        let subjects: Vec<String> = request.subjects.iter().map(ToString::to_string).collect();
        let root = self.node.local.blobs.root();
        table::print(
            &["export", "value"],
            &[
                vec!["subjects found".into(), subjects.join(", ")],
                vec!["items".into(), export.items.to_string()],
                vec!["JSON sha256".into(), export.json_sha256.clone()],
                vec!["CSV sha256".into(), export.csv_sha256.clone()],
                vec![
                    "JSON file".into(),
                    root.join(&export.json_key).display().to_string(),
                ],
                vec![
                    "CSV file".into(),
                    root.join(&export.csv_key).display().to_string(),
                ],
                vec!["expires".into(), table::time(Some(export.expires_at))],
            ],
        );
        println!(
            "The subject was e-mailed a download link that expires in 24 hours (see the \
             mailbox); every item is labelled with the categories of its fields."
        );
        Ok(())
    }

    /// Step 4 (b): an erasure, its certificate, and the search that no
    /// longer finds the person.
    pub(super) async fn erasure(&self, tenant: &Tenant, k: &Known) -> anyhow::Result<()> {
        step("4. (b) An erasure request");
        let engine = &self.node.engine;
        let (request, link) = engine
            .create_request(
                TENANT,
                NewRequest {
                    kind: RequestKind::Erasure,
                    subject: SubjectBy::Email(k.customer.email.clone()),
                    contact: None,
                },
                OPERATOR,
            )
            .await
            .context("the erasure request failed")?;
        let link = link.ok_or_else(|| anyhow!("an erasure request came without a link"))?;
        println!(
            "{} asked to be erased: request {} is {}; nothing happens until the subject \
             confirms through the link e-mailed to them.",
            self.who(tenant, k),
            request.id,
            request.status.as_str()
        );
        // Read the link back from the mailbox, as the subject would.
        let mail = self
            .node
            .local
            .mailbox
            .messages()
            .into_iter()
            .rev()
            .find(|m| m.kind == Some(NotificationKind::Verification) && m.body.contains(&link.url))
            .ok_or_else(|| anyhow!("the verification e-mail is not in the mailbox"))?;
        let url = mail
            .body
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("http"))
            .ok_or_else(|| anyhow!("the verification e-mail holds no link"))?;
        let (base, token) = url
            .split_once("?token=")
            .ok_or_else(|| anyhow!("the verification link has no token"))?;
        println!(
            "The mailbox holds the e-mail ({}); its link is {base}?token=… (the token is \
             signed with the tenant's link key, expires in 72 hours, works once).",
            mail.path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        let started = Instant::now();
        let verified = engine
            .verify_request(TENANT, &link.request, token)
            .await
            .context("the verification link was refused")?;
        let job_id = verified
            .job
            .clone()
            .ok_or_else(|| anyhow!("the verified erasure has no job"))?;
        println!(
            "Link opened: the request is {}, carried out by job {job_id}.",
            verified.status.as_str()
        );
        self.node.drain(self.workers, |_| {}).await?;
        let done = engine.request(TENANT, &request.id).await?;
        let job = engine.job(TENANT, &job_id).await?;
        println!(
            "The workers ran the job: it is {}; the request is {} after {}.",
            job.status.as_str(),
            done.status.as_str(),
            ms(started)
        );
        ensure!(
            done.status == RequestStatus::Completed,
            "the erasure did not complete: {}",
            done.error.as_deref().unwrap_or("no reason given")
        );
        let cert = done
            .certificate
            .as_ref()
            .ok_or_else(|| anyhow!("the completed erasure has no certificate"))?;
        audit::verify_certificate(
            engine.ports().control.as_ref(),
            cert,
            &tenant.keys().certificate,
        )
        .await
        .context("the erasure certificate does not verify")?;
        println!(
            "Certificate {} verified: its signature holds under the tenant's key and the \
             audit chain still holds event {} with the hash it pins.",
            cert.id, cert.chain_head.seq
        );
        print_certificate(&cert.counts, &cert.categories);
        let (records, blobs) = self.search(&k.customer).await?;
        println!(
            "Checked: the customer's e-mail, phone, card number and IP address appear in none \
             of the {records} records of the data and control tables, nor in the {blobs} \
             files of the blob store (the dataset file included)."
        );
        Ok(())
    }

    /// Searches every table record and blob for the customer's unique
    /// values (e-mail, phone, card, IP; names repeat between customers).
    /// Returns how many records and files were searched.
    async fn search(&self, c: &Customer) -> anyhow::Result<(usize, usize)> {
        let card = c
            .pii
            .iter()
            .find(|v| v.len() == 16 && v.bytes().all(|b| b.is_ascii_digit()))
            .cloned();
        let ip = c.pii.iter().find(|v| v.starts_with("2001:db8::")).cloned();
        let needles: Vec<String> = [
            Some(c.email.to_lowercase()),
            Some(c.phone.clone()),
            card,
            ip,
        ]
        .into_iter()
        .flatten()
        .collect();
        let found = |text: &str| {
            let lower = text.to_lowercase();
            needles
                .iter()
                .any(|n| contains_token(&lower, &n.to_lowercase()))
        };
        let mut records = 0;
        for table in [&self.node.local.data, &self.node.local.control] {
            for r in table.scan_all()? {
                records += 1;
                let text = format!("{} {} {}", r.key.pk, r.key.sk, r.body);
                ensure!(
                    !found(&text),
                    "an erased customer's value is still stored (a record of the {} table)",
                    table.name()
                );
            }
        }
        let mut blobs = 0;
        for meta in self.node.engine.ports().blobs.list("").await? {
            blobs += 1;
            let (_, bytes) = read_all(self.node.engine.ports().blobs.as_ref(), &meta.key).await?;
            ensure!(
                !found(&String::from_utf8_lossy(&bytes)),
                "an erased customer's value is still in the blob store"
            );
        }
        Ok((records, blobs))
    }
}
