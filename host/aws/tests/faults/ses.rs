//! SESv2: throttling sends once.

use std::time::Duration;

use lethe_aws::{SesMailer, create_email_identity};
use lethe_conformance::unique;
use lethe_core::ports::Notifier;
use lethe_fault_proxy::{Fault, FaultPlan, Rule};

use crate::support::{direct, moto, notification, proxied};

/// Mail moto has sent so far in this region (SES v1 `GetSendQuota`,
/// `SentLast24Hours`, one per recipient). moto's `/moto-api/data.json`
/// would list the messages themselves, but it fails (500) once the
/// server holds certain multipart uploads, so the count it is. Only
/// `ses_throttling_sends_once` sends mail in this binary, and cargo runs
/// test binaries one at a time, so differences are exact.
fn ses_sent() -> f64 {
    let endpoint = moto();
    let addr = endpoint.trim_start_matches("http://");
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "eu-west-1".to_owned());
    let body = "Action=GetSendQuota&Version=2010-12-01";
    let request = format!(
        "POST / HTTP/1.0\r\nHost: {addr}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/{region}/ses/aws4_request, \
         SignedHeaders=host, Signature=00\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let answer = http(addr, &request).expect("GetSendQuota");
    let value = answer
        .split("<SentLast24Hours>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .and_then(|n| n.parse::<f64>().ok());
    value.unwrap_or_else(|| panic!("no SentLast24Hours in moto's answer"))
}

/// One HTTP/1.0 exchange on loopback; the body of a 200 answer.
fn http(addr: &str, request: &str) -> std::io::Result<String> {
    use std::io::{Read as _, Write as _};
    let mut s = std::net::TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no header end"))?;
    if !head.starts_with("HTTP/1.0 200") && !head.starts_with("HTTP/1.1 200") {
        return Err(std::io::Error::other("not 200"));
    }
    Ok(body.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ses_throttling_sends_once() {
    let sender = format!("{}@example.com", unique("faults"));
    create_email_identity(&direct().await.sesv2(), &sender)
        .await
        .expect("verify the sender");
    let plan = FaultPlan::new().rule(
        Rule::new("sesv2", Fault::Throttle)
            .operation("SendEmail")
            .first(2),
    );
    let (proxy, config) = proxied(plan).await;
    let mailer = SesMailer::new(config.sesv2(), &sender);

    let before = ses_sent();
    let once = format!("{}@example.org", unique("to"));
    mailer
        .send(&notification(&once))
        .await
        .expect("sent after two 429s");
    assert_eq!(proxy.count("sesv2", "SendEmail"), 3);
    assert_eq!(ses_sent() - before, 1.0, "one mail");

    // A send done and answered 500: the SDK sends again, SES has no
    // idempotency token, the recipient gets two mails. (The notifier is
    // at-least-once; the engine sends notifications after the state
    // change they report, so a duplicate repeats, it never lies.)
    proxy.set_plan(
        FaultPlan::new().rule(
            Rule::new("sesv2", Fault::InternalError)
                .operation("SendEmail")
                .first(1)
                .after_forwarding(),
        ),
    );
    let before = ses_sent();
    let twice = format!("{}@example.org", unique("to"));
    mailer.send(&notification(&twice)).await.expect("sent");
    assert_eq!(ses_sent() - before, 2.0, "a lost answer sends twice");
}
