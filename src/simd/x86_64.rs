//! SSE2, which every x86-64 processor has, and AVX2, where `detect` finds it.
//!
//! Soundness rests on one rule: a value of a lane type (`sse2::Lanes`,
//! `avx2::Lanes`, their `Mask`s) or of [`Avx2Chunks`] is only ever made in a
//! function with `#[target_feature]` for its instruction set, and such a
//! function is only called once that set is known to be there. The methods
//! on those values are then safe to call.

use std::arch::x86_64::{
    __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_movemask_epi8,
    _mm_or_si128, _mm_set_epi64x, _mm_set1_epi8,
};

use super::lanes::{ChunkLanes, StretchBits, stretch_bits_of};
use super::stretch::{Stretch, stretch_prefix};
use super::{BLOCK, BlockClasses, ChunkReader};

/// 16 bytes, and the three after them.
const LOOKAHEAD_CHUNK: usize = 19;

/// 32 bytes, and the three after them.
const LOOKAHEAD_WIDE_CHUNK: usize = 35;

const _: () = assert!(LOOKAHEAD_WIDE_CHUNK <= super::stretch::MAX_LOOKAHEAD);

/// [`super::classify_block`] with SSE2, which does in one instruction what
/// takes word arithmetic a dozen.
#[inline]
pub(super) fn classify_block(block: &[u8; BLOCK]) -> BlockClasses {
    // SAFETY: SSE2 is part of x86-64: every processor that runs this code
    // has it.
    unsafe { classify_block_sse2(block) }
}

#[target_feature(enable = "sse2")]
fn classify_block_sse2(block: &[u8; BLOCK]) -> BlockClasses {
    let mut classes = BlockClasses::default();
    let chunks = block.as_chunks::<16>().0;
    for (at, chunk) in chunks.iter().enumerate() {
        let bytes = load(chunk);
        let shift = 16 * at;
        classes.printable |= bits(in_range(bytes, 0x20, 0x7e)) << shift;
        classes.tabs |= bits(equal(bytes, b'\t')) << shift;
        classes.escapes |= bits(equal(bytes, 0x1b)) << shift;
    }
    if classes.escapes != 0 {
        for (at, chunk) in chunks.iter().enumerate() {
            let bytes = load(chunk);
            let shift = 16 * at;
            classes.params |= bits(in_range(bytes, b'0', b';')) << shift;
            classes.finals |= bits(in_range(bytes, 0x40, 0x7e)) << shift;
            classes.brackets |= bits(equal(bytes, b'[')) << shift;
            classes.sgr_finals |= bits(equal(bytes, b'm')) << shift;
            classes.zeros |= bits(equal(bytes, b'0')) << shift;
            let modes = _mm_or_si128(
                _mm_or_si128(equal(bytes, b'h'), equal(bytes, b'l')),
                equal(bytes, b'r'),
            );
            classes.mode_finals |= bits(modes) << shift;
        }
    }
    classes
}

/// One bit a byte of `chunk`, for those that are printable ASCII.
#[inline]
pub(super) fn printable_bits(chunk: &[u8; 16]) -> u16 {
    // SAFETY: as for `classify_block`.
    unsafe { printable_bits_sse2(chunk) }
}

#[target_feature(enable = "sse2")]
fn printable_bits_sse2(chunk: &[u8; 16]) -> u16 {
    bits(in_range(load(chunk), 0x20, 0x7e)) as u16
}

#[target_feature(enable = "sse2")]
fn load(chunk: &[u8; 16]) -> __m128i {
    let halves = u128::from_le_bytes(*chunk);
    _mm_set_epi64x((halves >> 64) as i64, halves as i64)
}

/// Signed comparisons: bytes from 0x80 up are negative, in no range.
#[target_feature(enable = "sse2")]
fn in_range(bytes: __m128i, first: u8, last: u8) -> __m128i {
    _mm_and_si128(
        _mm_cmpgt_epi8(bytes, _mm_set1_epi8(first as i8 - 1)),
        _mm_cmplt_epi8(bytes, _mm_set1_epi8(last as i8 + 1)),
    )
}

