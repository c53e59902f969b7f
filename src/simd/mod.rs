//! The only home of `unsafe` and of code written for one processor: bytes
//! sorted into classes 16, 32 or 64 at a time, and the search for a line's
//! end. The interface is safe; which instructions run is decided once, where
//! a value of this module is made. Processors other than x86-64 take word
//! arithmetic ([`words`]) for blocks and no shortcut for stretches of text,
//! where word arithmetic is slower than none.
//!
//! The model is memchr's `arch` layout: one file per instruction set, each
//! `unsafe` beside the argument that makes it sound.

#![allow(unsafe_code)]
// Other processors have no chunk reader: the stretch loop and its classes
// are compiled for them but never run.
#![cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]

mod lanes;
mod stretch;
pub(crate) mod words;
#[cfg(target_arch = "x86_64")]
mod x86_64;

pub(crate) use lanes::StretchBits;
#[cfg(test)]
pub(crate) use stretch::MAX_LOOKAHEAD;
pub(crate) use stretch::{MIN_STRETCH_ROOM, Stretch};

/// The bytes of a block that [`classify_block`] sorts.
pub(crate) const BLOCK: usize = 64;

/// The bytes of a block in the classes of plain text and colour codes, one
/// bit a byte. The bytes of sequences only matter where one starts, so in a
/// block without an ESC (tab-separated values) they are not sorted:
/// `params`, `finals`, `brackets`, `sgr_finals`, `zeros` and `mode_finals`
/// are then 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct BlockClasses {
    /// 0x20..=0x7E
    pub printable: u64,
    pub tabs: u64,
    /// The parameter bytes of a plain CSI sequence: digits, ':' and ';'.
    pub params: u64,
    /// 0x40..=0x7E
    pub finals: u64,
    pub escapes: u64,
    pub brackets: u64,
    /// `m`, the final byte of SGR sequences.
    pub sgr_finals: u64,
    /// `0`, the parameter of a reset.
    pub zeros: u64,
    /// `h`, `l` and `r`, the final bytes of sequences that switch a mode.
    pub mode_finals: u64,
}

/// Sorts the bytes of `block` into [`BlockClasses`].
#[inline]
pub(crate) fn classify_block(block: &[u8; BLOCK]) -> BlockClasses {
    #[cfg(target_arch = "x86_64")]
    return x86_64::classify_block(block);
    #[cfg(not(target_arch = "x86_64"))]
    return words::classify_block(block);
}

/// How many bytes at the start of `bytes` are printable ASCII.
#[inline]
pub(crate) fn printable_ascii_prefix(bytes: &[u8]) -> usize {
    let (chunks, rest) = bytes.as_chunks::<16>();
    let mut len = 0;
    for chunk in chunks {
        let printable = printable_bits(chunk);
        if printable != u16::MAX {
            return len + printable.trailing_ones() as usize;
        }
        len += 16;
    }
    len + rest
        .iter()
        .take_while(|&&b| (0x20..0x7f).contains(&b))
        .count()
}

/// One bit a byte of `chunk`, for those that are printable ASCII.
#[inline]
fn printable_bits(chunk: &[u8; 16]) -> u16 {
    #[cfg(target_arch = "x86_64")]
    return x86_64::printable_bits(chunk);
    #[cfg(not(target_arch = "x86_64"))]
    return words::chunk_bits(chunk, &|word| words::in_range(word, 0x20, 0x7e));
}

/// Sorts the characters at the start of a chunk of text into
/// [`StretchBits`]: 16 bytes at a time, or 32.
trait ChunkReader: Copy {
    /// The bytes of a chunk.
    const LEN: u32;
    /// The bytes it is sorted from: its own, and the three after them that
    /// a character starting in it may end in.
    const LOOKAHEAD: usize;

    /// The classes of the characters that start in the chunk at the start
    /// of `bytes`, which holds [`Self::LOOKAHEAD`] bytes at least.
    fn classify(self, bytes: &[u8]) -> StretchBits;

    /// The set bits of `bits`, whose bits above [`Self::LEN`] are clear.
    fn count_ones(self, bits: u32) -> usize;
}

/// The chunk readers this processor has, found once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StretchReaders {
    /// AVX2 and POPCNT were found.
    #[cfg(target_arch = "x86_64")]
    avx2: bool,
}

