//! What to break: a [`FaultPlan`] is a list of [`Rule`]s; a rule picks
//! calls by service and operation, decides which of the matching calls
//! fail ([`Calls`]), and says how ([`Fault`]).
//!
//! Every rule counts the calls it matches, whether or not it fires, so
//! "every 2nd `UpdateItem`" means the 2nd, 4th, 6th, … `UpdateItem` the
//! proxy sees — the SDK's retry of a failed 2nd call is the 3rd, which
//! passes. The first rule (in plan order) that fires decides the call's
//! fate; later rules still count it.
//!
//! Calls are numbered in the order they reach the proxy. With concurrent
//! callers that order varies from run to run, so *which* request fails
//! varies too, but *how many* fail does not: [`Calls::EveryNth`] and
//! [`Calls::FirstK`] are exact, and [`Calls::Fraction`] draws the same
//! sequence of decisions for the same seed.
//!
//! **Retries under concurrency.** With one caller, "every 2nd call"
//! guarantees that a failed call's retry passes. With sixteen callers the
//! retry's number is anyone's guess: a call can draw even numbers five
//! times running and run out of attempts — a 50 % failure rate, not "each
//! call fails once". [`Rule::up_to_attempt`] restricts a rule to the
//! SDK's first attempts of each call (the SDK numbers them in the
//! `amz-sdk-request: attempt=N; max=M` header), so `.every(2)
//! .up_to_attempt(1)` breaks every second *call* exactly once, however
//! the calls interleave.

use std::fmt;

/// Which of a rule's matching calls it breaks (counting from 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Calls {
    /// Every matching call.
    All,
    /// Calls number `n`, `2n`, `3n`, … (`EveryNth(2)`: every second call).
    /// `EveryNth(0)` never fires.
    EveryNth(u64),
    /// The first `k` matching calls, then none.
    FirstK(u64),
    /// Each call with probability `fraction` (0.0 to 1.0), decided by a
    /// hash of `seed` and the call's number: the same seed gives the same
    /// decisions.
    Fraction {
        /// The share of calls broken, 0.0 to 1.0.
        fraction: f64,
        /// The seed of the decisions.
        seed: u64,
    },
}

impl Calls {
    /// Whether the call numbered `n` (1-based) is broken.
    pub fn fires(&self, n: u64) -> bool {
        match *self {
            Calls::All => true,
            Calls::EveryNth(0) => false,
            Calls::EveryNth(every) => n.is_multiple_of(every),
            Calls::FirstK(k) => n <= k,
            Calls::Fraction { fraction, seed } => {
                // The top 53 bits of a well-mixed 64-bit hash, as a
                // uniform fraction in [0, 1).
                let draw = (splitmix64(seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15)) >> 11) as f64
                    / (1u64 << 53) as f64;
                draw < fraction
            }
        }
    }
}

/// SplitMix64's finaliser: a cheap, well-mixed 64-bit hash.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// How a call is broken. The answers are shaped as the real service
/// shapes them (status, headers, body), per service; see the `answers`
/// module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The service's own throttling answer: DynamoDB
    /// `ProvisionedThroughputExceededException` (400), S3 `SlowDown`
    /// (503), SQS `RequestThrottled` (400), SESv2
    /// `TooManyRequestsException` (429). The SDK retries it as a
    /// throttling error.
    Throttle,
    /// The generic `ThrottlingException` (400) of the JSON services
    /// (DynamoDB, SQS); S3 answers `SlowDown`, SESv2
    /// `TooManyRequestsException`.
    ThrottlingException,
    /// HTTP 500 in the service's shape (`InternalServerError`,
    /// `InternalError`, `InternalFailure`). Retried as transient.
    InternalError,
    /// HTTP 503 in the service's shape (`ServiceUnavailable`). Retried as
    /// transient.
    Unavailable,
    /// The connection is closed without an answer. The SDK sees an I/O
    /// error and retries it as transient.
    Reset,
    /// A batch call half-done, as the service does it under load: the
    /// last `held_back` entries (at most all but one) are not forwarded
    /// and come back as unprocessed — DynamoDB `BatchWriteItem`'s
    /// `UnprocessedItems`, SQS `SendMessageBatch` / `DeleteMessageBatch` /
    /// `ChangeMessageVisibilityBatch`'s `Failed` entries (not the
    /// sender's fault). The call itself succeeds, so the SDK does not
    /// retry: the caller must. Other operations pass unchanged.
    PartialBatch {
        /// How many entries are held back (at most all but one).
        held_back: usize,
    },
    /// A DynamoDB `Query` or `Scan` stops early, as at the 1 MB response
    /// limit: its `Limit` is lowered to `limit`, so the page is short and
    /// carries a `LastEvaluatedKey`. Other operations pass unchanged.
    ShortPage {
        /// The largest page the call may return.
        limit: u32,
    },
    /// The call is held for `millis` milliseconds, then forwarded; the
    /// answer is the server's own. A service (or the network to it) under
    /// load: nothing fails, everything waits. ([`Rule::after_forwarding`]
    /// does not apply.)
    Slow {
        /// How long each matching call is held before it is forwarded.
        millis: u64,
    },
}

