//! Tests on the eight bytes of a `u64` at once (SIMD within a register), in
//! the form baseline x86-64 runs fast without `unsafe`. A test gives the high
//! bit of each byte that passes.

pub(crate) const LOW: u64 = u64::from_ne_bytes([0x01; 8]);
pub(crate) const HIGH: u64 = LOW * 0x80;

/// The high bit of each byte of `word` that is at least `least`, for bytes
/// below 0x80. The sums never carry into the next byte, so every byte is
/// tested exactly.
pub(crate) fn at_least(word: u64, least: u8) -> u64 {
    ((word & !HIGH) + LOW * u64::from(0x80 - least)) & HIGH
}

/// The high bit of each byte of `word` that is ASCII in `range`.
pub(crate) fn in_range(word: u64, first: u8, last: u8) -> u64 {
    debug_assert!(first <= last && last < 0x80);
    let high_bound = if last == 0x7f {
        0
    } else {
        at_least(word, last + 1)
    };
    at_least(word, first) & !high_bound & !word & HIGH
}

/// The high bit of each byte of `word` that is `byte` (ASCII).
pub(crate) fn equal(word: u64, byte: u8) -> u64 {
    debug_assert!(byte.is_ascii());
    !(at_least(word ^ (LOW * u64::from(byte)), 1) | word) & HIGH
}

/// The high bits of a test, one bit a byte: bit `i` for byte `i` (in memory
/// order, the word read little-endian).
#[cfg(any(not(target_arch = "x86_64"), test))]
pub(crate) fn gather(high_bits: u64) -> u64 {
    (high_bits & HIGH).wrapping_mul(0x0002_0408_1020_4081) >> 56
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every test against its byte-by-byte meaning, for every byte in every
    /// position among neighbours that could carry or borrow into it.
    #[test]
    fn tests_are_exact_for_every_byte() {
        for byte in 0..=u8::MAX {
            for neighbours in [0x00, 0x7f, 0x80, 0xff, 0x1b, 0x30] {
                for at in 0..8 {
                    let mut bytes = [neighbours; 8];
                    bytes[at] = byte;
                    let word = u64::from_le_bytes(bytes);
                    let bit = |passes: bool| u64::from(passes) << at;
                    let only = |mask: u64| gather(mask) & (1 << at);
                    assert_eq!(
                        only(in_range(word, 0x20, 0x7e)),
                        bit((0x20..=0x7e).contains(&byte))
                    );
                    assert_eq!(
                        only(in_range(word, 0x40, 0x7f)),
                        bit((0x40..=0x7f).contains(&byte))
                    );
                    assert_eq!(
                        only(in_range(word, 0x30, 0x3b)),
                        bit((0x30..=0x3b).contains(&byte))
                    );
                    assert_eq!(only(equal(word, 0x1b)), bit(byte == 0x1b));
                    assert_eq!(only(equal(word, b'[')), bit(byte == b'['));
                    assert_eq!(
                        only(at_least(word, 0x20) & !word),
                        bit((0x20..0x80).contains(&byte))
                    );
                }
            }
        }
    }

    #[test]
    fn gather_keeps_the_order_of_the_bytes() {
        for bits in 0..=u8::MAX {
            let spread = (0..8).fold(0, |word, at| {
                word | (u64::from(bits >> at & 1) << (8 * at + 7))
            });
            assert_eq!(gather(spread), u64::from(bits));
        }
    }
}
