//! Lethe on AWS, end to end: the three function binaries, driven through the
//! Lambda runtime protocol with real event payloads, over DynamoDB, S3, SQS
//! and SESv2 on a moto server.
//!
//! ```text
//! scripts/with-moto.sh cargo test -p lethe-lambda --features moto-tests
//! ```

#[cfg(not(feature = "moto-tests"))]
#[test]
fn moto_suite_needs_the_feature() {
    if let Ok(endpoint) = std::env::var("LETHE_AWS_ENDPOINT") {
        panic!(
            "LETHE_AWS_ENDPOINT is set ({endpoint}) but the Lambda tests are not built: add \
             `--features moto-tests`"
        );
    }
}

#[cfg(feature = "moto-tests")]
mod support;

#[cfg(feature = "moto-tests")]
mod moto {
    use std::sync::Arc;
    use std::time::Duration;

    use bytes::Bytes;
    use jiff::{SignedDuration, Timestamp};
    use lethe_core::engine::IngestItem;
    use lethe_core::keys;
    use lethe_core::ports::{
        BlobStore, ItemStore, KeyRange, ManualClock, PutCondition, query_all, read_all,
    };
    use lethe_core::tenant::AutoRedact;
    use lethe_core::tenant::{Region, Settings};
    use lethe_synth::{Customer, Synth};
    use serde_json::{Value, json};

    use super::support::{Running, World, call, drain, http_event, link_in, sent_mail};

    const DAY: i64 = 24;

    /// Seeds `customers` for `tenant` through the in-process engine, on a
    /// clock 30 days back: their `log` items (kept 7 days) are past
    /// retention now. Customer `n` was last active `days_ago(n)` days
    /// before the real now.
    async fn seed(
        world: &World,
        tenant: &str,
        region: Region,
        count: u64,
        days_ago: impl Fn(u64) -> i64,
    ) -> (String, Vec<Customer>) {
        let now = Timestamp::now();
        let clock = Arc::new(ManualClock::new(now - SignedDuration::from_hours(30 * DAY)));
        let stack = world.stack(clock).await;
        let settings = Settings {
            auto_redact: AutoRedact::AfterDays(30),
            region,
            ..Settings::default()
        };
        let (_, key) = stack
            .engine
            .bootstrap_tenant(tenant, tenant, settings, "tests")
            .await
            .expect("tenant");
        let customers: Vec<Customer> = Synth::new(7).customers(count, now, days_ago).collect();
        let items: Vec<IngestItem> = customers.iter().flat_map(|c| c.items.clone()).collect();
        let outcome = stack.engine.ingest(tenant, items).await.expect("ingest");
        assert!(outcome.refused.is_empty());
        (key.key, customers)
    }

    /// Every stored record of a customer (its partition): sort key and body.
    async fn customer_records(world: &World, tenant: &str, customer: &str) -> Vec<(String, Value)> {
        let stack = world.stack(Arc::new(lethe_core::ports::SystemClock)).await;
        query_all(
            stack.aws.data.as_ref(),
            &keys::customer(tenant, customer),
            &KeyRange::All,
        )
        .await
        .expect("query")
        .iter()
        .map(|r| (r.key.sk.clone(), r.body.clone()))
        .collect()
    }