impl Fault {
    /// Whether the fault rewrites the call instead of failing it.
    pub fn is_rewrite(&self) -> bool {
        matches!(self, Fault::PartialBatch { .. } | Fault::ShortPage { .. })
    }
}

/// One rule: which calls (service, operations, [`Calls`]) and what
/// happens to them ([`Fault`]).
///
/// ```
/// use lethe_fault_proxy::{Fault, Rule};
///
/// // Every second DynamoDB write is throttled.
/// let rule = Rule::new("dynamodb", Fault::Throttle)
///     .operations(["PutItem", "UpdateItem"])
///     .every(2);
/// # let _ = rule;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    service: String,
    operations: Vec<String>,
    calls: Calls,
    fault: Fault,
    after_forwarding: bool,
    at_most: Option<u64>,
    max_attempt: Option<u32>,
}

impl Rule {
    /// Breaks every call to `service` (`"dynamodb"`, `"s3"`, `"sqs"`,
    /// `"sesv2"`, or `"*"` for any) with `fault`; narrow it with the
    /// builder methods.
    pub fn new(service: &str, fault: Fault) -> Rule {
        Rule {
            service: service.to_owned(),
            operations: Vec::new(),
            calls: Calls::All,
            fault,
            after_forwarding: false,
            at_most: None,
            max_attempt: None,
        }
    }

    /// Only this operation (`"UpdateItem"`, `"PutObject"`, …); call again
    /// to add more.
    #[must_use]
    pub fn operation(mut self, operation: &str) -> Rule {
        self.operations.push(operation.to_owned());
        self
    }

