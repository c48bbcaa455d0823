//! Which AWS call a request is: `(service, operation)`, read from the
//! request alone, as the AWS front ends route it.
//!
//! **The service** comes from the SigV4 credential scope, which every SDK
//! request carries: `Authorization: AWS4-HMAC-SHA256
//! Credential=AKID/20250101/eu-west-1/dynamodb/aws4_request, …` (or
//! `X-Amz-Credential=` in a presigned URL's query). SESv2 signs as `ses`;
//! a `ses` request under `/v2/` is `sesv2`. Without a signature, the
//! `X-Amz-Target` prefix or the path decides.
//!
//! **The operation**, by protocol:
//!
//! | protocol | services | operation from |
//! |----------|----------|----------------|
//! | `awsJson1_0` | DynamoDB, SQS | `X-Amz-Target: DynamoDB_20120810.PutItem` → `PutItem` |
//! | `awsQuery` | SQS (older SDKs), SES v1 | the form body's `Action=` |
//! | `restJson1` | SESv2 | method and path: `POST /v2/email/outbound-emails` → `SendEmail` |
//! | `restXml` | S3 | the SDK's `x-id=` query parameter when present (`?x-id=PutObject`), else method, path shape (bucket or object) and sub-resource (`?uploads`, `?uploadId=`, `?list-type=2`, `?delete`, …) |
//!
//! S3 is read path-style (`/bucket/key`), as clients address an emulator
//! or a proxy on `127.0.0.1`.

use hyper::header::{AUTHORIZATION, CONTENT_TYPE};
use hyper::{HeaderMap, Method, Uri};

/// Names the call a request makes: `(service, operation)`. Unknown shapes
/// give `"unknown"` or the HTTP method, never a path (paths hold keys).
pub fn classify(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> (String, String) {
    let path = uri.path();
    let query = uri.query().unwrap_or("");
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let scope = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(scope_service)
        .or_else(|| query_param(query, "X-Amz-Credential").and_then(|c| credential_service(&c)));
    let service = match scope.as_deref() {
        Some("ses") if path.starts_with("/v2/") => "sesv2".to_owned(),
        Some(s) => s.to_owned(),
        None => match target.as_deref() {
            Some(t) if t.starts_with("DynamoDB_") => "dynamodb".to_owned(),
            Some(t) if t.starts_with("AmazonSQS") => "sqs".to_owned(),
            _ if path.starts_with("/v2/email/") => "sesv2".to_owned(),
            _ => "unknown".to_owned(),
        },
    };
    let operation = if let Some(t) = &target {
        t.rsplit('.').next().unwrap_or(t).to_owned()
    } else if let Some(action) = form_action(headers, body) {
        action
    } else {
        match service.as_str() {
            "s3" => s3_operation(method, path, query, headers),
            "sesv2" => sesv2_operation(method, path),
            _ => method.as_str().to_owned(),
        }
    };
    (service, operation)
}

/// The SDK's attempt number of a request, from `amz-sdk-request:
/// attempt=N; max=M` (the AWS SDKs send it on every try); 1 without it.
pub fn sdk_attempt(headers: &HeaderMap) -> u32 {
    headers
        .get("amz-sdk-request")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(';')
                .find_map(|part| part.trim().strip_prefix("attempt="))
                .and_then(|n| n.trim().parse().ok())
        })
        .unwrap_or(1)
}

/// The service of a SigV4 `Authorization` header's credential scope.
fn scope_service(authorization: &str) -> Option<String> {
    let credential = authorization
        .split([',', ' '])
        .find_map(|part| part.trim().strip_prefix("Credential="))?;
    credential_service(credential)
}

/// `AKID/date/region/service/aws4_request` → `service`.
fn credential_service(credential: &str) -> Option<String> {
    let parts: Vec<&str> = credential.split('/').collect();
    (parts.len() >= 5 && parts[parts.len() - 1] == "aws4_request")
        .then(|| parts[parts.len() - 2].to_owned())
}

/// Percent-decodes a query component (`+` is a space in forms).
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The decoded value of `name` in a query string or form body.
fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k) == name).then(|| decode(v))
    })
}

/// Whether the query names sub-resource `name` (`?uploads`, `?uploadId=…`).
fn has_param(query: &str, name: &str) -> bool {
    query_param(query, name).is_some()
}

/// `Action=` of an `awsQuery` form body.
fn form_action(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    let form = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return None;
    }
    query_param(std::str::from_utf8(body).ok()?, "Action")
}