    /// Every stored record of a customer, as one text.
    async fn customer_text(world: &World, tenant: &str, customer: &str) -> String {
        customer_records(world, tenant, customer)
            .await
            .iter()
            .map(|(sk, body)| format!("{sk} {body}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    async fn head(world: &World, tenant: &str, customer: &str) -> Value {
        let stack = world.stack(Arc::new(lethe_core::ports::SystemClock)).await;
        stack
            .aws
            .data
            .get(&keys::head(tenant, customer))
            .await
            .expect("get head")
            .map(|r| r.body)
            .unwrap_or(Value::Null)
    }

    async fn wait_status(
        api: &Running,
        key: &str,
        request: &str,
        want: &str,
        worker: &Running,
        world: &World,
    ) {
        for _ in 0..30 {
            let (status, body) = call(
                api,
                "GET",
                &format!("/v1/requests/{request}"),
                Some(key),
                None,
            )
            .await;
            assert_eq!(status, 200, "{body}");
            if body["status"] == want {
                return;
            }
            drain(world, worker, 50).await;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("request {request} never became {want}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_erasure_through_the_functions_reaches_dynamodb_and_s3_and_the_night_is_eu_only() {
        let world = World::create("e2e").await;
        // Customer 0 is the subject; 1 and 2 inactive for 45 days; the rest active.
        let inactive = |n: u64| if n == 1 || n == 2 { 45 } else { 2 };
        let (key, customers) = seed(&world, "acme", Region::Eu, 6, inactive).await;
        let (_us_key, us_customers) = seed(&world, "globex", Region::Us, 4, inactive).await;
        let subject = &customers[0];
        let kept = &customers[4];

        // A dataset holding the subject's row and another customer's.
        let stack = world.stack(Arc::new(lethe_core::ports::SystemClock)).await;
        let dataset_key = format!("{}crm.csv", keys::datasets("acme"));
        let other_row = format!("{},{},gold\n", kept.id, kept.email);
        let csv = format!(
            "id,email,tier\n{},{},silver\n{other_row}",
            subject.id, subject.email
        );
        stack
            .aws
            .blobs
            .put(
                &dataset_key,
                Bytes::from(csv),
                "text/csv",
                PutCondition::Any,
            )
            .await
            .expect("dataset");

        let api = Running::start("api", world.function_env()).await;
        let worker = Running::start("worker", world.function_env()).await;

        // Access: the export lands in S3.
        let (status, access) = call(
            &api,
            "POST",
            "/v1/requests",
            Some(&key),
            Some(&json!({"kind": "access", "subject": {"by": "email", "value": subject.email}})),
        )
        .await;
        assert_eq!(status, 201, "{access}");
        let access_id = access["id"].as_str().expect("id").to_string();
        wait_status(&api, &key, &access_id, "completed", &worker, &world).await;
        let export_prefix = keys::export_prefix("acme", &access_id);
        let exports = stack.aws.blobs.list(&export_prefix).await.expect("list");
        assert!(!exports.is_empty(), "the access export is in S3");
        let (_, export) = read_all(stack.aws.blobs.as_ref(), &exports[0].key)
            .await
            .expect("export");
        assert!(
            String::from_utf8_lossy(&export).contains(&subject.email),
            "the export holds the subject's data"
        );
        // The subject's mailed link, through the api function: a redirect
        // to a fresh presigned S3 link, which serves the export.
        let mail = sent_mail(&world, &subject.email).await;
        let download = mail
            .iter()
            .find_map(|(_, body)| {
                link_in(body).filter(|l| l.starts_with("/v1/downloads/") && l.contains(&access_id))
            })
            .expect("a download link was e-mailed to the subject");
        let opened = api
            .invoke(
                &http_event("GET", &download, None, None),
                Duration::from_secs(60),
            )
            .await;
        assert_eq!(opened.response["statusCode"], 302, "{}", opened.response);
        let location = opened.response["headers"]["location"]
            .as_str()
            .expect("a Location");
        assert!(
            location.starts_with(&world.endpoint) && location.contains("X-Amz-Signature="),
            "not a presigned S3 link: {location}"
        );
        let fetched = reqwest::get(location)
            .await
            .expect("GET the presigned link");
        assert_eq!(fetched.status(), 200);
        let fetched = fetched.bytes().await.expect("body");
        assert!(exports.iter().any(|e| e.key.ends_with("export.json")));
        let (_, json) = read_all(
            stack.aws.blobs.as_ref(),
            &format!("{export_prefix}export.json"),
        )
        .await
        .expect("export.json");
        assert_eq!(fetched.as_ref(), json.as_slice());

        // Erasure: submitted, verified through the e-mailed link, processed.
        let (status, erasure) = call(
            &api,
            "POST",
            "/v1/requests",
            Some(&key),
            Some(&json!({"kind": "erasure", "subject": {"by": "email", "value": subject.email}})),
        )
        .await;
        assert_eq!(status, 201, "{erasure}");
        assert_eq!(erasure["status"], "unverified");
        let erasure_id = erasure["id"].as_str().expect("id").to_string();
        let mail = sent_mail(&world, &subject.email).await;
        let link = mail
            .iter()
            .find_map(|(_, body)| link_in(body).filter(|l| l.contains(&erasure_id)))
            .expect("a verification link was e-mailed to the subject");
        let (status, verified) = call(&api, "GET", &link, None, None).await;
        assert_eq!(status, 200, "{verified}");
        // The link works once.
        let (status, _) = call(&api, "GET", &link, None, None).await;
        assert_eq!(status, 410, "a used link is refused");
        wait_status(&api, &key, &erasure_id, "completed", &worker, &world).await;

        // DynamoDB: none of the subject's values is left; the head says so once.
        let text = customer_text(&world, "acme", &subject.id).await;
        for value in &subject.pii {
            assert!(
                !text.contains(value.as_str()),
                "an erased value is still stored"
            );
        }
        let h = head(&world, "acme", &subject.id).await;
        assert_eq!(h["redactions"], 1, "{h}");
        // S3: the export is destroyed; the dataset lost the subject's row only.
        assert!(
            stack
                .aws
                .blobs
                .list(&export_prefix)
                .await
                .expect("list")
                .is_empty()
        );
        let (_, dataset) = read_all(stack.aws.blobs.as_ref(), &dataset_key)
            .await
            .expect("dataset");
        let dataset = String::from_utf8(dataset).expect("utf-8");
        assert!(
            dataset == format!("id,email,tier\n{other_row}"),
            "the dataset keeps the header and the other customer's row, byte for byte, and only them"
        );
        // Another customer is untouched.
        let other = customer_text(&world, "acme", &kept.id).await;
        assert!(other.contains(&kept.email));

        // The EU night: auto-redact and retention for EU tenants only.
        let mut us_before = Vec::new();
        for c in &us_customers {
            us_before.push(customer_records(&world, "globex", &c.id).await);
        }
        let scheduler = Running::start("scheduler", world.function_env()).await;
        let input =
            json!({"region": "eu", "kind": "all", "scheduled_time": Timestamp::now().to_string()});
        let night = scheduler
            .invoke(&input, Duration::from_secs(60))
            .await
            .response;
        assert_eq!(night["tenants"], 1, "{night}");
        assert_eq!(
            night["auto_jobs"].as_array().map(Vec::len),
            Some(1),
            "{night}"
        );
        assert_eq!(
            night["auto_jobs"][0][2], 2,
            "two inactive customers: {night}"
        );
        assert!(
            night["retention_deleted"].as_u64().unwrap_or(0) >= 5,
            "{night}"
        );
        drain(&world, &worker, 50).await;
        for n in [1usize, 2] {
            let h = head(&world, "acme", &customers[n].id).await;
            assert_eq!(
                h["redactions"], 1,
                "inactive EU customer {n} redacted once: {h}"
            );
        }
        assert_eq!(
            head(&world, "acme", &customers[3].id).await["redactions"],
            0
        );
        // The US tenant's inactive customers and expired items are untouched.
        for (c, before) in us_customers.iter().zip(&us_before) {
            let after = customer_records(&world, "globex", &c.id).await;
            // (Compared without printing: the records hold personal data.)
            assert!(
                &after == before,
                "a US customer was touched by the EU night"
            );
            assert_eq!(head(&world, "globex", &c.id).await["redactions"], 0);
        }
        // Fired again (Scheduler retries): nothing new.
        let again = scheduler
            .invoke(&input, Duration::from_secs(60))
            .await
            .response;
        assert_eq!(
            again["auto_jobs"].as_array().map(Vec::len),
            Some(0),
            "{again}"
        );
        assert!(again["already_ran"].as_u64().unwrap_or(0) >= 2, "{again}");
    }
}