#[target_feature(enable = "sse2")]
fn equal(bytes: __m128i, byte: u8) -> __m128i {
    _mm_cmpeq_epi8(bytes, _mm_set1_epi8(byte as i8))
}

#[target_feature(enable = "sse2")]
fn bits(mask: __m128i) -> u64 {
    u64::from(_mm_movemask_epi8(mask) as u16)
}

/// Stretches 16 bytes at a time. SSE2 is part of x86-64, so anyone may
/// make one.
#[derive(Clone, Copy, Debug)]
pub(super) struct Sse2Chunks;

impl ChunkReader for Sse2Chunks {
    const LEN: u32 = 16;
    const LOOKAHEAD: usize = LOOKAHEAD_CHUNK;

    #[inline(always)]
    fn classify(self, bytes: &[u8]) -> StretchBits {
        let chunk = bytes.first_chunk().expect("a chunk and the bytes after it");
        // SAFETY: SSE2 is part of x86-64.
        unsafe { stretch_bits_sse2(chunk) }
    }

    /// Baseline x86-64 has no instruction for it, and `count_ones` there is
    /// a dozen dependent word operations; two lookups are shorter.
    #[inline(always)]
    fn count_ones(self, bits: u32) -> usize {
        count_ones_16(bits as u16)
    }
}

/// How many bits of `bits` are set, by two lookups in a table of bytes.
fn count_ones_16(bits: u16) -> usize {
    const IN_BYTE: [u8; 256] = {
        let mut table = [0; 256];
        let mut byte = 0;
        while byte < 256 {
            table[byte] = (byte as u8).count_ones() as u8;
            byte += 1;
        }
        table
    };
    let [low, high] = bits.to_le_bytes();
    usize::from(IN_BYTE[usize::from(low)] + IN_BYTE[usize::from(high)])
}

#[target_feature(enable = "sse2")]
fn stretch_bits_sse2(bytes: &[u8; LOOKAHEAD_CHUNK]) -> StretchBits {
    stretch_bits_of(&sse2::Lanes::new(bytes))
}

/// Stretches 32 bytes at a time: the proof that the processor has AVX2 and
/// POPCNT. Its field is private to this file, and the only functions that
/// make one have `#[target_feature]` for both and keep it to themselves.
#[derive(Clone, Copy, Debug)]
pub(super) struct Avx2Chunks(());

impl ChunkReader for Avx2Chunks {
    const LEN: u32 = 32;
    const LOOKAHEAD: usize = LOOKAHEAD_WIDE_CHUNK;

    #[inline(always)]
    fn classify(self, bytes: &[u8]) -> StretchBits {
        let chunk = bytes.first_chunk().expect("a chunk and the bytes after it");
        // SAFETY: `self` exists, so the processor has AVX2 (see the type).
        unsafe { stretch_bits_avx2(chunk) }
    }

    /// With POPCNT, which [`stretch_with_avx2`] enables, one instruction.
    #[inline(always)]
    fn count_ones(self, bits: u32) -> usize {
        bits.count_ones() as usize
    }
}

/// [`super::StretchReaders::stretch`] with [`Avx2Chunks`], the loop
/// compiled for AVX2 and POPCNT.
#[target_feature(enable = "avx2,popcnt")]
pub(super) fn stretch_with_avx2(bytes: &[u8], room: usize, cjk: bool) -> Stretch {
    stretch_prefix(Avx2Chunks(()), bytes, room, cjk)
}