/// Bucket-level sub-resources and the operation noun each names (the
/// method gives the verb: GET → `Get`, PUT → `Put`, DELETE → `Delete`).
const BUCKET_SUBRESOURCES: &[(&str, &str)] = &[
    ("accelerate", "BucketAccelerateConfiguration"),
    ("acl", "BucketAcl"),
    ("cors", "BucketCors"),
    ("encryption", "BucketEncryption"),
    ("lifecycle", "BucketLifecycleConfiguration"),
    ("location", "BucketLocation"),
    ("logging", "BucketLogging"),
    ("notification", "BucketNotificationConfiguration"),
    ("object-lock", "ObjectLockConfiguration"),
    ("ownershipControls", "BucketOwnershipControls"),
    ("policy", "BucketPolicy"),
    ("publicAccessBlock", "PublicAccessBlock"),
    ("replication", "BucketReplication"),
    ("requestPayment", "BucketRequestPayment"),
    ("tagging", "BucketTagging"),
    ("versioning", "BucketVersioning"),
    ("website", "BucketWebsite"),
];

/// Object-level sub-resources, likewise.
const OBJECT_SUBRESOURCES: &[(&str, &str)] = &[
    ("acl", "ObjectAcl"),
    ("attributes", "ObjectAttributes"),
    ("legal-hold", "ObjectLegalHold"),
    ("retention", "ObjectRetention"),
    ("tagging", "ObjectTagging"),
];

fn verb(method: &Method) -> Option<&'static str> {
    match *method {
        Method::GET => Some("Get"),
        Method::PUT => Some("Put"),
        Method::DELETE => Some("Delete"),
        _ => None,
    }
}

/// The S3 operation of a path-style request.
fn s3_operation(method: &Method, path: &str, query: &str, headers: &HeaderMap) -> String {
    if let Some(id) = query_param(query, "x-id") {
        return id;
    }
    let trimmed = path.trim_start_matches('/');
    let (bucket, key) = match trimmed.split_once('/') {
        Some((b, k)) => (b, k),
        None => (trimmed, ""),
    };
    let copy = headers.contains_key("x-amz-copy-source");
    let op = if bucket.is_empty() {
        match *method {
            Method::GET => "ListBuckets",
            _ => return method.as_str().to_owned(),
        }
    } else if key.is_empty() {
        if let (Some(v), Some((_, noun))) = (
            verb(method),
            BUCKET_SUBRESOURCES
                .iter()
                .find(|(sub, _)| has_param(query, sub)),
        ) {
            return format!("{v}{noun}");
        }
        match *method {
            Method::GET if query_param(query, "list-type").as_deref() == Some("2") => {
                "ListObjectsV2"
            }
            Method::GET if has_param(query, "uploads") => "ListMultipartUploads",
            Method::GET if has_param(query, "versions") => "ListObjectVersions",
            Method::GET => "ListObjects",
            Method::PUT => "CreateBucket",
            Method::HEAD => "HeadBucket",
            Method::DELETE => "DeleteBucket",
            Method::POST if has_param(query, "delete") => "DeleteObjects",
            _ => return method.as_str().to_owned(),
        }
    } else {
        if let (Some(v), Some((_, noun))) = (
            verb(method),
            OBJECT_SUBRESOURCES
                .iter()
                .find(|(sub, _)| has_param(query, sub)),
        ) {
            return format!("{v}{noun}");
        }
        match *method {
            Method::GET if has_param(query, "uploadId") => "ListParts",
            Method::GET => "GetObject",
            Method::HEAD => "HeadObject",
            Method::PUT if has_param(query, "partNumber") && has_param(query, "uploadId") => {
                if copy { "UploadPartCopy" } else { "UploadPart" }
            }
            Method::PUT if copy => "CopyObject",
            Method::PUT => "PutObject",
            Method::POST if has_param(query, "uploads") => "CreateMultipartUpload",
            Method::POST if has_param(query, "uploadId") => "CompleteMultipartUpload",
            Method::POST if has_param(query, "restore") => "RestoreObject",
            Method::POST if has_param(query, "select") => "SelectObjectContent",
            Method::DELETE if has_param(query, "uploadId") => "AbortMultipartUpload",
            Method::DELETE => "DeleteObject",
            _ => return method.as_str().to_owned(),
        }
    };
    op.to_owned()
}

/// SESv2 resources under `/v2/email/` and the operation noun of one item
/// (the collection's `GET` is `List` + the plural).
const SESV2_RESOURCES: &[(&str, &str, &str)] = &[
    ("identities", "EmailIdentity", "EmailIdentities"),
    (
        "configuration-sets",
        "ConfigurationSet",
        "ConfigurationSets",
    ),
    ("templates", "EmailTemplate", "EmailTemplates"),
    ("contact-lists", "ContactList", "ContactLists"),
    ("dedicated-ip-pools", "DedicatedIpPool", "DedicatedIpPools"),
    (
        "suppression/addresses",
        "SuppressedDestination",
        "SuppressedDestinations",
    ),
];