    /// Only these operations.
    #[must_use]
    pub fn operations<'a>(mut self, operations: impl IntoIterator<Item = &'a str>) -> Rule {
        self.operations
            .extend(operations.into_iter().map(str::to_owned));
        self
    }

    /// Which matching calls are broken.
    #[must_use]
    pub fn calls(mut self, calls: Calls) -> Rule {
        self.calls = calls;
        self
    }

    /// Every `n`th matching call ([`Calls::EveryNth`]).
    #[must_use]
    pub fn every(self, n: u64) -> Rule {
        self.calls(Calls::EveryNth(n))
    }

    /// The first `k` matching calls ([`Calls::FirstK`]).
    #[must_use]
    pub fn first(self, k: u64) -> Rule {
        self.calls(Calls::FirstK(k))
    }

    /// A seeded pseudo-random share of the matching calls
    /// ([`Calls::Fraction`]).
    #[must_use]
    pub fn fraction(self, fraction: f64, seed: u64) -> Rule {
        self.calls(Calls::Fraction { fraction, seed })
    }

    /// "Forward then fail": the call is forwarded first — it *happens* —
    /// and the client gets the fault instead of the answer. The nastiest
    /// case for idempotency: the client's retry meets its own write.
    /// Ignored for the rewriting faults ([`Fault::is_rewrite`]).
    #[must_use]
    pub fn after_forwarding(mut self) -> Rule {
        self.after_forwarding = true;
        self
    }

    /// Only the SDK's attempts `1..=k` of each call match (read from the
    /// `amz-sdk-request` header; a request without it counts as a first
    /// attempt). `up_to_attempt(1)`: retries always pass.
    #[must_use]
    pub fn up_to_attempt(mut self, k: u32) -> Rule {
        self.max_attempt = Some(k);
        self
    }

    /// Stops after breaking `n` calls.
    #[must_use]
    pub fn at_most(mut self, n: u64) -> Rule {
        self.at_most = Some(n);
        self
    }

    /// The fault this rule injects.
    pub fn fault(&self) -> Fault {
        self.fault
    }

    /// Whether the rule covers this call: its service, its operation, and
    /// the SDK's attempt number (1 for the first try).
    pub fn matches(&self, service: &str, operation: &str, attempt: u32) -> bool {
        (self.service == "*" || self.service == service)
            && (self.operations.is_empty() || self.operations.iter().any(|o| o == operation))
            && self.max_attempt.is_none_or(|k| attempt <= k)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} on {}", self.fault, self.service)?;
        if !self.operations.is_empty() {
            write!(f, " {}", self.operations.join("|"))?;
        }
        write!(f, " ({:?}", self.calls)?;
        if let Some(k) = self.max_attempt {
            write!(f, ", attempts 1..={k}")?;
        }
        if self.after_forwarding {
            f.write_str(", after forwarding")?;
        }
        f.write_str(")")
    }
}

/// The rules a proxy applies, in order. [`FaultPlan::default`] breaks
/// nothing: the proxy only forwards and counts.
///
/// ```
/// use lethe_fault_proxy::{Fault, FaultPlan, Rule};
///
/// let plan = FaultPlan::new()
///     .rule(Rule::new("s3", Fault::InternalError).operation("PutObject").every(2))
///     .rule(Rule::new("sqs", Fault::Throttle).first(3));
/// assert_eq!(plan.rules().len(), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultPlan {
    rules: Vec<Rule>,
}

impl FaultPlan {
    /// A plan with no rules.
    pub fn new() -> FaultPlan {
        FaultPlan::default()
    }

    /// Adds a rule after the others.
    #[must_use]
    pub fn rule(mut self, rule: Rule) -> FaultPlan {
        self.rules.push(rule);
        self
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }
}

/// What the proxy does with one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Decision {
    /// The fault.
    pub(crate) fault: Fault,
    /// Whether the call is forwarded before the fault is answered.
    pub(crate) after_forwarding: bool,
}

/// A plan with its counters: how many calls each rule matched and broke.
#[derive(Debug, Default)]
pub(crate) struct Schedule {
    rules: Vec<(Rule, u64, u64)>,
}

impl Schedule {
    /// A schedule for `plan`, every counter at zero.
    pub(crate) fn new(plan: FaultPlan) -> Schedule {
        Schedule {
            rules: plan.rules.into_iter().map(|r| (r, 0, 0)).collect(),
        }
    }

