//! The error answers, shaped as each service sends them, so the SDK
//! parses and classifies them exactly as it would a real one.
//!
//! How the AWS SDK for Rust decides to retry (aws-smithy-runtime's
//! standard strategy, aws-runtime's classifiers):
//!
//! - an error *code* in `THROTTLING_ERRORS` (`Throttling`,
//!   `ThrottlingException`, `ProvisionedThroughputExceededException`,
//!   `RequestThrottled`, `SlowDown`, `TooManyRequestsException`,
//!   `RequestLimitExceeded`, …) is a throttling error; one in
//!   `TRANSIENT_ERRORS` (`RequestTimeout`, `RequestTimeoutException`) a
//!   transient one;
//! - HTTP 500, 502, 503 and 504 are transient whatever the code;
//! - a connection that fails or closes without an answer is transient;
//! - errors the model marks retryable are retried with their kind.
//!
//! Where the code is read, per protocol:
//!
//! | protocol | code from | answers here |
//! |----------|-----------|--------------|
//! | `awsJson1_0` (DynamoDB) | `x-amzn-ErrorType` header, else the body's `__type` (namespace before `#` dropped) | body `{"__type":"com.amazonaws.dynamodb.v20120810#…","message":…}`, `Content-Type: application/x-amz-json-1.0` |
//! | `awsJson1_0` + query compatibility (SQS) | `x-amzn-query-error: Code;Sender` first, then as above | both the header and the body |
//! | `restJson1` (SESv2) | `x-amzn-ErrorType`, else `__type` / `code` | header `x-amzn-ErrorType` and body `{"message":…}` |
//! | `restXml` (S3) | `<Error><Code>` | `<Error><Code>SlowDown</Code><Message>…</Message><RequestId>…</RequestId><HostId>…</HostId></Error>`; a `HEAD` answer has no body (the status decides, as on S3) |
//!
//! Every answer carries a request id (`x-amzn-RequestId`, or S3's
//! `x-amz-request-id` and `x-amz-id-2`), `lethe-fault-N`, so a failure
//! the adapter reports can be matched to the injection.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Method, Response, StatusCode};

use crate::rules::Fault;

/// The answer for `fault` on a call to `service`. `None` for faults that
/// are not answers ([`Fault::Reset`] and the rewrites).
pub(crate) fn answer(
    service: &str,
    method: &Method,
    fault: Fault,
    request_id: u64,
) -> Option<Response<Full<Bytes>>> {
    let id = format!("lethe-fault-{request_id}");
    let response = match service {
        "dynamodb" => dynamodb(fault, &id)?,
        "sqs" => sqs(fault, &id)?,
        "s3" => s3(fault, &id, method == Method::HEAD)?,
        "sesv2" => sesv2(fault, &id)?,
        _ => plain(fault, &id)?,
    };
    Some(response)
}

/// A JSON-protocol answer.
fn json(
    status: u16,
    content_type: &str,
    headers: &[(&str, &str)],
    body: String,
) -> Response<Full<Bytes>> {
    let mut r = Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", content_type);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn type_and_message(namespaced_type: &str, message: &str) -> String {
    serde_json::json!({ "__type": namespaced_type, "message": message }).to_string()
}

/// DynamoDB: `awsJson1_0`, namespaced `__type`.
fn dynamodb(fault: Fault, id: &str) -> Option<Response<Full<Bytes>>> {
    const NS: &str = "com.amazonaws.dynamodb.v20120810#";
    let (status, typ, message) = match fault {
        Fault::Throttle => (
            400,
            format!("{NS}ProvisionedThroughputExceededException"),
            "The level of configured provisioned throughput for the table was exceeded. \
             Consider increasing your provisioning level with the UpdateTable API.",
        ),
        Fault::ThrottlingException => (
            400,
            "com.amazon.coral.availability#ThrottlingException".to_owned(),
            "Rate of requests exceeds the allowed throughput.",
        ),
        Fault::InternalError => (
            500,
            format!("{NS}InternalServerError"),
            "Internal server error",
        ),
        Fault::Unavailable => (
            503,
            "com.amazon.coral.availability#ServiceUnavailableException".to_owned(),
            "Service unavailable",
        ),
        _ => return None,
    };
    Some(json(
        status,
        "application/x-amz-json-1.0",
        &[("x-amzn-requestid", id)],
        type_and_message(&typ, message),
    ))
}

/// SQS: `awsJson1_0` with the query-compatible error header.
fn sqs(fault: Fault, id: &str) -> Option<Response<Full<Bytes>>> {
    let (status, code, kind, message) = match fault {
        Fault::Throttle => (400, "RequestThrottled", "Sender", "Request is throttled."),
        Fault::ThrottlingException => (400, "ThrottlingException", "Sender", "Rate exceeded"),
        Fault::InternalError => (
            500,
            "InternalError",
            "Receiver",
            "We encountered an internal error. Please try again.",
        ),
        Fault::Unavailable => (
            503,
            "ServiceUnavailable",
            "Receiver",
            "The request has failed due to a temporary failure of the server.",
        ),
        _ => return None,
    };
    let query_error = format!("{code};{kind}");
    Some(json(
        status,
        "application/x-amz-json-1.0",
        &[
            ("x-amzn-requestid", id),
            ("x-amzn-query-error", &query_error),
        ],
        type_and_message(&format!("com.amazonaws.sqs#{code}"), message),
    ))
}

