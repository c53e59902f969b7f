//! Plain text read 64 bytes at a time: printable ASCII, tabs, and the CSI
//! sequences of colour output. In colour output and tab-separated values,
//! codes, tabs and short words alternate where no branch predictor can guess,
//! and taking them one at a time costs a few mispredicted branches each; here
//! a block's bytes are sorted into classes at once, and word arithmetic finds
//! every sequence and counts the columns.

use crate::ansi::{ESC, Effect};
use crate::swar;
use crate::unit::Kind;

const BLOCK: usize = 64;

/// Text, tabs and colour codes, as far as [`plain_run`] reads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PlainRun {
    /// The bytes read.
    pub len: usize,
    /// The column after them.
    pub col: usize,
    /// The effect of the last SGR sequence among them, if any.
    pub sgr: Option<Effect>,
}

/// Reads printable ASCII, tabs and the CSI sequences of
/// [`parse_plain_csi`](crate::ansi::parse_plain_csi)
/// from the start of `bytes`, from column `col`, for as long as they end
/// within `limit` columns. Stops before anything else (other bytes and
/// sequences, sequences that a block cuts off, and the last text byte or tab
/// before a byte that is not ASCII, which a combining mark could join), and
/// reads nothing of a block that is not followed by one more byte. Returns
/// `None` when it reads nothing.
pub(crate) fn plain_run(
    bytes: &[u8],
    mut col: usize,
    limit: usize,
    tab_width: usize,
) -> Option<PlainRun> {
    let mut len = 0;
    let mut sgr = None;
    while let Some((block, rest)) = bytes[len..].split_first_chunk::<BLOCK>()
        && let Some(&after) = rest.first()
    {
        let read = plain_block(block, after, col, limit, tab_width);
        len += read.len;
        col = read.col;
        sgr = read.sgr.or(sgr);
        if read.len < BLOCK {
            break;
        }
    }
    (len > 0).then_some(PlainRun { len, col, sgr })
}

/// Whether the first eight bytes of `bytes` are printable ASCII or tabs, as
/// at the start of most lines of tab-separated values, and of few lines that
/// [`plain_run`] would stop in at once.
pub(crate) fn starts_plain(bytes: &[u8]) -> bool {
    bytes.first_chunk::<8>().is_some_and(|word| {
        let word = u64::from_le_bytes(*word);
        swar::in_range(word, 0x20, 0x7e) | swar::equal(word, b'\t') == swar::HIGH
    })
}

/// [`plain_run`] on one block, followed by the byte `after`.
fn plain_block(
    block: &[u8; BLOCK],
    after: u8,
    col: usize,
    limit: usize,
    tab_width: usize,
) -> PlainRun {
    let classes = classify(block);
    if classes.escapes == 0 {
        return text_block(block, after, &classes, col, limit, tab_width);
    }
    let Classes {
        printable,
        tabs,
        params,
        finals,
        escapes,
        brackets,
        ..
    } = classes;
    // A sequence starts at an ESC followed by '['; its parameters run from two
    // bytes on, and adding a bit at the start of a run of ones carries to the
    // first byte after it, which must be a final byte. Only the last sequence
    // can run past the block, to bit 64 or beyond.
    let starts = escapes & (brackets >> 1);
    let params = u128::from(params);
    let ends = (params + (u128::from(starts) << 2)) & !params;
    let mut end = if ends >> BLOCK != 0 {
        highest_below(starts, 64)
    } else {
        64
    };
    let ends = ends as u64;
    // A sequence broken by a byte that is not a final byte may end where the
    // last one starts.
    let broken = ends & !finals;
    if broken != 0 {
        end = end.min(highest_below(starts, broken.trailing_zeros()));
    }
    let starts = starts & below(end);
    let ends = ends & below(end);
    // Each start less its end sets the bits from the one up to the other: the
    // pairs do not overlap, so the differences add up without a borrow.
    let inside = ends.wrapping_sub(starts) | ends;
    end = end.min((!(printable | tabs | inside)).trailing_zeros());
    let text = printable & !inside;
    let next = block.get(end as usize).copied().unwrap_or(after);
    if !next.is_ascii() && end > 0 && (text | tabs) >> (end - 1) & 1 == 1 {
        end -= 1;
    }
    // Text between tabs a stretch at a time; the stretch in which the limit
    // falls ends at the text byte or the tab that does not fit.
    let mut col = col;
    let mut from = 0;
    let mut tabs_left = tabs & below(end);
    loop {
        let stop = if tabs_left == 0 {
            end
        } else {
            tabs_left.trailing_zeros()
        };
        // Every byte of a stretch is text or part of a sequence; without
        // sequences (tab-separated values), no bits need counting.
        let stretch = text & below(stop) & !below(from);
        let columns = if inside == 0 {
            (stop - from) as usize
        } else {
            stretch.count_ones() as usize
        };
        if col + columns > limit {
            // The text byte that does not fit ends what is read.
            end = swar::nth_set_bit(stretch, limit - col);
            col = limit;
            break;
        }
        col += columns;
        if tabs_left == 0 {
            break;
        }
        let next_col = Kind::Tab.advance(col, tab_width);
        if next_col > limit {
            end = stop;
            break;
        }
        col = next_col;
        from = stop + 1;
        tabs_left &= tabs_left - 1;
    }
    PlainRun {
        len: end as usize,
        col,
        sgr: last_sgr(&classes, starts & below(end), ends & below(end)),
    }
}

