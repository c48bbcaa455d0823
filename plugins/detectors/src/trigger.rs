//! Trigger bytes: the few bytes that can start a value, and the search for
//! the next one.
//!
//! Most of a chat transcript is letters, spaces and punctuation, none of
//! which can start a value, so the scanner spends much of its time looking
//! for the next trigger. [`next`] tests sixteen bytes per step with the
//! `wide` crate's `u8x16`, a safe vector type that compiles to SSE2 natively
//! on `x86_64`, to `simd128` in the plugin (built with that feature, see
//! `plugins/.cargo/config.toml`) and to NEON on `aarch64`: one
//! implementation, no `unsafe`, and the plugin and the native build stop at
//! the same bytes for nearly the same instructions per block. (Written as
//! plain per-byte comparisons instead, LLVM vectorizes the compares but
//! not the gathering of their results into one mask, on either target.)
//!
//! Inside a plugin the step width matters more than natively: the engine
//! checks its deadline at every loop iteration, and Cranelift keeps a big
//! function's loop state in memory, so each iteration has a fixed cost
//! that a wider step pays less often.
//!
//! The kernel is tested against [`CLASS`], byte by byte and position by
//! position.

use wide::u8x16;

/// Not a trigger.
pub(crate) const SKIP: u8 = 0;
/// `0`-`9`: the numeric detectors.
pub(crate) const DIGIT: u8 = 1;
/// `+`: a phone number's country code.
pub(crate) const PLUS: u8 = 2;
/// `(`: a phone number's area code, or `(at)` in a spelled e-mail.
pub(crate) const PAREN: u8 = 3;
/// `@`: an e-mail address, read backwards and forwards.
pub(crate) const AT: u8 = 4;
/// `:`: an IPv6 address.
pub(crate) const COLON: u8 = 5;
/// `[` or `{`: `[at]` or `{at}` in a spelled e-mail.
pub(crate) const BRACKET: u8 = 6;

/// What each byte can start.
pub(crate) const CLASS: [u8; 256] = {
    let mut t = [SKIP; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = match i as u8 {
            b'0'..=b'9' => DIGIT,
            b'+' => PLUS,
            b'(' => PAREN,
            b'@' => AT,
            b':' => COLON,
            b'[' | b'{' => BRACKET,
            _ => SKIP,
        };
        i += 1;
    }
    t
};

/// The first trigger byte at or after `i`, or `b.len()` if there is none.
///
/// A text of at least sixteen bytes is read in whole blocks only: its last
/// block is the text's last sixteen bytes, overlapping the block before,
/// with the bytes before `i` shifted out of its mask.
#[inline]
pub(crate) fn next(b: &[u8], mut i: usize) -> usize {
    let n = b.len();
    while let Some(block) = b.get(i..).and_then(<[u8]>::first_chunk::<WIDTH>) {
        let m = mask(block);
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
        i += WIDTH;
    }
    if i >= n {
        return n;
    }
    match b.last_chunk::<WIDTH>() {
        Some(last) => {
            let m = mask(last) >> (WIDTH - (n - i));
            if m != 0 {
                i + m.trailing_zeros() as usize
            } else {
                n
            }
        }
        None => next_by_table(b, i),
    }
}

/// Bytes tested per step.
const WIDTH: usize = 16;

/// Bit `k` set when `block[k]` is a trigger.
///
/// One vector of sixteen bytes: a range test for digits and `:`
/// (`0x30..=0x3A`, at most 10 once `b'0'` is subtracted) and equality
/// with `+`, `(`, `@` and `{` (`[` and `{` differ in bit `0x20` only, and
/// no other byte ORs to `{`), then the high bit of each lane gathered
/// into an integer (`pmovmskb`, `i8x16.bitmask`).
#[inline(always)]
fn mask(block: &[u8; WIDTH]) -> u32 {
    let v = u8x16::new(*block);
    let d = v - u8x16::splat(b'0');
    let digit_or_colon = d.min(u8x16::splat(10)).simd_eq(d);
    let bracket = (v | u8x16::splat(0x20)).simd_eq(u8x16::splat(b'{'));
    let singles = v.simd_eq(u8x16::splat(b'+'))
        | v.simd_eq(u8x16::splat(b'('))
        | v.simd_eq(u8x16::splat(b'@'))
        | bracket;
    (digit_or_colon | singles).to_bitmask()
}

/// The first trigger at or after `i` by table lookup, one byte at a time:
/// the tail of a text shorter than a block, and the reference the kernel
/// is tested against.
#[inline]
fn next_by_table(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && CLASS[b[i] as usize] == SKIP {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mask_marks_exactly_the_trigger_bytes() {
        for byte in 0..=255u8 {
            for pos in 0..WIDTH {
                let mut block = *b"abc def ghi jkl ";
                block[pos] = byte;
                let expected = if CLASS[byte as usize] != SKIP {
                    1 << pos
                } else {
                    0
                };
                assert_eq!(mask(&block), expected, "byte {byte:#x} at {pos}");
            }
        }
    }

    #[test]
    fn next_stops_at_the_first_trigger_byte() {
        let text = b"Hello, World. Quiet text; no value here at all? Yes: 7";
        let first = text.iter().position(|c| CLASS[*c as usize] != SKIP);
        assert_eq!(first, Some(51));
        assert_eq!(next(text, 0), 51);
        assert_eq!(next(text, 52), 53);
        assert_eq!(next(text, 54), text.len());
        assert_eq!(next(b"short", 0), 5);
        assert_eq!(next(b"", 0), 0);
        assert_eq!(next(b"abc", 3), 3);
    }

    #[test]
    fn next_agrees_with_the_table_at_every_length_start_and_position() {
        for len in 0..3 * WIDTH {
            for at in 0..=len {
                let mut t = vec![b'x'; len];
                if at < len {
                    t[at] = b'@';
                }
                for start in 0..=len {
                    assert_eq!(
                        next(&t, start),
                        next_by_table(&t, start),
                        "len {len}, trigger at {at}, from {start}"
                    );
                }
            }
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn next_agrees_with_the_table(
                text in proptest::collection::vec(
                    prop_oneof![6 => b'a'..=b'z', 1 => any::<u8>()], 0..100),
                start in 0usize..100,
            ) {
                let start = start.min(text.len());
                prop_assert_eq!(next(&text, start), next_by_table(&text, start));
            }
        }
    }
}
