//! The classes of the characters in a chunk of text, written once over the
//! lanes of any instruction set.

/// The characters at the start of a chunk of text, one bit a byte (of its
/// first 16 or 32), in the classes that the scanner reads a stretch at a
/// time. A character's bit is set only when the continuation bytes it needs
/// follow it, in the chunk or in the bytes after it.
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
/// position of the chunk at once.
pub(super) trait ChunkLanes {
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
pub(super) fn stretch_bits_of<Lanes: ChunkLanes>(lanes: &Lanes) -> StretchBits {
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
