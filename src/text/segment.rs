//! What the grapheme cluster rules (UAX #29) say of characters side by
//! side, asked of unicode-segmentation rather than copied from its tables.

use unicode_segmentation::GraphemeCursor;

/// Whether the segmentation rules put a cluster boundary between `before`
/// and `after` when nothing else is around them.
pub(super) fn is_boundary(before: char, after: char) -> bool {
    ends_before(&[before], after)
}

/// Whether the segmentation rules put a cluster boundary between the
/// characters `before` (at most three) and `after`.
pub(super) fn ends_before(before: &[char], after: char) -> bool {
    let mut bytes = [0; 16];
    let mut split = 0;
    for c in before {
        split += c.encode_utf8(&mut bytes[split..]).len();
    }
    let len = split + after.encode_utf8(&mut bytes[split..]).len();
    let text = std::str::from_utf8(&bytes[..len]).unwrap_or_default();
    GraphemeCursor::new(split, len, true)
        .is_boundary(text, 0)
        .unwrap_or(false)
}

pub(super) fn is_regional_indicator(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}