impl StretchReaders {
    pub(crate) fn detect() -> Self {
        StretchReaders {
            #[cfg(target_arch = "x86_64")]
            avx2: is_x86_feature_detected!("avx2") && is_x86_feature_detected!("popcnt"),
        }
    }

    /// The text of known widths at the start of `bytes`, as far as `room`
    /// columns allow (with the CJK table of ambiguous widths or not), read
    /// with the widest reader there is; `None` where there is none.
    #[inline(always)]
    pub(crate) fn stretch(self, bytes: &[u8], room: usize, cjk: bool) -> Option<Stretch> {
        #[cfg(target_arch = "x86_64")]
        {
            if self.avx2 {
                // SAFETY: `detect` found AVX2 and POPCNT, which is all that
                // the target features of `stretch_with_avx2` ask of its
                // caller.
                return Some(unsafe { x86_64::stretch_with_avx2(bytes, room, cjk) });
            }
            Some(stretch::stretch_prefix(
                x86_64::Sse2Chunks,
                bytes,
                room,
                cjk,
            ))
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (self, bytes, room, cjk);
            None
        }
    }

    /// Every set of readers this processor can run, the widest first, so
    /// that tests can hold each to the others.
    #[cfg(test)]
    pub(crate) fn each() -> Vec<Self> {
        let found = Self::detect();
        #[cfg(target_arch = "x86_64")]
        if found.avx2 {
            return vec![found, StretchReaders { avx2: false }];
        }
        vec![found]
    }

    /// The classes that each reader of this processor gives the characters
    /// at the start of `bytes`, which holds [`MAX_LOOKAHEAD`] bytes.
    #[cfg(test)]
    pub(crate) fn classify_each(bytes: &[u8; MAX_LOOKAHEAD]) -> Vec<StretchBits> {
        #[cfg(target_arch = "x86_64")]
        {
            let mut each = vec![x86_64::Sse2Chunks.classify(bytes)];
            each.extend(x86_64::avx2_classify(bytes));
            each
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = bytes;
            Vec::new()
        }
    }
}

/// Finds the byte that ends a line. `memchr` picks its fastest search anew on
/// every call, which costs as much as searching a short line; here it is
/// picked once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LineEnd {
    terminator: u8,
    #[cfg(target_arch = "x86_64")]
    avx2: Option<memchr::arch::x86_64::avx2::memchr::One>,
}

impl LineEnd {
    pub(crate) fn new(terminator: u8) -> Self {
        LineEnd {
            terminator,
            #[cfg(target_arch = "x86_64")]
            avx2: memchr::arch::x86_64::avx2::memchr::One::new(terminator),
        }
    }

    /// The offset of the first terminator in `haystack`.
    #[inline]
    pub(crate) fn find(&self, haystack: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some(avx2) = &self.avx2 {
            return avx2.find(haystack);
        }
        memchr::memchr(self.terminator, haystack)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Random, rounds};

    #[test]
    fn line_ends_are_found_as_memchr_finds_them() {
        let mut random = Random::new(0x243f_6a88_85a3_08d3);
        for _ in 0..rounds(2_000) {
            let len = random.below(300);
            let haystack: Vec<u8> = (0..len)
                .map(|_| [b'\n', b'\0', b'x', b'\xff'][random.below(4)])
                .collect();
            for terminator in [b'\n', b'\0'] {
                assert_eq!(
                    LineEnd::new(terminator).find(&haystack),
                    haystack.iter().position(|&b| b == terminator)
                );
            }
        }
    }

    #[test]
    fn printable_ascii_prefix_is_exact() {
        let bytes_to_try = if cfg!(miri) {
            vec![0x1f, b'x', 0x7f, 0xff]
        } else {
            (0..=255u8).collect()
        };
        for len in 0..if cfg!(miri) { 34 } else { 80 } {
            for at in 0..len {
                for &byte in &bytes_to_try {
                    let mut bytes = vec![b'x'; len];
                    bytes[at] = byte;
                    let expected = if (0x20..0x7f).contains(&byte) {
                        len
                    } else {
                        at
                    };
                    assert_eq!(printable_ascii_prefix(&bytes), expected, "{bytes:x?}");
                }
            }
        }
    }
}
