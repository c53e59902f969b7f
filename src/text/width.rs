//! The columns a cluster takes: unicode-width's count (UAX #11), with the
//! exceptions where terminals draw something wider. A width rule goes here.

use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::segment::{is_boundary, is_regional_indicator};

/// How a terminal draws a grapheme cluster of several code points.
///
/// ```
/// use short::{ClusterWidth, Cutter, Options};
///
/// // A thumbs-up with a skin tone: one picture of two columns, or two of two.
/// let cut = |cluster_widths| {
///     let options = Options { width: 5, cluster_widths, ..Options::default() };
///     let mut out = Vec::new();
///     Cutter::new(options).process("ab👍🏽c\n".as_bytes(), true, &mut out).unwrap();
///     String::from_utf8(out).unwrap()
/// };
/// assert_eq!(cut(ClusterWidth::Whole), "ab👍🏽c\n");
/// assert_eq!(cut(ClusterWidth::Sum), "ab\n");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClusterWidth {
    /// As one picture, the width of the whole cluster (kitty, WezTerm,
    /// iTerm2, Ghostty, Windows Terminal).
    #[default]
    Whole,
    /// Code point by code point, as `wcswidth` counts them (tmux, GNU
    /// screen, VTE, Alacritty, xterm, the Linux console).
    Sum,
    /// The larger of the two, for a terminal not known: the line fits
    /// either way.
    Larger,
}

/// The columns of a cluster drawn as `widths` says.
pub(super) fn cluster_width_as(cluster: &str, cjk: bool, widths: ClusterWidth) -> usize {
    match widths {
        ClusterWidth::Whole => cluster_width(cluster, cjk),
        ClusterWidth::Sum => summed_width(cluster, cjk),
        ClusterWidth::Larger => cluster_width(cluster, cjk).max(summed_width(cluster, cjk)),
    }
}

/// The columns of a cluster drawn code point by code point: each takes what
/// it takes alone (a joiner or a mark none, an emoji modifier two, a
/// regional indicator two), and a VS16 makes the character before it two
/// columns wide where it has an emoji picture (emoji-variation-sequences).
fn summed_width(cluster: &str, cjk: bool) -> usize {
    let mut total = 0;
    let mut last = None;
    let mut bytes = [0; 4];
    for c in cluster.chars() {
        if c == '\u{FE0F}' {
            if let Some((before, 1)) = last
                && format!("{before}\u{FE0F}").width() == 2
            {
                total += 1;
                last = None;
            }
            continue;
        }
        let width = cluster_width(c.encode_utf8(&mut bytes), cjk);
        last = Some((c, width));
        total += width;
    }
    total
}

/// The column after a tab at `col`: the next tab stop.
#[inline]
pub(crate) fn next_tab_stop(col: usize, tab_width: usize) -> usize {
    // A division takes tens of cycles, and tab stops are nearly always a
    // power of two apart. A stop past the last column a line can reach is
    // the last column.
    if tab_width.is_power_of_two() {
        (col & !(tab_width - 1)).saturating_add(tab_width)
    } else {
        (col / tab_width + 1).saturating_mul(tab_width)
    }
}