/// SESv2: `restJson1`, the code in `x-amzn-ErrorType`.
fn sesv2(fault: Fault, id: &str) -> Option<Response<Full<Bytes>>> {
    let (status, code, message) = match fault {
        Fault::Throttle | Fault::ThrottlingException => {
            (429, "TooManyRequestsException", "Too Many Requests")
        }
        Fault::InternalError => (500, "InternalFailure", "Internal service failure"),
        Fault::Unavailable => (503, "ServiceUnavailable", "Service unavailable"),
        _ => return None,
    };
    let error_type = format!("{code}:http://internal.amazon.com/coral/com.amazonaws.sesv2/");
    Some(json(
        status,
        "application/json",
        &[("x-amzn-requestid", id), ("x-amzn-errortype", &error_type)],
        serde_json::json!({ "message": message }).to_string(),
    ))
}

/// S3: `restXml`; `HEAD` answers carry no body.
fn s3(fault: Fault, id: &str, head: bool) -> Option<Response<Full<Bytes>>> {
    let (status, code, message) = match fault {
        Fault::Throttle | Fault::ThrottlingException => {
            (503, "SlowDown", "Please reduce your request rate.")
        }
        Fault::InternalError => (
            500,
            "InternalError",
            "We encountered an internal error. Please try again.",
        ),
        Fault::Unavailable => (
            503,
            "ServiceUnavailable",
            "Please reduce your request rate.",
        ),
        _ => return None,
    };
    let host_id = format!("{id}-host");
    let body = if head {
        Bytes::new()
    } else {
        Bytes::from(format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
             <Message>{message}</Message><RequestId>{id}</RequestId>\
             <HostId>{host_id}</HostId></Error>"
        ))
    };
    let r = Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/xml")
        .header("x-amz-request-id", id)
        .header("x-amz-id-2", host_id)
        .body(Full::new(body))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())));
    Some(r)
}

/// Anything else: the status and a short text.
fn plain(fault: Fault, id: &str) -> Option<Response<Full<Bytes>>> {
    let (status, text) = match fault {
        Fault::Throttle | Fault::ThrottlingException => (429, "Throttling"),
        Fault::InternalError => (500, "InternalError"),
        Fault::Unavailable => (503, "ServiceUnavailable"),
        _ => return None,
    };
    Some(json(
        status,
        "text/plain",
        &[("x-amzn-requestid", id)],
        text.to_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;

    use super::*;

    async fn parts(r: Response<Full<Bytes>>) -> (u16, hyper::HeaderMap, String) {
        let (p, b) = r.into_parts();
        let body = b.collect().await.expect("body").to_bytes();
        (
            p.status.as_u16(),
            p.headers,
            String::from_utf8(body.to_vec()).expect("utf-8"),
        )
    }

    fn run<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    #[test]
    fn dynamodb_throttling_is_namespaced_json() {
        run(async {
            let r = answer("dynamodb", &Method::POST, Fault::Throttle, 7).expect("an answer");
            let (status, headers, body) = parts(r).await;
            assert_eq!(status, 400);
            assert_eq!(headers["x-amzn-requestid"], "lethe-fault-7");
            let v: serde_json::Value = serde_json::from_str(&body).expect("json");
            assert_eq!(
                v["__type"],
                "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"
            );
            let r = answer("dynamodb", &Method::POST, Fault::ThrottlingException, 1)
                .expect("an answer");
            let (_, _, body) = parts(r).await;
            assert!(body.contains("#ThrottlingException"));
        });
    }

    #[test]
    fn sqs_errors_carry_the_query_error_header() {
        run(async {
            let r = answer("sqs", &Method::POST, Fault::Throttle, 1).expect("an answer");
            let (status, headers, body) = parts(r).await;
            assert_eq!(status, 400);
            assert_eq!(headers["x-amzn-query-error"], "RequestThrottled;Sender");
            assert!(body.contains("com.amazonaws.sqs#RequestThrottled"));
        });
    }

    #[test]
    fn s3_errors_are_xml_and_heads_are_bare() {
        run(async {
            let r = answer("s3", &Method::PUT, Fault::Throttle, 1).expect("an answer");
            let (status, headers, body) = parts(r).await;
            assert_eq!(status, 503);
            assert_eq!(headers["x-amz-request-id"], "lethe-fault-1");
            assert!(body.contains("<Code>SlowDown</Code>"), "{body}");
            let r = answer("s3", &Method::HEAD, Fault::InternalError, 2).expect("an answer");
            let (status, _, body) = parts(r).await;
            assert_eq!((status, body.as_str()), (500, ""));
        });
    }

    #[test]
    fn sesv2_throttling_is_429_with_an_error_type() {
        run(async {
            let r = answer("sesv2", &Method::POST, Fault::Throttle, 1).expect("an answer");
            let (status, headers, _) = parts(r).await;
            assert_eq!(status, 429);
            assert!(
                headers["x-amzn-errortype"]
                    .to_str()
                    .expect("ascii")
                    .starts_with("TooManyRequestsException:")
            );
        });
    }

    #[test]
    fn resets_and_rewrites_are_not_answers() {
        assert!(answer("s3", &Method::GET, Fault::Reset, 1).is_none());
        assert!(answer("dynamodb", &Method::POST, Fault::ShortPage { limit: 1 }, 1).is_none());
    }
}