/// [`plain_block`] on a block without an ESC, as in tab-separated values:
/// every byte up to the first that is neither printable nor a tab is a column
/// of text or a tab, so the columns between two tabs are their distance, and
/// a tab is the only place where the limit needs testing before the block's
/// end.
fn text_block(
    block: &[u8; BLOCK],
    after: u8,
    classes: &Classes,
    mut col: usize,
    limit: usize,
    tab_width: usize,
) -> PlainRun {
    let Classes {
        printable, tabs, ..
    } = *classes;
    let mut end = (!(printable | tabs)).trailing_zeros();
    let next = block.get(end as usize).copied().unwrap_or(after);
    if !next.is_ascii() && end > 0 {
        end -= 1;
    }
    let mut from = 0;
    let mut tabs_left = tabs & below(end);
    while tabs_left != 0 {
        let tab = tabs_left.trailing_zeros();
        let at_tab = col + (tab - from) as usize;
        let after_tab = Kind::Tab.advance(at_tab, tab_width);
        if after_tab > limit {
            // Either the text before the tab or the tab itself does not fit.
            return if at_tab > limit {
                read_to_limit(from, col, limit)
            } else {
                PlainRun {
                    len: tab as usize,
                    col: at_tab,
                    sgr: None,
                }
            };
        }
        col = after_tab;
        from = tab + 1;
        tabs_left &= tabs_left - 1;
    }
    if col + (end - from) as usize > limit {
        return read_to_limit(from, col, limit);
    }
    PlainRun {
        len: end as usize,
        col: col + (end - from) as usize,
        sgr: None,
    }
}

/// Text from byte `from`, at column `col`, read up to the `limit`.
fn read_to_limit(from: u32, col: usize, limit: usize) -> PlainRun {
    PlainRun {
        len: from as usize + (limit - col),
        col: limit,
        sgr: None,
    }
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

/// The bytes of a block in the classes that [`plain_block`] reads, one bit a
/// byte. The bytes of sequences only matter where one starts, so in a block
/// without an ESC (tab-separated values) they are not sorted: `params`,
/// `finals`, `brackets`, `sgr_finals` and `zeros` are then 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Classes {
    /// 0x20..=0x7E
    printable: u64,
    tabs: u64,
    /// The parameter bytes of a plain CSI sequence: digits, ':' and ';'.
    params: u64,
    /// 0x40..=0x7E
    finals: u64,
    escapes: u64,
    brackets: u64,
    /// `m`, the final byte of SGR sequences.
    sgr_finals: u64,
    /// `0`, the parameter of a reset.
    zeros: u64,
}

