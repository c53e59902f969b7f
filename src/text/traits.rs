//! What the scanner needs to know of each character, found once by asking
//! the segmentation and width rules.

use unicode_width::UnicodeWidthChar;

use super::segment::{ends_before, is_boundary};
use super::width::{cluster_width, takes_a_cell};

/// CJK ideographs (with Extension A and the Yijing hexagrams between them)
/// and Hangul syllables: the tens of thousands of characters of CJK text,
/// each two columns wide and a cluster of its own beside any other, whatever
/// the table of ambiguous widths. Their traits are known without asking the
/// segmentation rules each time one is first met, which costs as much as
/// cutting a few hundred kilobytes of such text. The test
/// `wide_characters_that_stand_alone_are_known` holds this to the rules.
pub(super) const WIDE_AND_ALONE: [std::ops::RangeInclusive<u32>; 2] =
    [0x3400..=0x9fff, 0xac00..=0xd7a3];

/// What a cluster needs to know of one character, packed in a byte.
#[derive(Clone, Copy, Debug)]
pub(super) struct Traits(pub(super) u8);

impl Traits {
    pub(super) const KNOWN: u8 = 0x80;
    /// It forms a cluster of its own beside ASCII and beside other characters
    /// with this trait: most letters, CJK ideographs, kana, Hangul syllables,
    /// most emoji. Text of these needs one table lookup a character.
    pub(super) const ALONE: u8 = 0x40;
    /// It joins whatever comes before it: Extend, ZWJ, SpacingMark (UAX #29
    /// GB9, GB9a).
    pub(super) const JOINS_PREVIOUS: u8 = 0x20;
    /// It joins whatever comes after it: Prepend (GB9b).
    pub(super) const JOINS_NEXT: u8 = 0x10;
    /// Nothing joins it from after, not even a mark: a format character such
    /// as U+FEFF or U+200B is a Control to UAX #29 (GB4).
    pub(super) const ENDS_CLUSTER: u8 = 0x08;
    /// A nonspacing mark, the commonest joiner. It takes no column: joined
    /// to what comes before it, it leaves that cluster's width as it was, and
    /// after a character with [`Self::ENDS_CLUSTER`] it is a cluster of no
    /// width. A cluster ends after it before ASCII and before characters
    /// with [`Self::ALONE`].
    pub(super) const MARK: u8 = 0x04;
    /// The low bits hold its width, as a cluster of its own.
    pub(super) const WIDTH: u8 = 0x03;

    pub(super) fn has(self, flag: u8) -> bool {
        self.0 & flag != 0
    }

    pub(super) fn width(self) -> usize {
        usize::from(self.0 & Self::WIDTH)
    }
}

/// Asks the segmentation rules about `c` next to one character of each kind
/// that the fast paths put beside it, rather than copying the property tables.
/// Only the rules between two neighbours matter: the ones that look further
/// back (GB9c, GB11) need a linker or a ZWJ just before `c`, and those join
/// what precedes them, so they never have [`Traits::ALONE`].
#[cold]
pub(super) fn find_traits(c: char, cjk: bool) -> Traits {
    if c.is_control() {
        return Traits(Traits::KNOWN);
    }
    // 'a' is Other. U+AC00 is a Hangul syllable LV: it joins a jamo L before
    // it and a jamo V or T after it, and stands alone beside any syllable.
    // U+1F1E6 is a regional indicator, which pairs with another.
    let after_other = is_boundary('a', c);
    let before_other = is_boundary(c, 'a');
    let alone = after_other
        && before_other
        && ['\u{AC00}', '\u{1F1E6}']
            .iter()
            .all(|&neighbour| is_boundary(neighbour, c) && is_boundary(c, neighbour));
    let mut bytes = [0; 4];
    let text = c.encode_utf8(&mut bytes);
    let width = cluster_width(text, cjk);
    let mut traits = Traits::KNOWN | (width.min(usize::from(Traits::WIDTH)) as u8);
    if alone {
        traits |= Traits::ALONE;
    }
    if !after_other {
        traits |= Traits::JOINS_PREVIOUS;
    }
    if !before_other {
        traits |= Traits::JOINS_NEXT;
    }
    if is_boundary(c, '\u{200D}') {
        traits |= Traits::ENDS_CLUSTER;
    }
    if !after_other && is_mark(c, cjk) {
        traits |= Traits::MARK;
    }
    Traits(traits)
}

/// Zero-width characters that change the width unicode-width gives the
/// characters before them: variation selectors (emoji and text presentation,
/// curly quotes), and U+0338, which makes a wide character of `<`, `=` or
/// `>` in the CJK table. The test `marks_leave_the_width_as_it_was` holds
/// [`Traits::MARK`] to this list.
pub(super) const CONTEXTUAL_ZERO_WIDTH: [std::ops::RangeInclusive<char>; 3] = [
    '\u{338}'..='\u{338}',
    '\u{FE00}'..='\u{FE02}',
    '\u{FE0E}'..='\u{FE0F}',
];

