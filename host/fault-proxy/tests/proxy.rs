//! The proxy end to end, against a small upstream server on loopback (no
//! emulator needed): forwarding, counting, faults before and after
//! forwarding, dropped connections, stopping.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use lethe_fault_proxy::{Fault, FaultPlan, FaultProxy, Rule};
use tokio::net::TcpListener;

/// What the upstream saw: method, path and query, `Host`, body.
type Seen = Arc<Mutex<Vec<(String, String, String, Bytes)>>>;

/// An upstream that records each request and answers 200 with
/// `x-upstream: yes`, echoing the body (HEAD: `content-length: 1234`).
async fn upstream() -> (String, Seen) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen: Seen = Arc::default();
    let log = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let log = log.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: Request<Incoming>| {
                    let log = log.clone();
                    async move {
                        let (parts, body) = req.into_parts();
                        let body = body.collect().await.expect("body").to_bytes();
                        let host = parts
                            .headers
                            .get("host")
                            .and_then(|h| h.to_str().ok())
                            .unwrap_or_default()
                            .to_owned();
                        let path = parts
                            .uri
                            .path_and_query()
                            .map(|p| p.as_str().to_owned())
                            .unwrap_or_default();
                        log.lock().expect("log").push((
                            parts.method.to_string(),
                            path,
                            host,
                            body.clone(),
                        ));
                        let response = if parts.method == Method::HEAD {
                            Response::builder()
                                .header("content-length", "1234")
                                .header("x-upstream", "yes")
                                .body(Full::new(Bytes::new()))
                        } else {
                            Response::builder()
                                .header("x-upstream", "yes")
                                .body(Full::new(body))
                        };
                        Ok::<_, Infallible>(response.expect("response"))
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (format!("http://{addr}"), seen)
}

/// A DynamoDB-looking request (signed scope, target header).
fn dynamodb(endpoint: &str, op: &str, body: &'static str) -> Request<Full<Bytes>> {
    Request::builder()
        .method(Method::POST)
        .uri(format!("{endpoint}/"))
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=test/20261123/eu-west-1/dynamodb/aws4_request, \
             SignedHeaders=host, Signature=00",
        )
        .header("x-amz-target", format!("DynamoDB_20120810.{op}"))
        .header("content-type", "application/x-amz-json-1.0")
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .expect("request")
}

fn client() -> Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>> {
    Client::builder(TokioExecutor::new()).build_http()
}

async fn send(
    req: Request<Full<Bytes>>,
) -> Result<(u16, hyper::HeaderMap, Bytes), hyper_util::client::legacy::Error> {
    let r = client().request(req).await?;
    let (parts, body) = r.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    Ok((parts.status.as_u16(), parts.headers, body))
}

#[tokio::test]
async fn forwards_and_counts() {
    let (up, seen) = upstream().await;
    let proxy = FaultProxy::counting(&up).await.expect("proxy");
    let endpoint = proxy.endpoint();
    assert!(endpoint.starts_with("http://127.0.0.1:"));
    let (status, headers, body) = send(dynamodb(&endpoint, "PutItem", "{\"a\":1}"))
        .await
        .expect("answer");
    assert_eq!(status, 200);
    assert_eq!(headers["x-upstream"], "yes");
    assert_eq!(body, Bytes::from_static(b"{\"a\":1}"));
    // HEAD keeps the upstream's content-length (S3 sizes come from it).
    let head = Request::builder()
        .method(Method::HEAD)
        .uri(format!("{endpoint}/bucket/key?x-id=HeadObject"))
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=test/20261123/eu-west-1/s3/aws4_request, \
             SignedHeaders=host, Signature=00",
        )
        .body(Full::new(Bytes::new()))
        .expect("request");
    let (status, headers, _) = send(head).await.expect("answer");
    assert_eq!(status, 200);
    assert_eq!(headers["content-length"], "1234");
    {
        let seen = seen.lock().expect("seen");
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].1, "/");
        // The client's Host is kept (what a SigV4 signature covers).
        assert_eq!(seen[0].2, proxy.addr().to_string());
        assert_eq!(seen[1].1, "/bucket/key?x-id=HeadObject");
    }
    assert_eq!(proxy.count("dynamodb", "PutItem"), 1);
    assert_eq!(proxy.count("s3", "HeadObject"), 1);
    assert_eq!(proxy.service_count("dynamodb"), 1);
    assert_eq!(proxy.injected(), 0);
    proxy.reset_counts();
    assert!(proxy.counts().is_empty());
}