/// Every x86-64 processor has SSE2, whose byte comparisons and byte masks do
/// in one instruction what takes [`classify_words`] a dozen.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
fn classify(block: &[u8; BLOCK]) -> Classes {
    // SAFETY: SSE2 is part of x86-64, so every processor that runs this code
    // has it.
    unsafe { classify_sse2(block) }
}

#[cfg(not(target_arch = "x86_64"))]
fn classify(block: &[u8; BLOCK]) -> Classes {
    classify_words(block)
}

/// One bit a byte of `chunk`, for those that are printable ASCII.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
pub(crate) fn printable_bits(chunk: &[u8; 16]) -> u16 {
    // SAFETY: as for `classify`.
    unsafe { sse2::bits(sse2::in_range(sse2::load(chunk), 0x20, 0x7e)) as u16 }
}

#[cfg(not(target_arch = "x86_64"))]
pub(crate) fn printable_bits(chunk: &[u8; 16]) -> u16 {
    chunk_bits(chunk, &|word| swar::in_range(word, 0x20, 0x7e))
}

/// One bit a byte of `chunk`, for those whose high bit `test` sets in the
/// word they are read in.
#[cfg(any(not(target_arch = "x86_64"), test))]
fn chunk_bits(chunk: &[u8; 16], test: &dyn Fn(u64) -> u64) -> u16 {
    let halves = u128::from_le_bytes(*chunk);
    let low = swar::gather(test(halves as u64));
    let high = swar::gather(test((halves >> 64) as u64));
    (low | high << 8) as u16
}

/// 16 bytes, and the three after them that a character starting in them may
/// end in.
pub(crate) const LOOKAHEAD_CHUNK: usize = 19;

/// 32 bytes, and the three after them, for [`stretch_bits_avx2`].
pub(crate) const LOOKAHEAD_WIDE_CHUNK: usize = 35;

/// The characters at the start of a chunk of text, one bit a byte (of its
/// first 16 or 32), in the classes that
/// [`Scanner::run`](crate::unit::Scanner::run) reads a stretch at a time.
/// A character's bit is set only when the continuation bytes it needs follow
/// it, in the chunk or in the bytes after it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct StretchBits {
    /// 0x20..=0x7E
    pub printable: u32,
    /// U+00C0..=U+02FF and U+0400..=U+047F: Latin and Cyrillic letters.
    pub letters: u32,
    /// U+0300..=U+033F but U+0338: combining marks.
    pub marks: u32,
    /// Characters of two columns: U+3000..=U+30FF but for its marks, U+303F
    /// and the code points not assigned (CJK punctuation, hiragana,
    /// katakana), U+3400..=U+9FFF (CJK ideographs), U+AC00..=U+D77F (Hangul
    /// syllables), U+FF01..=U+FF60 (fullwidth forms).
    pub wide: u32,
    /// Emoji of two columns, in the rows of 64 code points that hold no
    /// other: U+1F480..=U+1F4BF, U+1F600..=U+1F64F (all of the Emoticons
    /// block), U+1F680..=U+1F6BF, U+1F980..=U+1F9FF and U+1FA80..=U+1FABF.
    pub emoji: u32,
}

/// Tests on the bytes of a chunk and the bytes after it, for every
/// position of the chunk at once: in SSE2, AVX2 or words, for one
/// description of the classes.
trait ChunkLanes {
    type Mask: Copy + std::ops::BitAnd<Output = Self::Mask> + std::ops::BitOr<Output = Self::Mask>;

    /// Whether the byte `offset` places after each position is in
    /// `first..=last` (both below 0x80, or both from 0x80 on).
    fn in_range(&self, offset: usize, first: u8, last: u8) -> Self::Mask;

    /// `mask` where `unless` is not.
    fn and_not(mask: Self::Mask, unless: Self::Mask) -> Self::Mask;

    fn bits(mask: Self::Mask) -> u32;
}