/// The columns a cluster takes: unicode-width's, but where terminals (and the
/// C library's wcwidth) draw a character wider than unicode-width counts it:
/// U+00AD SOFT HYPHEN takes a column, a regional indicator without its pair
/// is drawn as a two-column emoji, as is a character that a VS16 after its
/// marks makes an emoji; with `cjk`, the ambiguous letters and the soft
/// hyphen take two columns, as in terminals that draw ambiguous characters
/// wide; and characters that unicode-width counts
/// as nothing but that terminals give a cell take one: spacing marks (the
/// Bengali, Tamil and Malayalam vowel signs AA, Balinese and musical signs),
/// punctuation, and Prepend characters (the Malayalam dot reph, Soyombo and
/// Sharada signs, Arabic marks above numbers); nor does a letter lose its
/// column to a ligature rule. Counting a column too many only cuts a line a
/// column short; counting one too few would overflow it.
pub(super) fn cluster_width(cluster: &str, cjk: bool) -> usize {
    let measure = |text: &str| if cjk { text.width_cjk() } else { text.width() };
    if cluster == "\u{AD}" {
        return 1 + usize::from(cjk);
    }
    // A regional indicator without its pair, with the marks that follow it:
    // unicode-width counts it a column, but terminals draw it as a flag's half.
    let lone_indicator = cluster
        .chars()
        .filter(|&c| is_regional_indicator(c))
        .count()
        == 1;
    // unicode-width's CJK table counts the ambiguous letters one column.
    let wide_letters = if cjk {
        cluster.chars().filter(|&c| is_ambiguous_letter(c)).count()
    } else {
        0
    };
    let width = measure(cluster).max(presentation_width(cluster, measure))
        + usize::from(lone_indicator)
        + wide_letters;
    // unicode-width takes a column off for a letter that a Khmer coeng or a
    // Tifinagh joiner makes a subscript or ligature of; terminals draw it in
    // a cell of its own. Such a rule shows as a character that makes the rest
    // of the cluster narrower. Emoji sequences, whose parts do the same by
    // design, have a wide character and keep unicode-width's count.
    let mut ligated = 0;
    // A ligature needs three characters: two letters and what joins them.
    // Each suffix is measured whole, so a cluster of hundreds of marks (the
    // scanner measures them in pieces) is not asked: no ligature rule
    // reaches so far, and the cost would grow with the square of its length.
    let chars = cluster.chars().count();
    if (3..=MAX_LIGATURE_CHARS).contains(&chars) && !cluster.chars().any(|c| c.width() == Some(2)) {
        let mut rest_width: usize = 0;
        for (at, _) in cluster.char_indices().rev() {
            let with_it = measure(&cluster[at..]);
            ligated += rest_width.saturating_sub(with_it);
            rest_width = with_it;
        }
    }
    // Prepend characters only ever open a cluster (UAX #29 GB9b).
    let mut in_prepends = true;
    let drawn_anyway = cluster
        .chars()
        .filter(|&c| {
            in_prepends = in_prepends && !c.is_ascii() && !is_boundary(c, 'a');
            c.width() == Some(0) && (in_prepends || takes_a_cell(c))
        })
        .count();
    width + ligated + drawn_anyway
}

/// The longest cluster, in characters, looked at for ligatures.
const MAX_LIGATURE_CHARS: usize = 16;

/// The letters and modifier symbols of East_Asian_Width Ambiguous
/// (EastAsianWidth.txt): Latin-1 and Latin Extended letters, Greek,
/// Cyrillic, and a few letterlike symbols.
pub(super) const AMBIGUOUS_LETTERS: [u16; 193] = [
    0x00A8, 0x00AA, 0x00B4, 0x00B8, 0x00BA, 0x00C6, 0x00D0, 0x00D8, 0x00DE, 0x00DF, 0x00E0, 0x00E1,
    0x00E6, 0x00E8, 0x00E9, 0x00EA, 0x00EC, 0x00ED, 0x00F0, 0x00F2, 0x00F3, 0x00F8, 0x00F9, 0x00FA,
    0x00FC, 0x00FE, 0x0101, 0x0111, 0x0113, 0x011B, 0x0126, 0x0127, 0x012B, 0x0131, 0x0132, 0x0133,
    0x0138, 0x013F, 0x0140, 0x0141, 0x0142, 0x0144, 0x0148, 0x0149, 0x014A, 0x014B, 0x014D, 0x0152,
    0x0153, 0x0166, 0x0167, 0x016B, 0x01CE, 0x01D0, 0x01D2, 0x01D4, 0x01D6, 0x01D8, 0x01DA, 0x01DC,
    0x0251, 0x0261, 0x02C4, 0x02C7, 0x02C9, 0x02CA, 0x02CB, 0x02CD, 0x02D0, 0x02D8, 0x02D9, 0x02DA,
    0x02DB, 0x02DD, 0x02DF, 0x0391, 0x0392, 0x0393, 0x0394, 0x0395, 0x0396, 0x0397, 0x0398, 0x0399,
    0x039A, 0x039B, 0x039C, 0x039D, 0x039E, 0x039F, 0x03A0, 0x03A1, 0x03A3, 0x03A4, 0x03A5, 0x03A6,
    0x03A7, 0x03A8, 0x03A9, 0x03B1, 0x03B2, 0x03B3, 0x03B4, 0x03B5, 0x03B6, 0x03B7, 0x03B8, 0x03B9,
    0x03BA, 0x03BB, 0x03BC, 0x03BD, 0x03BE, 0x03BF, 0x03C0, 0x03C1, 0x03C3, 0x03C4, 0x03C5, 0x03C6,
    0x03C7, 0x03C8, 0x03C9, 0x0401, 0x0410, 0x0411, 0x0412, 0x0413, 0x0414, 0x0415, 0x0416, 0x0417,
    0x0418, 0x0419, 0x041A, 0x041B, 0x041C, 0x041D, 0x041E, 0x041F, 0x0420, 0x0421, 0x0422, 0x0423,
    0x0424, 0x0425, 0x0426, 0x0427, 0x0428, 0x0429, 0x042A, 0x042B, 0x042C, 0x042D, 0x042E, 0x042F,
    0x0430, 0x0431, 0x0432, 0x0433, 0x0434, 0x0435, 0x0436, 0x0437, 0x0438, 0x0439, 0x043A, 0x043B,
    0x043C, 0x043D, 0x043E, 0x043F, 0x0440, 0x0441, 0x0442, 0x0443, 0x0444, 0x0445, 0x0446, 0x0447,
    0x0448, 0x0449, 0x044A, 0x044B, 0x044C, 0x044D, 0x044E, 0x044F, 0x0451, 0x207F, 0x2113, 0x2126,
    0x212B,
];