/// What the AVX2 reader gives the chunk at the start of `bytes`, where the
/// processor has it.
#[cfg(test)]
pub(super) fn avx2_classify(bytes: &[u8; LOOKAHEAD_WIDE_CHUNK]) -> Option<StretchBits> {
    #[target_feature(enable = "avx2,popcnt")]
    fn classify(bytes: &[u8]) -> StretchBits {
        Avx2Chunks(()).classify(bytes)
    }
    // SAFETY: AVX2 and POPCNT are there.
    (is_x86_feature_detected!("avx2") && is_x86_feature_detected!("popcnt"))
        .then(|| unsafe { classify(bytes) })
}

#[target_feature(enable = "avx2")]
fn stretch_bits_avx2(bytes: &[u8; LOOKAHEAD_WIDE_CHUNK]) -> StretchBits {
    stretch_bits_of(&avx2::Lanes::new(bytes))
}

/// [`ChunkLanes`] on the vectors of one instruction set, from its
/// intrinsics: `Lanes`, a chunk and the chunks one, two and three bytes on,
/// and `Mask`, a test's answer for each.
macro_rules! chunk_lanes {
    (
        feature: $feature:literal,
        vector: $vector:ty,
        lookahead: $lookahead:expr,
        load: $load:ident,
        equal: $equal:ident,
        greater: $greater:ident,
        splat: $splat:ident,
        and: $and:ident,
        or: $or:ident,
        and_not: $and_not:ident,
        bits: $bits:ident,
    ) => {
        pub(super) struct Lanes([$vector; 4]);

        #[derive(Clone, Copy)]
        pub(super) struct Mask($vector);

        // SAFETY, for every `unsafe` below: `Lanes` are only made by `new`,
        // whose target feature obliges its callers to have the instruction
        // set, and `Mask`s only by the methods of `Lanes` and `Mask`; every
        // load reads within `bytes`.
        impl Lanes {
            #[target_feature(enable = $feature)]
            pub(super) fn new(bytes: &[u8; $lookahead]) -> Self {
                let lane = std::mem::size_of::<$vector>();
                debug_assert!(lane + 3 == bytes.len());
                let at =
                    |offset: usize| unsafe { $load(bytes[offset..offset + lane].as_ptr().cast()) };
                Lanes([at(0), at(1), at(2), at(3)])
            }
        }

        impl ChunkLanes for Lanes {
            type Mask = Mask;

            #[inline(always)]
            fn in_range(&self, offset: usize, first: u8, last: u8) -> Mask {
                let bytes = self.0[offset];
                let above = |bound: u8| unsafe { $greater(bytes, $splat(bound as i8)) };
                let below = |bound: u8| unsafe { $greater($splat(bound as i8), bytes) };
                // Compared as signed bytes, 0x80..=0xFF come before
                // 0x00..=0x7F, and each range is whole in one of them: bounds
                // at 0x80 and 0x7F need no comparison.
                Mask(if first == last {
                    unsafe { $equal(bytes, $splat(first as i8)) }
                } else if first == 0x80 {
                    below(last.wrapping_add(1))
                } else if last == 0x7f {
                    above(first.wrapping_sub(1))
                } else {
                    unsafe { $and(above(first.wrapping_sub(1)), below(last.wrapping_add(1))) }
                })
            }

            #[inline(always)]
            fn and_not(mask: Mask, unless: Mask) -> Mask {
                Mask(unsafe { $and_not(unless.0, mask.0) })
            }

            #[inline(always)]
            fn bits(mask: Mask) -> u32 {
                unsafe { $bits(mask.0) as u32 }
            }
        }

        impl std::ops::BitAnd for Mask {
            type Output = Mask;

            #[inline(always)]
            fn bitand(self, other: Mask) -> Mask {
                Mask(unsafe { $and(self.0, other.0) })
            }
        }

        impl std::ops::BitOr for Mask {
            type Output = Mask;

            #[inline(always)]
            fn bitor(self, other: Mask) -> Mask {
                Mask(unsafe { $or(self.0, other.0) })
            }
        }
    };
}