/// The classes of [`StretchBits`], by the bytes of each character.
#[inline(always)]
fn stretch_bits_of<Lanes: ChunkLanes>(lanes: &Lanes) -> StretchBits {
    let range = |offset, first, last| lanes.in_range(offset, first, last);
    let is = |offset, byte| lanes.in_range(offset, byte, byte);
    let continues = |offset| range(offset, 0x80, 0xbf);
    let marks = Lanes::and_not(is(0, 0xcc) & continues(1), is(1, 0xb8));
    let letters = (range(0, 0xc3, 0xcb) | range(0, 0xd0, 0xd1)) & continues(1);
    let (mut wide, mut emoji) = (0, 0);
    // Text without them, as Latin and Cyrillic text, spares the tests.
    if Lanes::bits(range(0, 0xe3, 0xf0)) != 0 {
        // U+3000..=U+30FF and U+3400..=U+3FFF, by their second and third bytes.
        let kana_and_punctuation = Lanes::and_not(is(1, 0x80), range(2, 0xaa, 0xaf) | is(2, 0xbf))
            | Lanes::and_not(is(1, 0x81), is(2, 0x80))
            | Lanes::and_not(is(1, 0x82), range(2, 0x97, 0x9a))
            | is(1, 0x83)
            | range(1, 0x90, 0xbf);
        let fullwidth =
            Lanes::and_not(is(1, 0xbc), is(2, 0x80)) | (is(1, 0xbd) & range(2, 0x80, 0xa0));
        let wide_leads = range(0, 0xe4, 0xe9)
            | range(0, 0xeb, 0xec)
            | (is(0, 0xea) & range(1, 0xb0, 0xbf))
            | (is(0, 0xed) & range(1, 0x80, 0x9d))
            | (is(0, 0xe3) & kana_and_punctuation)
            | (is(0, 0xef) & fullwidth);
        wide = Lanes::bits(wide_leads & continues(1) & continues(2));
        let emoji_leads = is(0, 0xf0);
        if Lanes::bits(emoji_leads) != 0 {
            let emoji_rows = is(2, 0x92)
                | is(2, 0x98)
                | (is(2, 0x99) & range(3, 0x80, 0x8f))
                | is(2, 0x9a)
                | range(2, 0xa6, 0xa7)
                | is(2, 0xaa);
            emoji = Lanes::bits(emoji_leads & is(1, 0x9f) & emoji_rows & continues(3));
        }
    }
    StretchBits {
        printable: Lanes::bits(range(0, 0x20, 0x7e)),
        letters: Lanes::bits(letters),
        marks: Lanes::bits(marks),
        wide,
        emoji,
    }
}

/// The classes of the characters starting in the first 16 bytes of `bytes`.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
pub(crate) fn stretch_bits(bytes: &[u8; LOOKAHEAD_CHUNK]) -> StretchBits {
    // SAFETY: as for `classify`.
    unsafe { stretch_bits_sse2(bytes) }
}

#[cfg(not(target_arch = "x86_64"))]
pub(crate) fn stretch_bits(bytes: &[u8; LOOKAHEAD_CHUNK]) -> StretchBits {
    stretch_bits_of(&WordLanes(bytes))
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn stretch_bits_sse2(bytes: &[u8; LOOKAHEAD_CHUNK]) -> StretchBits {
    stretch_bits_of(&sse2::Lanes::new(bytes))
}

/// The classes of the characters starting in the first 32 bytes of `bytes`.
///
/// # Safety
///
/// The processor must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
pub(crate) fn stretch_bits_avx2(bytes: &[u8; LOOKAHEAD_WIDE_CHUNK]) -> StretchBits {
    stretch_bits_of(&avx2::Lanes::new(bytes))
}

/// [`ChunkLanes`] in plain word operations, for other processors.
#[cfg(any(not(target_arch = "x86_64"), test))]
struct WordLanes<'a>(&'a [u8; LOOKAHEAD_CHUNK]);

#[cfg(any(not(target_arch = "x86_64"), test))]
impl ChunkLanes for WordLanes<'_> {
    type Mask = u16;

    fn in_range(&self, offset: usize, first: u8, last: u8) -> u16 {
        let chunk = self.0[offset..]
            .first_chunk::<16>()
            .expect("three bytes after the chunk");
        // With the high bit flipped, bytes from 0x80 up are the ASCII that
        // the tests compare.
        let flip = first & 0x80;
        chunk_bits(chunk, &|word| {
            swar::in_range(
                word ^ (swar::LOW * u64::from(flip)),
                first ^ flip,
                last ^ flip,
            )
        })
    }

    fn and_not(mask: u16, unless: u16) -> u16 {
        mask & !unless
    }

    fn bits(mask: u16) -> u32 {
        u32::from(mask)
    }
}