/// Whether `c`, which joins what comes before it, has [`Traits::MARK`]. A
/// conjunct linker (GB9c) and a ZWJ (GB11) join what comes after them too:
/// the rules are asked about each with a consonant or an emoji on both sides.
pub(super) fn is_mark(c: char, cjk: bool) -> bool {
    let width = if cjk { c.width_cjk() } else { c.width() };
    width == Some(0)
        && !takes_a_cell(c)
        && !CONTEXTUAL_ZERO_WIDTH.iter().any(|range| range.contains(&c))
        && ['\u{915}', '\u{1F468}']
            .iter()
            .all(|&neighbour| ends_before(&[neighbour, c], neighbour))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::scanner::Scanner;
    use crate::text::scanner::tests::run_agrees_with_units;
    use unicode_segmentation::GraphemeCursor;

    /// Every character taken to stand alone does, beside ASCII and beside
    /// others of its kind (a sample of them for each, to keep the test quick).
    #[test]
    fn characters_that_stand_alone_do() {
        let alone: Vec<char> = (0x80..=0x2ffff)
            .filter_map(char::from_u32)
            .filter(|&c| find_traits(c, false).has(Traits::ALONE))
            .collect();
        assert!(alone.len() > 40_000, "only {} stand alone", alone.len());
        let is_boundary = |text: &str, at: usize| {
            GraphemeCursor::new(at, text.len(), true)
                .is_boundary(text, 0)
                .unwrap()
        };
        let mut seed = 1u64;
        for &c in &alone {
            for _ in 0..3 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let other = alone[(seed >> 33) as usize % alone.len()];
                let ascii = char::from(b' ' + (seed >> 20) as u8 % 95);
                for neighbour in [other, ascii] {
                    let pair = format!("{c}{neighbour}");
                    assert!(is_boundary(&pair, c.len_utf8()), "{pair:?}");
                    let pair = format!("{neighbour}{c}");
                    assert!(is_boundary(&pair, neighbour.len_utf8()), "{pair:?}");
                }
            }
        }
    }

    #[test]
    fn characters_that_join_do_not_stand_alone() {
        for c in [
            '\u{301}', '\u{200D}', '\u{FE0F}', '\u{1100}', '\u{1161}', '\u{11A8}', '\u{600}',
            '\u{93F}', '\u{85}',
        ] {
            assert!(!find_traits(c, false).has(Traits::ALONE), "{c:?}");
        }
        for c in [
            '\u{E9}', '\u{65E5}', '\u{AC00}', '\u{30A2}', '\u{2026}', '\u{A9}',
        ] {
            assert!(find_traits(c, false).has(Traits::ALONE), "{c:?}");
        }
    }

    /// Marks join ASCII and the characters that stand alone in the loop over
    /// plain text as the segmentation rules join them, and change no width:
    /// beside every character that unicode-width measures with what follows
    /// it, too.
    #[test]
    fn marks_leave_the_width_as_it_was() {
        let bases = [
            'a',
            '<',
            '=',
            '>',
            '#',
            '\u{E9}',
            '\u{65E5}',
            '\u{AC00}',
            '\u{915}',
            '\u{2764}',
            '\u{2018}',
            '\u{627}',
            '\u{5DC}',
            '\u{1780}',
            '\u{1A10}',
            '\u{2D31}',
            '\u{A4FC}',
            '\u{10C03}',
            '\u{16D67}',
            '\u{1F44D}',
            '\u{1F1E6}',
            '\u{AD}',
            '\u{200B}',
        ];
        for cjk in [false, true] {
            let mut scanner = Scanner::new(cjk);
            // No marks lie outside these planes (Supplementary Special-purpose:
            // tags and variation selectors).
            let marks: Vec<char> = ('\u{80}'..='\u{1FFFF}')
                .chain('\u{E0000}'..='\u{E0FFF}')
                .filter(|&c| find_traits(c, cjk).has(Traits::MARK))
                .collect();
            assert!(marks.len() > 2000, "only {} marks", marks.len());
            for &mark in &marks {
                for base in bases {
                    let traits = find_traits(base, cjk);
                    let in_run = base.is_ascii() || traits.has(Traits::ALONE);
                    // A consonant or an emoji after a linker or a ZWJ would
                    // join it.
                    for after in ["", "b", "\u{65E5}", "\u{915}", "\u{1F468}"] {
                        for line in [
                            format!("{base}{mark}{after}"),
                            format!("{base}{mark}{mark}{after}"),
                        ] {
                            let taken = run_agrees_with_units(&mut scanner, line.as_bytes(), 1000);
                            if in_run {
                                assert_eq!(taken, line.len(), "{line:?}, cjk {cjk}");
                            }
                        }
                    }
                }
            }
        }
    }

    /// Marks past the length of a cluster, which [`Scanner::cluster`]
    /// measures in pieces.
    #[test]
    fn long_runs_of_marks_take_no_column() {
        let mut scanner = Scanner::new(false);
        for base in ['a', '\u{E9}', '\u{65E5}'] {
            for count in [100, 127, 128, 129, 200] {
                let line = format!("{base}{}b", "\u{301}".repeat(count));
                run_agrees_with_units(&mut scanner, line.as_bytes(), 1000);
            }
        }
    }
}
