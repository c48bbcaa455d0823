//! What the functions do with what they cannot use: a missing or malformed
//! setting stops the cold start with a reason in the function's log; a malformed scheduler
//! input is an invocation error that names the field; a record that is not
//! a chunk is reported as a batch item failure, and the others in its batch
//! are not held back.

#[cfg(feature = "moto-tests")]
mod support;

#[cfg(feature = "moto-tests")]
mod moto {
    use std::time::Duration;

    use lethe_core::ports::Delivery;
    use lethe_lambda_emulator::InvokeError;

    use super::support::binary;
    use serde_json::json;

    use super::support::{Running, World, sqs_event};

    /// Lambda reports a runtime that exits during init as `Runtime.ExitError`
    /// with the process's output in the function's log: the reason must be
    /// there, and the exit must not be a success. Both the functions' own
    /// settings and the AWS ones are checked before the first poll.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_missing_or_malformed_setting_stops_the_cold_start_naming_it() {
        let world = World::create("init").await;
        let emulator = lethe_lambda_emulator::Emulator::start()
            .await
            .expect("emulator");
        let cases = [
            ("LETHE_PUBLIC_URL", None, "LETHE_PUBLIC_URL is not set"),
            (
                "LETHE_AWS_MAX_ATTEMPTS",
                Some("0"),
                "LETHE_AWS_MAX_ATTEMPTS=\"0\" is not valid",
            ),
            (
                "LETHE_AWS_ATTEMPT_TIMEOUT_MS",
                Some("10s"),
                "LETHE_AWS_ATTEMPT_TIMEOUT_MS=\"10s\" is not valid",
            ),
        ];
        for (variable, value, reason) in cases {
            for name in ["api", "scheduler", "worker"] {
                let mut command = tokio::process::Command::new(binary(name));
                command
                    .env("AWS_LAMBDA_RUNTIME_API", emulator.runtime_api())
                    .env("AWS_LAMBDA_FUNCTION_NAME", name)
                    .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")
                    .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
                    .env_remove(variable)
                    .kill_on_drop(true);
                for (k, v) in world.function_env() {
                    if k != variable {
                        command.env(k, v);
                    }
                }
                if let Some(value) = value {
                    command.env(variable, value);
                }
                let output = tokio::time::timeout(Duration::from_secs(60), command.output())
                    .await
                    .expect("exits within a minute")
                    .expect("runs");
                assert!(
                    !output.status.success(),
                    "{name} exited 0 with {variable} {value:?}"
                );
                let stderr = String::from_utf8_lossy(&output.stderr);
                assert!(stderr.contains(reason), "{name}: {stderr}");
                assert!(emulator.first_poll().is_none(), "{name} polled for events");
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn malformed_scheduler_input_is_an_error_and_nothing_runs() {
        let world = World::create("sched").await;
        let scheduler = Running::start("scheduler", world.function_env()).await;
        for (input, names) in [
            (json!({"region": "asia"}), "asia"),
            (json!({"region": "eu", "kind": "everything"}), "everything"),
            (json!({"region": "eu", "extra": 1}), "extra"),
            (
                json!({"region": "eu", "scheduled_time": "yesterday"}),
                "scheduled_time",
            ),
        ] {
            let err = scheduler
                .emulator
                .invoke(&input, Duration::from_secs(60))
                .await
                .expect_err("refused");
            let InvokeError::Function(report) = err else {
                panic!("expected a function error for {input}, got {err}");
            };
            let text = report.to_string();
            assert!(text.contains(names), "{input}: {text}");
        }
        // The function is still serving: a good input runs (no tenants yet).
        let ok = scheduler
            .invoke(&json!({"region": "eu"}), Duration::from_secs(60))
            .await;
        assert_eq!(ok.response["tenants"], 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_record_that_is_not_a_chunk_fails_alone() {
        let world = World::create("junk").await;
        let worker = Running::start("worker", world.function_env()).await;
        let junk = |id: &str, body: &str| Delivery {
            id: id.into(),
            receipt: format!("r-{id}"),
            body: body.into(),
            receive_count: 1,
        };
        // A chunk of a job of an unknown tenant is not retried forever
        // either; and a body that is not JSON is no chunk at all.
        let event = sqs_event(
            &world,
            &[junk("m-1", "not json"), junk("m-2", r#"{"hello":"world"}"#)],
        );
        let answer = worker.invoke(&event, Duration::from_secs(60)).await;
        let failed: Vec<&str> = answer.response["batchItemFailures"]
            .as_array()
            .expect("failures")
            .iter()
            .filter_map(|f| f["itemIdentifier"].as_str())
            .collect();
        assert_eq!(failed, ["m-1", "m-2"]);
        // An empty batch is answered with no failures.
        let answer = worker
            .invoke(&json!({"Records": []}), Duration::from_secs(60))
            .await;
        assert_eq!(answer.response["batchItemFailures"], json!([]));
    }
}
