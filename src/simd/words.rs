//! Tests on the eight bytes of a `u64` at once (SIMD within a register), on
//! any processor and without `unsafe`. A test gives the high bit of each
//! byte that passes. On x86-64, where SSE2 does the same in an instruction,
//! the block fallbacks here serve the tests as the reference.

use super::{BLOCK, BlockClasses};

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
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub(crate) fn gather(high_bits: u64) -> u64 {
    (high_bits & HIGH).wrapping_mul(0x0002_0408_1020_4081) >> 56
}

/// The bits below bit `end` (all 64 from 64 on).
#[inline]
pub(crate) fn below(end: u32) -> u64 {
    1u64.checked_shl(end).map_or(u64::MAX, |bit| bit - 1)
}

/// The highest of the set bits of `bits` below bit `end`, which must be one.
#[inline]
pub(crate) fn highest_below(bits: u64, end: u32) -> u32 {
    63 - (bits & below(end)).leading_zeros()
}

/// The bits of `bits` moved to twice their place: bit `i` to bit `2 * i`.
pub(crate) fn spread(bits: u64) -> u64 {
    debug_assert!(bits >> 32 == 0);
    let bits = (bits | bits << 16) & 0x0000_ffff_0000_ffff;
    let bits = (bits | bits << 8) & 0x00ff_00ff_00ff_00ff;
    let bits = (bits | bits << 4) & 0x0f0f_0f0f_0f0f_0f0f;
    let bits = (bits | bits << 2) & 0x3333_3333_3333_3333;
    (bits | bits << 1) & 0x5555_5555_5555_5555
}

/// The position of the set bit of `bits` that has `rank` set bits below it,
/// or 64 if there is none: without a loop over the bits, whose count no
/// branch predictor could guess.
pub(crate) fn nth_set_bit(bits: u64, rank: usize) -> u32 {
    /// Where the set bits of each byte value are, by rank; 8 past the last.
    const IN_BYTE: [[u8; 8]; 256] = {
        let mut table = [[8; 8]; 256];
        let mut byte = 0;
        while byte < 256 {
            let mut rank = 0;
            let mut at = 0;
            while at < 8 {
                if byte >> at & 1 == 1 {
                    table[byte][rank] = at as u8;
                    rank += 1;
                }
                at += 1;
            }
            byte += 1;
        }
        table
    };
    if rank >= 64 {
        return 64;
    }
    // The set bits of each byte, then of each byte and those below it: at
    // most 64, so every sum stays within its byte.
    let pairs = bits - ((bits >> 1) & 0x5555_5555_5555_5555);
    let nibbles = (pairs & 0x3333_3333_3333_3333) + ((pairs >> 2) & 0x3333_3333_3333_3333);
    let counts = (nibbles + (nibbles >> 4)) & 0x0f0f_0f0f_0f0f_0f0f;
    let running = counts.wrapping_mul(LOW);
    // The first byte whose running count passes `rank` holds the bit.
    let passing = at_least(running, rank as u8 + 1);
    if passing == 0 {
        return 64;
    }
    let byte_at = passing.trailing_zeros() / 8;
    let below = ((running << 8) >> (8 * byte_at)) as usize & 0xff;
    let byte = (bits >> (8 * byte_at)) as u8;
    8 * byte_at + u32::from(IN_BYTE[usize::from(byte)][rank - below])
}

/// One bit a byte of `chunk`, for those whose high bit `test` sets in the
/// word they are read in.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub(crate) fn chunk_bits(chunk: &[u8; 16], test: &dyn Fn(u64) -> u64) -> u16 {
    let halves = u128::from_le_bytes(*chunk);
    let low = gather(test(halves as u64));
    let high = gather(test((halves >> 64) as u64));
    (low | high << 8) as u16
}

/// [`super::classify_block`] in word arithmetic.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub(crate) fn classify_block(block: &[u8; BLOCK]) -> BlockClasses {
    let mut classes = BlockClasses::default();
    let words: [u64; BLOCK / 8] =
        std::array::from_fn(|at| u64::from_le_bytes(block.as_chunks::<8>().0[at]));
    for (at, &word) in words.iter().enumerate() {
        let shift = 8 * at;
        classes.printable |= gather(in_range(word, 0x20, 0x7e)) << shift;
        classes.tabs |= gather(equal(word, b'\t')) << shift;
        classes.escapes |= gather(equal(word, 0x1b)) << shift;
    }
    if classes.escapes != 0 {
        for (at, &word) in words.iter().enumerate() {
            let shift = 8 * at;
            classes.params |= gather(in_range(word, b'0', b';')) << shift;
            classes.finals |= gather(in_range(word, 0x40, 0x7e)) << shift;
            classes.brackets |= gather(equal(word, b'[')) << shift;
            classes.sgr_finals |= gather(equal(word, b'm')) << shift;
            classes.zeros |= gather(equal(word, b'0')) << shift;
            let modes = equal(word, b'h') | equal(word, b'l') | equal(word, b'r');
            classes.mode_finals |= gather(modes) << shift;
        }
    }
    classes
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
    fn nth_set_bit_counts_the_bits_below() {
        let mut random = crate::testing::Random::new(0x1234_5678_9abc_def1);
        for round in 0..crate::testing::rounds(20_000) {
            // Sparse, dense and every-other words as well as random ones.
            let bits = match round % 4 {
                0 => random.next(),
                1 => random.next() & random.next() & random.next(),
                2 => random.next() | random.next() | random.next(),
                _ => 0x5555_5555_5555_5555 << (round % 2),
            };
            let mut rest = bits;
            for rank in 0..70 {
                let expected = if rank < 64 { rest.trailing_zeros() } else { 64 };
                assert_eq!(nth_set_bit(bits, rank), expected, "{bits:#x} rank {rank}");
                if rank < 64 {
                    rest &= rest.wrapping_sub(1);
                }
            }
        }
        assert_eq!(nth_set_bit(0, 0), 64);
        assert_eq!(nth_set_bit(u64::MAX, 63), 63);
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
