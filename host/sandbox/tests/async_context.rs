//! Plugins are called from async code (the engine's workers, the API):
//! a guest that writes to stderr (as a panicking Rust guest does) must
//! fail its batch there too, never panic the host's runtime.

use lethe_sandbox::{CallError, Sandbox};

fn panicking() -> lethe_sandbox::Plugin {
    let sandbox = Sandbox::new().expect("sandbox");
    let bytes = lethe_std_plugins::hostile("panicking").expect("fixture built");
    sandbox.compile(bytes).expect("compiles").plugin
}

fn assert_fails_cleanly(plugin: &lethe_sandbox::Plugin) {
    let err = plugin.scan(&["hello"], None).unwrap_err();
    assert!(matches!(err, CallError::Trapped { .. }), "{err}");
    // And the plugin still works for the next batch (a fresh instance).
    assert!(plugin.scan(&["again"], None).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_multi_threaded_runtime_worker() {
    let plugin = panicking();
    assert_fails_cleanly(&plugin);
    // From a spawned task too.
    tokio::spawn(async move { assert_fails_cleanly(&plugin) })
        .await
        .expect("the task did not panic");
}

#[tokio::test(flavor = "current_thread")]
async fn on_a_current_thread_runtime() {
    assert_fails_cleanly(&panicking());
}

#[test]
fn without_a_runtime() {
    assert_fails_cleanly(&panicking());
}
