//! Property: however a job's chunks are delivered (duplicated, reordered,
//! interleaved with a crash that loses an acknowledgement), every subject
//! is redacted exactly once and the counts are right.

use lethe_core::bulk_input::IdList;
use lethe_core::engine::model::JobStatus;
use lethe_core::ports::JobQueue;
use lethe_core::tenant::Settings;
use lethe_e2e::engine::Fixture;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn a_job_redelivered_redoes_nothing(order in proptest::collection::vec(0usize..3, 3..10)) {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        runtime.block_on(async {
            let f = Fixture::with_chunk_size(Settings::default(), 2).await;
            let customers = f.seed(6, |_| 1).await;
            let e = f.engine();
            let list = IdList { ids: customers.iter().map(|c| c.id.clone()).collect(), issues: vec![] };
            let job = e.create_bulk_job(&f.tenant, &list, "prop").await.unwrap();
            e.confirm_job(&f.tenant, &job.id, "prop").await.unwrap();
            let deliveries = f.node.local.queue.receive(10, std::time::Duration::from_secs(3600)).await.unwrap();
            assert_eq!(deliveries.len(), 3);
            // Deliver in the generated order (with repeats), then every chunk once more.
            for &i in order.iter().chain(&[0, 1, 2]) {
                e.handle_chunk(&deliveries[i].body).await.unwrap();
            }
            let done = e.job(&f.tenant, &job.id).await.unwrap();
            assert_eq!(done.status, JobStatus::Completed);
            assert_eq!((done.counts.succeeded, done.counts.failed, done.counts.skipped), (6, 0, 0));
            let heads = f.node.local.data.scan_all().unwrap().into_iter().filter(|r| r.key.sk == "#head").collect::<Vec<_>>();
            assert_eq!(heads.len(), 6);
            for h in heads {
                assert_eq!(h.body["redactions"], 1);
                assert_eq!(h.body["redacted_by"], job.id.as_str());
            }
        });
    }
}