#[tokio::test]
async fn faults_before_and_after_forwarding() {
    let (up, seen) = upstream().await;
    let plan = FaultPlan::new()
        .rule(
            Rule::new("dynamodb", Fault::Throttle)
                .operation("PutItem")
                .first(1),
        )
        .rule(
            Rule::new("dynamodb", Fault::InternalError)
                .operation("UpdateItem")
                .first(1)
                .after_forwarding(),
        );
    let proxy = FaultProxy::start(&up, plan).await.expect("proxy");
    let e = proxy.endpoint();

    // Throttled: answered by the proxy, never forwarded.
    let (status, _, body) = send(dynamodb(&e, "PutItem", "{}")).await.expect("answer");
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&body).contains("ProvisionedThroughputExceededException"));
    assert!(seen.lock().expect("seen").is_empty());
    // The next one passes.
    let (status, _, _) = send(dynamodb(&e, "PutItem", "{}")).await.expect("answer");
    assert_eq!(status, 200);
    assert_eq!(seen.lock().expect("seen").len(), 1);

    // Forward then fail: upstream saw it, the client got a 500.
    let (status, _, _) = send(dynamodb(&e, "UpdateItem", "{\"u\":1}"))
        .await
        .expect("answer");
    assert_eq!(status, 500);
    assert_eq!(seen.lock().expect("seen").len(), 2);
    assert_eq!(proxy.injected(), 2);
    assert_eq!(proxy.count("dynamodb", "PutItem"), 2);
}

#[tokio::test]
async fn slow_calls_are_held_then_forwarded_unchanged() {
    let (up, seen) = upstream().await;
    let plan = FaultPlan::new().rule(
        Rule::new("dynamodb", Fault::Slow { millis: 300 })
            .operation("GetItem")
            .first(1),
    );
    let proxy = FaultProxy::start(&up, plan).await.expect("proxy");
    let e = proxy.endpoint();

    let started = std::time::Instant::now();
    let (status, headers, body) = send(dynamodb(&e, "GetItem", "{\"k\":1}"))
        .await
        .expect("answer");
    let held = started.elapsed();
    assert_eq!(status, 200);
    assert_eq!(headers["x-upstream"], "yes");
    assert_eq!(body, Bytes::from_static(b"{\"k\":1}"));
    assert!(
        held >= std::time::Duration::from_millis(300),
        "held {held:?}"
    );
    assert_eq!(seen.lock().expect("seen").len(), 1);
    assert_eq!(proxy.injected(), 1);

    // Only the first call was named: the next one is not held.
    let (status, _, _) = send(dynamodb(&e, "GetItem", "{}")).await.expect("answer");
    assert_eq!(status, 200);
    assert_eq!(proxy.injected(), 1);
    assert_eq!(seen.lock().expect("seen").len(), 2);
}

#[tokio::test]
async fn resets_drop_the_connection_and_stop_stops() {
    let (up, seen) = upstream().await;
    let proxy = FaultProxy::start(
        &up,
        FaultPlan::new().rule(Rule::new("*", Fault::Reset).first(1)),
    )
    .await
    .expect("proxy");
    let e = proxy.endpoint();
    let dropped = send(dynamodb(&e, "GetItem", "{}")).await;
    assert!(dropped.is_err(), "no answer expected: {dropped:?}");
    assert!(seen.lock().expect("seen").is_empty());
    let (status, _, _) = send(dynamodb(&e, "GetItem", "{}")).await.expect("answer");
    assert_eq!(status, 200);

    proxy.stop();
    // The listener closes once the task is gone.
    let mut refused = false;
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(proxy.addr()).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(refused, "the proxy still accepts connections after stop()");
}

#[tokio::test]
async fn an_unreachable_upstream_is_a_gateway_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let proxy = FaultProxy::counting(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("proxy");
    let (status, _, _) = send(dynamodb(&proxy.endpoint(), "GetItem", "{}"))
        .await
        .expect("answer");
    assert_eq!(status, 502);
}