/// [`ChunkLanes`] on the vectors of one instruction set, from its
/// intrinsics: `Lanes`, a chunk and the chunks one, two and three bytes on,
/// and `Mask`, a test's answer for each.
#[cfg(target_arch = "x86_64")]
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

        // SAFETY, for every `unsafe` below: `Lanes` and `Mask` are only made
        // and used in functions that enable the instruction set, which only
        // run on processors that have it (SSE2 is part of x86-64; AVX2 is
        // asked for first), and every load reads within `bytes`.
        #[allow(unsafe_code)]
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

        #[allow(unsafe_code)]
        impl super::ChunkLanes for Lanes {
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

        #[allow(unsafe_code)]
        impl std::ops::BitAnd for Mask {
            type Output = Mask;

            #[inline(always)]
            fn bitand(self, other: Mask) -> Mask {
                Mask(unsafe { $and(self.0, other.0) })
            }
        }

        #[allow(unsafe_code)]
        impl std::ops::BitOr for Mask {
            type Output = Mask;

            #[inline(always)]
            fn bitor(self, other: Mask) -> Mask {
                Mask(unsafe { $or(self.0, other.0) })
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8,
        _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x, _mm_set1_epi8,
    };

    #[target_feature(enable = "sse2")]
    pub(super) fn load(chunk: &[u8; 16]) -> __m128i {
        let halves = u128::from_le_bytes(*chunk);
        _mm_set_epi64x((halves >> 64) as i64, halves as i64)
    }

    /// Signed comparisons: bytes from 0x80 up are negative, in no range.
    #[target_feature(enable = "sse2")]
    pub(super) fn in_range(bytes: __m128i, first: u8, last: u8) -> __m128i {
        _mm_and_si128(
            _mm_cmpgt_epi8(bytes, _mm_set1_epi8(first as i8 - 1)),
            _mm_cmplt_epi8(bytes, _mm_set1_epi8(last as i8 + 1)),
        )
    }

    #[target_feature(enable = "sse2")]
    pub(super) fn equal(bytes: __m128i, byte: u8) -> __m128i {
        _mm_cmpeq_epi8(bytes, _mm_set1_epi8(byte as i8))
    }

    #[target_feature(enable = "sse2")]
    pub(super) fn bits(mask: __m128i) -> u64 {
        u64::from(_mm_movemask_epi8(mask) as u16)
    }

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

/// [`ChunkLanes`] 32 bytes at a time, for processors that have AVX2.
#[cfg(target_arch = "x86_64")]
mod avx2 {
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

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn classify_sse2(block: &[u8; BLOCK]) -> Classes {
    use sse2::{bits, equal, in_range, load};
    let mut classes = Classes::default();
    let chunks = block.as_chunks::<16>().0;
    for (at, chunk) in chunks.iter().enumerate() {
        let bytes = load(chunk);
        let shift = 16 * at;
        classes.printable |= bits(in_range(bytes, 0x20, 0x7e)) << shift;
        classes.tabs |= bits(equal(bytes, b'\t')) << shift;
        classes.escapes |= bits(equal(bytes, ESC)) << shift;
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
        }
    }
    classes
}

/// [`classify`] in plain word operations, for other processors.
#[cfg(any(not(target_arch = "x86_64"), test))]
fn classify_words(block: &[u8; BLOCK]) -> Classes {
    let mut classes = Classes::default();
    let words: [u64; BLOCK / 8] =
        std::array::from_fn(|at| u64::from_le_bytes(block.as_chunks::<8>().0[at]));
    for (at, &word) in words.iter().enumerate() {
        let shift = 8 * at;
        classes.printable |= swar::gather(swar::in_range(word, 0x20, 0x7e)) << shift;
        classes.tabs |= swar::gather(swar::equal(word, b'\t')) << shift;
        classes.escapes |= swar::gather(swar::equal(word, ESC)) << shift;
    }
    if classes.escapes != 0 {
        for (at, &word) in words.iter().enumerate() {
            let shift = 8 * at;
            classes.params |= swar::gather(swar::in_range(word, b'0', b';')) << shift;
            classes.finals |= swar::gather(swar::in_range(word, 0x40, 0x7e)) << shift;
            classes.brackets |= swar::gather(swar::equal(word, b'[')) << shift;
            classes.sgr_finals |= swar::gather(swar::equal(word, b'm')) << shift;
            classes.zeros |= swar::gather(swar::equal(word, b'0')) << shift;
        }
    }
    classes
}

/// The effect of the last SGR sequence among those of a block that start and
/// end at the bits of `starts` and `ends`, all complete and plain, read off
/// the classes of its bytes: a sequence is an SGR if its final byte is `m`,
/// and resets if its parameters are all `0`, as
/// [`parse_plain_csi`](crate::ansi::parse_plain_csi) reads it
/// (`plain_run_reads_what_units_would` holds the two together). Parsing the
/// sequence again cost colour output two or three mispredicted branches a
/// block.
fn last_sgr(classes: &Classes, starts: u64, ends: u64) -> Option<Effect> {
    let end = 63u32.checked_sub((ends & classes.sgr_finals).leading_zeros())?;
    let start = highest_below(starts, end);
    // Between `ESC [` and the final byte.
    let params = below(end) & !below(start + 2);
    Some(Effect::Sgr {
        resets: params & !classes.zeros == 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ansi::parse_plain_csi;
    use crate::testing::Random;

    /// What [`plain_run`] reads, one unit at a time: the blocks it reads are
    /// 64 bytes from the start, each followed by a byte, and no unit
    /// crosses a block's end.
    fn plain_run_unit_by_unit(
        bytes: &[u8],
        mut col: usize,
        limit: usize,
        tab_width: usize,
    ) -> Option<PlainRun> {
        let mut pos = 0;
        let mut sgr = None;
        let mut block_end = BLOCK;
        while block_end < bytes.len() {
            if pos == block_end {
                block_end += BLOCK;
                continue;
            }
            if let Some((len, effect)) = parse_plain_csi(&bytes[pos..block_end]) {
                pos += len;
                if let Effect::Sgr { .. } = effect {
                    sgr = Some(effect);
                }
                continue;
            }
            let next_col = match bytes[pos] {
                0x20..=0x7e => col + 1,
                b'\t' => Kind::Tab.advance(col, tab_width),
                _ => break,
            };
            if !bytes[pos + 1].is_ascii() || next_col > limit {
                break;
            }
            pos += 1;
            col = next_col;
        }
        (pos > 0).then_some(PlainRun { len: pos, col, sgr })
    }

    #[test]
    fn plain_run_reads_what_units_would() {
        // Text and tabs, as in tab-separated values, with what ends a run.
        let text: [&[u8]; 7] = [
            b"x",
            b"word ",
            b"0;1",
            b"\t",
            "\u{301}".as_bytes(),
            "\u{e9}".as_bytes(),
            b"\n",
        ];
        let codes: [&[u8]; 11] = [
            b"\x1b[0m",
            b"\x1b[m",
            b"\x1b[00m",
            b"\x1b[0;0m",
            b"\x1b[38;5;208m",
            b"\x1b[K",
            b"\x1b[31;",
            b"\x1b[?25l",
            b"\x1b]8;;x\x1b\\",
            b"\x1b",
            b"[",
        ];
        let plain = [&text[..4], &codes[..7]].concat();
        let mixed = [&text[..], &codes[..]].concat();
        let mut random = Random::new(0x2545_f491_4f6c_dd1d);
        for _ in 0..200_000 {
            // Mostly plain text, tabs and colour codes, so that runs go on
            // for blocks.
            let pieces = [&text[..], &plain, &plain, &mixed][random.below(4)];
            let mut bytes = Vec::new();
            for _ in 0..random.below(90) {
                bytes.extend_from_slice(pieces[random.below(pieces.len())]);
            }
            let col = random.below(10);
            let limit = col + random.below(200);
            let tab_width = [1, 3, 4, 8][random.below(4)];
            assert_eq!(
                plain_run(&bytes, col, limit, tab_width),
                plain_run_unit_by_unit(&bytes, col, limit, tab_width),
                "{:?} from {col} to {limit}, tabs every {tab_width}",
                String::from_utf8_lossy(&bytes)
            );
        }
    }

    #[test]
    fn the_byte_before_a_mark_after_a_block_is_left_to_the_mark() {
        for filler in [&b"x"[..], b"a\t"] {
            let mut bytes = filler.repeat(BLOCK).split_at(BLOCK).0.to_vec();
            bytes.extend_from_slice("\u{301}".as_bytes());
            let run = plain_run(&bytes, 0, 1000, 8).unwrap();
            assert_eq!(
                Some(run),
                plain_run_unit_by_unit(&bytes, 0, 1000, 8),
                "{filler:?}"
            );
            assert!(run.len < BLOCK, "{filler:?}");
        }
    }

    /// Every byte now and then, and the bytes of `common` often.
    #[cfg(target_arch = "x86_64")]
    fn random_bytes<const N: usize>(random: &mut Random, common: &[u8]) -> [u8; N] {
        std::array::from_fn(|_| {
            let seed = random.next();
            match seed % 4 {
                0 => (seed >> 8) as u8,
                _ => common[(seed >> 8) as usize % common.len()],
            }
        })
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn stretch_bits_are_the_same_in_words_and_in_sse2() {
        let mut random = Random::new(0x3c6e_f372_fe94_f82b);
        // Each byte that a class starts or ends at, and those beside it.
        let common = b"\x1f\x20\x7e\x7f\x80\x81\x82\x83\x84\x8f\x90\x96\x97\x98\x99\x9a\x9b\
            \x9d\x9e\xa0\xa1\xa9\xaa\xaf\xb0\xb7\xb8\xb9\xbb\xbc\xbd\xbe\xbf\xc0\xc2\xc3\xcb\
            \xcc\xcd\xcf\xd0\xd1\xd2\xe2\xe3\xe4\xe9\xea\xeb\xec\xed\xee\xef\xf0\xff\
            \x92\x9f\xa6\xa7";
        for _ in 0..50_000 {
            let bytes = random_bytes(&mut random, common);
            assert_eq!(
                stretch_bits(&bytes),
                stretch_bits_of(&WordLanes(&bytes)),
                "{bytes:x?}"
            );
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    #[allow(unsafe_code)]
    fn stretch_bits_are_the_same_in_avx2_and_in_sse2() {
        if !is_x86_feature_detected!("avx2") {
            return;
        }
        let mut random = Random::new(0x510e_527f_ade6_82d1);
        let common =
            b"\x20\x7e\x80\x81\x82\x83\x92\x97\x98\x99\x9a\x9f\xa6\xaa\xb0\xb8\xbc\xbd\xbf\
            \xc3\xcc\xd0\xe3\xe4\xea\xed\xef\xf0";
        for _ in 0..50_000 {
            let bytes: [u8; LOOKAHEAD_WIDE_CHUNK] = random_bytes(&mut random, common);
            let half = |from: usize| stretch_bits(bytes[from..].first_chunk().expect("19 bytes"));
            let (low, high) = (half(0), half(16));
            let both = |class: fn(&StretchBits) -> u32| class(&low) | class(&high) << 16;
            let expected = StretchBits {
                printable: both(|bits| bits.printable),
                letters: both(|bits| bits.letters),
                marks: both(|bits| bits.marks),
                wide: both(|bits| bits.wide),
                emoji: both(|bits| bits.emoji),
            };
            // SAFETY: the processor has AVX2.
            assert_eq!(unsafe { stretch_bits_avx2(&bytes) }, expected, "{bytes:x?}");
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn classes_are_the_same_in_words_and_in_sse2() {
        let mut random = Random::new(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            // The bytes of colour codes often.
            let block = random_bytes(&mut random, b"\x1b[0123456789;:m@~ax\t\x7f\x80");
            assert_eq!(classify(&block), classify_words(&block));
        }
    }
}