/// The SESv2 operation of a `restJson1` request.
fn sesv2_operation(method: &Method, path: &str) -> String {
    let rest = path.strip_prefix("/v2/email/").unwrap_or("");
    match (method, rest) {
        (&Method::POST, "outbound-emails") => return "SendEmail".to_owned(),
        (&Method::POST, "outbound-bulk-emails") => return "SendBulkEmail".to_owned(),
        (&Method::GET, "account") => return "GetAccount".to_owned(),
        _ => {}
    }
    for (prefix, one, many) in SESV2_RESOURCES {
        let Some(tail) = rest.strip_prefix(prefix) else {
            continue;
        };
        let item = tail.trim_start_matches('/');
        // Deeper paths (policies, contacts, …) are named by method only.
        if item.contains('/') {
            break;
        }
        let collection = item.is_empty();
        let op = match (method, collection) {
            (&Method::GET, true) => format!("List{many}"),
            (&Method::POST, true) => format!("Create{one}"),
            (&Method::PUT, true) => format!("Put{one}"),
            (&Method::GET, false) => format!("Get{one}"),
            (&Method::DELETE, false) => format!("Delete{one}"),
            (&Method::PUT, false) => format!("Update{one}"),
            _ => break,
        };
        return op;
    }
    method.as_str().to_owned()
}

#[cfg(test)]
mod tests {
    use hyper::header::HeaderValue;

    use super::*;