    /// Counts the call against every rule that matches it; the first rule
    /// that fires decides.
    pub(crate) fn decide(
        &mut self,
        service: &str,
        operation: &str,
        attempt: u32,
    ) -> Option<Decision> {
        let mut decision = None;
        for (rule, seen, fired) in &mut self.rules {
            if !rule.matches(service, operation, attempt) {
                continue;
            }
            *seen += 1;
            let spent = rule.at_most.is_some_and(|max| *fired >= max);
            if decision.is_none() && !spent && rule.calls.fires(*seen) {
                *fired += 1;
                decision = Some(Decision {
                    fault: rule.fault,
                    after_forwarding: rule.after_forwarding && !rule.fault.is_rewrite(),
                });
            }
        }
        decision
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fired(calls: Calls, n: u64) -> Vec<u64> {
        (1..=n).filter(|&i| calls.fires(i)).collect()
    }

    #[test]
    fn call_selections() {
        assert_eq!(fired(Calls::EveryNth(2), 7), [2, 4, 6]);
        assert_eq!(fired(Calls::EveryNth(3), 7), [3, 6]);
        assert!(fired(Calls::EveryNth(0), 7).is_empty());
        assert_eq!(fired(Calls::FirstK(2), 7), [1, 2]);
        assert_eq!(fired(Calls::All, 3), [1, 2, 3]);
    }

    #[test]
    fn fractions_are_seeded_and_about_right() {
        let a = Calls::Fraction {
            fraction: 0.25,
            seed: 7,
        };
        let b = Calls::Fraction {
            fraction: 0.25,
            seed: 8,
        };
        assert_eq!(fired(a, 4000), fired(a, 4000));
        assert_ne!(fired(a, 4000), fired(b, 4000));
        let share = fired(a, 4000).len();
        assert!((800..1200).contains(&share), "{share}");
        let none = Calls::Fraction {
            fraction: 0.0,
            seed: 1,
        };
        let all = Calls::Fraction {
            fraction: 1.0,
            seed: 1,
        };
        assert!(fired(none, 100).is_empty());
        assert_eq!(fired(all, 100).len(), 100);
    }

    #[test]
    fn rules_match_service_and_operations() {
        let r = Rule::new("dynamodb", Fault::Throttle).operations(["PutItem", "UpdateItem"]);
        assert!(r.matches("dynamodb", "PutItem", 1));
        assert!(r.matches("dynamodb", "UpdateItem", 1));
        assert!(!r.matches("dynamodb", "Query", 1));
        assert!(!r.matches("sqs", "PutItem", 1));
        let any = Rule::new("*", Fault::Reset);
        assert!(any.matches("s3", "GetObject", 3));
    }

    #[test]
    fn every_rule_counts_and_the_first_that_fires_decides() {
        let plan = FaultPlan::new()
            .rule(Rule::new("s3", Fault::InternalError).every(2))
            .rule(
                Rule::new("s3", Fault::Unavailable)
                    .operation("GetObject")
                    .every(3),
            );
        let mut s = Schedule::new(plan);
        let got: Vec<Option<Fault>> = (0..6)
            .map(|_| s.decide("s3", "GetObject", 1).map(|d| d.fault))
            .collect();
        // Call 2, 4, 6: rule 1; call 3: rule 2 (call 6 is rule 1's too).
        assert_eq!(
            got,
            [
                None,
                Some(Fault::InternalError),
                Some(Fault::Unavailable),
                Some(Fault::InternalError),
                None,
                Some(Fault::InternalError),
            ]
        );
        assert_eq!(s.decide("sqs", "SendMessage", 1), None);
    }

    #[test]
    fn up_to_attempt_lets_retries_pass() {
        let plan = FaultPlan::new().rule(
            Rule::new("dynamodb", Fault::Throttle)
                .every(2)
                .up_to_attempt(1),
        );
        let mut s = Schedule::new(plan);
        // Interleaved calls: first attempts 1..=4, and retries.
        let got: Vec<bool> = [(1, 1), (2, 1), (3, 2), (4, 1), (5, 2), (6, 1)]
            .iter()
            .map(|&(_, attempt)| s.decide("dynamodb", "UpdateItem", attempt).is_some())
            .collect();
        // The 2nd and 4th first attempts fail; retries never do.
        assert_eq!(got, [false, true, false, false, false, true]);
    }

    #[test]
    fn at_most_caps_a_rule_and_rewrites_are_never_forwarded_first() {
        let plan = FaultPlan::new()
            .rule(Rule::new("sqs", Fault::Throttle).at_most(2))
            .rule(Rule::new("dynamodb", Fault::ShortPage { limit: 3 }).after_forwarding());
        let mut s = Schedule::new(plan);
        let broken = (0..5).filter(|_| s.decide("sqs", "ReceiveMessage", 1).is_some());
        assert_eq!(broken.count(), 2);
        let d = s.decide("dynamodb", "Query", 1).expect("fires");
        assert!(!d.after_forwarding);
    }
}