mod sse2 {
    use super::ChunkLanes;
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };

    chunk_lanes! {
        feature: "sse2",
        vector: __m128i,
        lookahead: super::LOOKAHEAD_CHUNK,
        load: _mm_loadu_si128,
        equal: _mm_cmpeq_epi8,
        greater: _mm_cmpgt_epi8,
        splat: _mm_set1_epi8,
        and: _mm_and_si128,
        or: _mm_or_si128,
        and_not: _mm_andnot_si128,
        bits: _mm_movemask_epi8,
    }
}

mod avx2 {
    use super::ChunkLanes;
    use std::arch::x86_64::{
        __m256i, _mm256_and_si256, _mm256_andnot_si256, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8,
        _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8,
    };

    chunk_lanes! {
        feature: "avx2",
        vector: __m256i,
        lookahead: super::LOOKAHEAD_WIDE_CHUNK,
        load: _mm256_loadu_si256,
        equal: _mm256_cmpeq_epi8,
        greater: _mm256_cmpgt_epi8,
        splat: _mm256_set1_epi8,
        and: _mm256_and_si256,
        or: _mm256_or_si256,
        and_not: _mm256_andnot_si256,
        bits: _mm256_movemask_epi8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Random, rounds};

    /// Every byte now and then, and the bytes of `common` often.
    fn random_bytes<const N: usize>(random: &mut Random, common: &[u8]) -> [u8; N] {
        std::array::from_fn(|_| {
            let seed = random.next();
            match seed % 4 {
                0 => (seed >> 8) as u8,
                _ => common[(seed >> 8) as usize % common.len()],
            }
        })
    }

    #[test]
    fn stretch_bits_are_the_same_in_avx2_and_in_sse2() {
        let mut random = Random::new(0x510e_527f_ade6_82d1);
        let common =
            b"\x20\x7e\x80\x81\x82\x83\x92\x97\x98\x99\x9a\x9f\xa6\xaa\xb0\xb8\xbc\xbd\xbf\
            \xc3\xcc\xd0\xe3\xe4\xea\xed\xef\xf0";
        if avx2_classify(&[0; LOOKAHEAD_WIDE_CHUNK]).is_none() {
            eprintln!("skipped: this processor has no AVX2");
            return;
        }
        for _ in 0..rounds(50_000) {
            let bytes: [u8; LOOKAHEAD_WIDE_CHUNK] = random_bytes(&mut random, common);
            let half = |from: usize| Sse2Chunks.classify(&bytes[from..]);
            let (low, high) = (half(0), half(16));
            let both = |class: fn(&StretchBits) -> u32| class(&low) | class(&high) << 16;
            let expected = StretchBits {
                printable: both(|bits| bits.printable),
                letters: both(|bits| bits.letters),
                marks: both(|bits| bits.marks),
                wide: both(|bits| bits.wide),
                emoji: both(|bits| bits.emoji),
            };
            assert_eq!(avx2_classify(&bytes), Some(expected), "{bytes:x?}");
        }
    }

    #[test]
    fn block_classes_are_the_same_in_words_and_in_sse2() {
        let mut random = Random::new(0x9e37_79b9_7f4a_7c15);
        for _ in 0..rounds(20_000) {
            // The bytes of colour codes often.
            let block = random_bytes(&mut random, b"\x1b[0123456789;:m@~ax\t\x7f\x80");
            assert_eq!(
                classify_block(&block),
                super::super::words::classify_block(&block)
            );
        }
    }

    #[test]
    fn printable_bits_are_the_same_in_words_and_in_sse2() {
        let mut random = Random::new(0x0813_aa15_1234_5678);
        for _ in 0..rounds(20_000) {
            let chunk = random_bytes(&mut random, b"\x1f\x20\x7e\x7f\x80");
            assert_eq!(
                printable_bits(&chunk),
                super::super::words::chunk_bits(&chunk, &|word| {
                    super::super::words::in_range(word, 0x20, 0x7e)
                })
            );
        }
    }
}