/// Whether `c` is a letter or modifier symbol that East Asian terminals may
/// draw in two columns (East_Asian_Width Ambiguous), though unicode-width's
/// CJK table counts it one: `--cjk` counts it two.
pub fn is_ambiguous_letter(c: char) -> bool {
    u16::try_from(c).is_ok_and(|code| AMBIGUOUS_LETTERS.binary_search(&code).is_ok())
}

/// The columns of the cluster's first character as an emoji, if the cluster
/// asks for an emoji (a VS16 anywhere in it): terminals give the picture to
/// the cell, unicode-width only to a VS16 right after the character.
/// Only a cluster with a VS16 makes the string here, and the scanner
/// remembers the widths of short clusters.
pub(super) fn presentation_width(cluster: &str, measure: impl Fn(&str) -> usize) -> usize {
    const VS16: char = '\u{FE0F}';
    match cluster.chars().next() {
        Some(first) if cluster.contains(VS16) => measure(&format!("{first}{VS16}")),
        _ => 0,
    }
}

/// Whether terminals give `c` a cell of its own: a spacing mark, a
/// punctuation mark or a symbol (U+A8FA DEVANAGARI CARET) does.
pub(super) fn takes_a_cell(c: char) -> bool {
    c.general_category() == GeneralCategory::SpacingMark
        || matches!(
            c.general_category_group(),
            GeneralCategoryGroup::Punctuation | GeneralCategoryGroup::Symbol
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ambiguous_letters_are_wide_in_the_cjk_table_only() {
        assert!(AMBIGUOUS_LETTERS.windows(2).all(|pair| pair[0] < pair[1]));
        for c in [
            '\u{E9}', '\u{410}', '\u{3B1}', '\u{3A9}', '\u{212B}', '\u{B4}',
        ] {
            assert!(is_ambiguous_letter(c), "{c:?}");
        }
        // N, Na, W, and an ambiguous symbol, which the table already widens.
        for c in ['\u{F1}', '\u{C5}', 'a', '\u{6F22}', '\u{2026}'] {
            assert!(!is_ambiguous_letter(c), "{c:?}");
        }
        assert_eq!(cluster_width("\u{E9}", true), 2);
        assert_eq!(cluster_width("\u{E9}", false), 1);
        assert_eq!(cluster_width("\u{AD}", true), 2);
        assert_eq!(cluster_width("\u{E9}\u{301}", true), 2);
        // Decomposed, the base is an unambiguous e.
        assert_eq!(cluster_width("e\u{301}", true), 1);
    }

    /// unicode-width gives some Prepend characters, spacing marks and
    /// punctuation no column; terminals draw each in a cell.
    #[test]
    fn characters_terminals_draw_take_a_column() {
        let unprinted = |keep: fn(char) -> bool| -> Vec<char> {
            (0..=0x10ffff)
                .filter_map(char::from_u32)
                .filter(|&c| !c.is_control() && c.width() == Some(0) && keep(c))
                .collect()
        };
        let prepends = unprinted(|c| !is_boundary(c, 'a'));
        assert!(prepends.len() >= 10, "{prepends:?}");
        for c in prepends {
            assert_eq!(cluster_width(&c.to_string(), false), 1, "{c:?}");
            assert_eq!(cluster_width(&format!("{c}{c}a"), false), 3, "{c:?}");
            assert_eq!(cluster_width(&format!("{c}\u{4E00}"), true), 3, "{c:?}");
        }
        let spacing = unprinted(takes_a_cell);
        assert!(
            spacing.contains(&'\u{9BE}') && spacing.contains(&'\u{A8FA}'),
            "{spacing:?}"
        );
        for c in spacing {
            assert_eq!(cluster_width(&c.to_string(), false), 1, "{c:?}");
            assert_eq!(cluster_width(&format!("\u{995}{c}{c}"), false), 3, "{c:?}");
            assert_eq!(cluster_width(&format!("\u{4E00}{c}"), true), 3, "{c:?}");
        }
    }

    /// A letter that a Khmer coeng makes a subscript keeps its column, as
    /// terminals give it one; emoji sequences keep unicode-width's count.
    #[test]
    fn subscript_letters_keep_their_column() {
        for first in '\u{1780}'..='\u{17A2}' {
            for second in ['\u{1780}', '\u{1798}', '\u{179A}', '\u{17A2}'] {
                let cluster = format!("{first}\u{17D2}{second}");
                assert_eq!(cluster_width(&cluster, false), 2, "{cluster:?}");
            }
        }
        for emoji in [
            "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}",
            "\u{1F1EF}\u{1F1F5}",
            "\u{1F44D}\u{1F3FD}",
        ] {
            assert_eq!(cluster_width(emoji, false), 2, "{emoji:?}");
        }
    }

    #[test]
    fn clusters_drawn_code_point_by_code_point() {
        for (cluster, whole, sum) in [
            ("\u{1F44D}\u{1F3FD}", 2, 4),
            ("\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}", 2, 6),
            ("\u{1F1EF}\u{1F1F5}", 2, 4),
            ("1\u{FE0F}\u{20E3}", 2, 2),
            ("\u{2764}\u{FE0F}", 2, 2),
            ("\u{1100}\u{1161}\u{11A8}", 2, 2),
            ("e\u{301}", 1, 1),
        ] {
            assert_eq!(
                cluster_width_as(cluster, false, ClusterWidth::Whole),
                whole,
                "{cluster:?}"
            );
            assert_eq!(
                cluster_width_as(cluster, false, ClusterWidth::Sum),
                sum,
                "{cluster:?}"
            );
            assert_eq!(
                cluster_width_as(cluster, false, ClusterWidth::Larger),
                whole.max(sum),
                "{cluster:?}"
            );
        }
    }

    #[test]
    fn tab_stops() {
        assert_eq!(next_tab_stop(0, 8), 8);
        assert_eq!(next_tab_stop(7, 8), 8);
        assert_eq!(next_tab_stop(8, 8), 16);
        assert_eq!(next_tab_stop(5, 4), 8);
        assert_eq!(next_tab_stop(5, 3), 6);
        assert_eq!(next_tab_stop(6, 3), 9);
        assert_eq!(next_tab_stop(usize::MAX - 3, 8), usize::MAX);
        assert_eq!(
            next_tab_stop(usize::MAX / 2, usize::MAX / 2),
            usize::MAX - 1
        );
        assert_eq!(next_tab_stop(usize::MAX - 1, usize::MAX / 2), usize::MAX);
    }
}