    /// An SDK-style SigV4 authorization for `service`.
    fn signed(service: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            AUTHORIZATION,
            HeaderValue::from_str(&format!(
                "AWS4-HMAC-SHA256 Credential=test/20261123/eu-west-1/{service}/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date, Signature=0123abcd"
            ))
            .expect("header"),
        );
        h
    }

    fn call(method: Method, uri: &str, headers: &HeaderMap, body: &[u8]) -> (String, String) {
        classify(&method, &uri.parse().expect("uri"), headers, body)
    }

    fn pair(s: &str, o: &str) -> (String, String) {
        (s.to_owned(), o.to_owned())
    }

    #[test]
    fn json_protocol_targets() {
        let mut h = signed("dynamodb");
        h.insert(
            "x-amz-target",
            HeaderValue::from_static("DynamoDB_20120810.PutItem"),
        );
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-amz-json-1.0"),
        );
        assert_eq!(
            call(Method::POST, "/", &h, b"{}"),
            pair("dynamodb", "PutItem")
        );
        let mut h = signed("sqs");
        h.insert(
            "x-amz-target",
            HeaderValue::from_static("AmazonSQS.SendMessageBatch"),
        );
        assert_eq!(
            call(Method::POST, "/", &h, b"{}"),
            pair("sqs", "SendMessageBatch")
        );
        // No signature: the target's prefix names the service.
        let mut h = HeaderMap::new();
        h.insert(
            "x-amz-target",
            HeaderValue::from_static("DynamoDB_20120810.Query"),
        );
        assert_eq!(call(Method::POST, "/", &h, b""), pair("dynamodb", "Query"));
    }

    #[test]
    fn query_protocol_actions() {
        let mut h = signed("sqs");
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded; charset=utf-8"),
        );
        let body = b"Action=ReceiveMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Fx%2Fq";
        assert_eq!(
            call(Method::POST, "/", &h, body),
            pair("sqs", "ReceiveMessage")
        );
        let mut h = signed("ses");
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        assert_eq!(
            call(
                Method::POST,
                "/",
                &h,
                b"Action=GetSendQuota&Version=2010-12-01"
            ),
            pair("ses", "GetSendQuota")
        );
    }

    #[test]
    fn sesv2_paths() {
        let h = signed("ses");
        let cases = [
            (Method::POST, "/v2/email/outbound-emails", "SendEmail"),
            (Method::POST, "/v2/email/identities", "CreateEmailIdentity"),
            (Method::GET, "/v2/email/identities", "ListEmailIdentities"),
            (
                Method::GET,
                "/v2/email/identities/a%40b.example",
                "GetEmailIdentity",
            ),
            (
                Method::DELETE,
                "/v2/email/identities/b.example",
                "DeleteEmailIdentity",
            ),
            (Method::GET, "/v2/email/account", "GetAccount"),
            (
                Method::POST,
                "/v2/email/configuration-sets",
                "CreateConfigurationSet",
            ),
            (
                Method::PUT,
                "/v2/email/suppression/addresses",
                "PutSuppressedDestination",
            ),
            (Method::GET, "/v2/email/identities/x/policies", "GET"),
        ];
        for (m, path, op) in cases {
            assert_eq!(call(m, path, &h, b""), pair("sesv2", op), "{path}");
        }
    }

    #[test]
    fn s3_shapes() {
        let h = signed("s3");
        let mut copy = signed("s3");
        copy.insert("x-amz-copy-source", HeaderValue::from_static("/b/src"));
        let cases = [
            (Method::PUT, "/bkt/a/b.json?x-id=PutObject", &h, "PutObject"),
            (Method::GET, "/bkt/a/b.json?x-id=GetObject", &h, "GetObject"),
            (Method::PUT, "/bkt/a/b.json", &h, "PutObject"),
            (Method::GET, "/bkt/a/b.json", &h, "GetObject"),
            (Method::HEAD, "/bkt/a/b.json", &h, "HeadObject"),
            (Method::DELETE, "/bkt/a/b.json", &h, "DeleteObject"),
            (
                Method::POST,
                "/bkt/big.csv?uploads",
                &h,
                "CreateMultipartUpload",
            ),
            (
                Method::POST,
                "/bkt/big.csv?uploads=",
                &h,
                "CreateMultipartUpload",
            ),
            (
                Method::PUT,
                "/bkt/big.csv?partNumber=2&uploadId=abc",
                &h,
                "UploadPart",
            ),
            (
                Method::PUT,
                "/bkt/big.csv?x-id=UploadPart&partNumber=1&uploadId=abc",
                &h,
                "UploadPart",
            ),
            (
                Method::PUT,
                "/bkt/big.csv?partNumber=2&uploadId=abc",
                &copy,
                "UploadPartCopy",
            ),
            (Method::PUT, "/bkt/dst", &copy, "CopyObject"),
            (
                Method::POST,
                "/bkt/big.csv?uploadId=abc",
                &h,
                "CompleteMultipartUpload",
            ),
            (
                Method::DELETE,
                "/bkt/big.csv?uploadId=abc",
                &h,
                "AbortMultipartUpload",
            ),
            (Method::GET, "/bkt/big.csv?uploadId=abc", &h, "ListParts"),
            (
                Method::GET,
                "/bkt?list-type=2&prefix=exports%2F",
                &h,
                "ListObjectsV2",
            ),
            (Method::GET, "/bkt/?list-type=2", &h, "ListObjectsV2"),
            (Method::GET, "/bkt", &h, "ListObjects"),
            (Method::POST, "/bkt?delete", &h, "DeleteObjects"),
            (Method::PUT, "/bkt", &h, "CreateBucket"),
            (Method::HEAD, "/bkt", &h, "HeadBucket"),
            (Method::DELETE, "/bkt", &h, "DeleteBucket"),
            (Method::PUT, "/bkt?encryption", &h, "PutBucketEncryption"),
            (Method::GET, "/bkt?location", &h, "GetBucketLocation"),
            (Method::GET, "/bkt/k?tagging", &h, "GetObjectTagging"),
            (Method::GET, "/", &h, "ListBuckets"),
        ];
        for (m, uri, headers, op) in cases {
            assert_eq!(call(m, uri, headers, b""), pair("s3", op), "{uri}");
        }
    }

    #[test]
    fn presigned_urls_name_the_service_in_the_query() {
        let uri = "/bkt/k?X-Amz-Algorithm=AWS4-HMAC-SHA256\
                   &X-Amz-Credential=test%2F20261123%2Feu-west-1%2Fs3%2Faws4_request\
                   &X-Amz-Expires=300&X-Amz-Signature=ab&x-id=GetObject";
        assert_eq!(
            call(Method::GET, uri, &HeaderMap::new(), b""),
            pair("s3", "GetObject")
        );
    }

    #[test]
    fn unknown_requests_name_no_path() {
        assert_eq!(
            call(Method::GET, "/moto-api/data.json", &HeaderMap::new(), b""),
            pair("unknown", "GET")
        );
    }

    #[test]
    fn sdk_attempts() {
        let mut h = HeaderMap::new();
        assert_eq!(sdk_attempt(&h), 1);
        h.insert(
            "amz-sdk-request",
            HeaderValue::from_static("attempt=3; max=5"),
        );
        assert_eq!(sdk_attempt(&h), 3);
    }

    #[test]
    fn decoding() {
        assert_eq!(decode("a%2Fb+c%"), "a/b c%");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(query_param("uploads&x=1", "uploads").as_deref(), Some(""));
        assert_eq!(query_param("a=1&b=2", "b").as_deref(), Some("2"));
        assert_eq!(query_param("a=1", "b"), None);
    }
}
