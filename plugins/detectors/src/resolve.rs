//! Turning overlapping candidates into a sorted, non-overlapping list.
//!
//! Detectors run independently, so one span can be claimed twice (a
//! subject's phone is also a generic phone; an e-mail's local part may look
//! like a name). The rule: among overlapping candidates the higher score
//! wins, then the longer span, then the earlier start, then the detector
//! listed first in [`Detector::ALL`](crate::Detector::ALL); a candidate is
//! kept when it overlaps none of the winners before it.
//!
//! Candidates are sorted by start and cut into clusters of transitively
//! overlapping spans. A cluster is usually one or two findings; it is
//! resolved in place (quadratic in its size) unless it is large, where a
//! `BTreeMap` of the kept spans keeps adversarial input (long chains of
//! overlapping e-mail-like tokens) at `n log n`.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::Finding;

/// Clusters up to this size are resolved in place without allocating.
const SMALL_CLUSTER: usize = 32;

/// Resolves overlaps among `out[base..]`, leaving it sorted by start.
pub(crate) fn resolve(out: &mut Vec<Finding>, base: usize) {
    let v = &mut out[base..];
    v.sort_unstable_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let n = v.len();
    let mut write = 0;
    let mut i = 0;
    while i < n {
        let mut reach = v[i].end;
        let mut j = i + 1;
        while j < n && v[j].start < reach {
            reach = reach.max(v[j].end);
            j += 1;
        }
        let kept = resolve_cluster(&mut v[i..j]);
        v.copy_within(i..i + kept, write);
        write += kept;
        i = j;
    }
    out.truncate(base + write);
}

/// Which of two candidates wins an overlap (`Less` = `a` wins).
fn priority(a: &Finding, b: &Finding) -> Ordering {
    b.score
        .total_cmp(&a.score)
        .then(b.len().cmp(&a.len()))
        .then(a.start.cmp(&b.start))
        .then((a.detector as u8).cmp(&(b.detector as u8)))
}

fn overlaps(a: &Finding, b: &Finding) -> bool {
    a.start < b.end && b.start < a.end
}

/// Resolves one cluster, moving the winners, sorted by start, to its front.
/// Returns how many were kept.
fn resolve_cluster(c: &mut [Finding]) -> usize {
    if c.len() == 1 {
        return 1;
    }
    c.sort_unstable_by(priority);
    let kept = if c.len() <= SMALL_CLUSTER {
        let mut kept = 0;
        for x in 0..c.len() {
            let f = c[x];
            if c[..kept].iter().all(|k| !overlaps(k, &f)) {
                c[kept] = f;
                kept += 1;
            }
        }
        kept
    } else {
        // Kept spans are disjoint, so only the last one starting before
        // `f.end` can overlap `f`.
        let mut spans = BTreeMap::new();
        let mut kept = 0;
        for x in 0..c.len() {
            let f = c[x];
            let clash = spans
                .range(..f.end)
                .next_back()
                .is_some_and(|(_, &end)| end > f.start);
            if !clash {
                spans.insert(f.start, f.end);
                c[kept] = f;
                kept += 1;
            }
        }
        kept
    };
    c[..kept].sort_unstable_by_key(|f| f.start);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Detector;

    fn f(start: usize, end: usize, detector: Detector, score: f32) -> Finding {
        Finding {
            start,
            end,
            detector,
            score,
        }
    }

    #[test]
    fn higher_score_then_longer_wins() {
        let mut v = vec![
            f(0, 10, Detector::Phone, 0.6),
            f(0, 10, Detector::SePersonnummer, 0.65),
            f(20, 30, Detector::Email, 0.9),
            f(22, 26, Detector::SubjectName, 0.7),
            f(40, 45, Detector::Phone, 0.8),
            f(40, 50, Detector::Phone, 0.8),
        ];
        resolve(&mut v, 0);
        let got: Vec<_> = v.iter().map(|x| (x.start, x.end, x.detector)).collect();
        assert_eq!(
            got,
            [
                (0, 10, Detector::SePersonnummer),
                (20, 30, Detector::Email),
                (40, 50, Detector::Phone)
            ]
        );
    }

    #[test]
    fn keeps_what_a_loser_no_longer_blocks() {
        // B beats A and C; A and C do not overlap each other but both touch B.
        let mut v = vec![
            f(0, 5, Detector::Phone, 0.6),
            f(4, 8, Detector::SubjectPhone, 0.98),
            f(7, 12, Detector::Phone, 0.6),
            f(12, 14, Detector::IpV4, 0.85),
        ];
        let before = v.len();
        v.insert(0, f(100, 101, Detector::IpV6, 0.1)); // before `base`
        resolve(&mut v, 1);
        assert_eq!(v.len(), 3);
        assert_eq!(before, 4);
        assert_eq!((v[1].start, v[2].start), (4, 12));
    }

    #[test]
    fn long_chains_resolve_like_short_ones() {
        let chain: Vec<_> = (0..1000)
            .map(|i| f(i * 5, i * 5 + 7, Detector::Email, 0.9))
            .collect();
        let mut v = chain.clone();
        resolve(&mut v, 0);
        assert_eq!(v.len(), 500);
        assert!(v.windows(2).all(|w| w[0].end <= w[1].start));
        assert_eq!(v[1].start, 10);
    }
}
