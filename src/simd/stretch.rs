//! Stretches of text whose widths are known from their bytes, sorted a
//! chunk at a time by a [`ChunkReader`].

use super::ChunkReader;
use super::words::{below, highest_below, nth_set_bit, spread};

/// The most bytes any [`ChunkReader`] sorts a chunk from.
pub(crate) const MAX_LOOKAHEAD: usize = 35;

/// Text of known widths, as [`stretch_prefix`] reads it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Stretch {
    pub len: usize,
    pub columns: usize,
    /// Where its last character of one or two columns starts, and the
    /// column there, if it has one: marks after it are part of its unit, and
    /// a mark before it joins the unit before the stretch.
    pub last: Option<(usize, usize)>,
    /// It stops before a character that has no room.
    pub full: bool,
}

/// Text of known widths at the start of `bytes`, a chunk at a time, as far
/// as `room` columns allow: printable ASCII, the characters of two columns
/// of [`StretchBits::wide`](super::StretchBits::wide) (CJK, kana, Hangul) and
/// [`StretchBits::emoji`](super::StretchBits::emoji), and, unless with the CJK table of
/// ambiguous widths, the two-byte letters U+00C0..=U+02FF (Latin)
/// and U+0400..=U+047F (Cyrillic), a column each, and the combining marks
/// U+0300..=U+033F but U+0338, none. Read a character at a time, every
/// change between them was a branch that no predictor could guess. Every
/// character of these classes forms a cluster of its own beside any of
/// them, with its marks: the wide ones stand alone (`Traits::ALONE`) in two columns
/// in both tables, and without the CJK table each letter is
/// alone in a column and each mark a `Traits::MARK`, as
/// `stretch_classes_are_the_rules` checks. U+0338, which changes the width
/// of what it follows in the CJK table, is left out.
#[inline(always)]
pub(super) fn stretch_prefix<Reader: ChunkReader>(
    reader: Reader,
    bytes: &[u8],
    room: usize,
    cjk: bool,
) -> Stretch {
    let narrow = if cjk { 0 } else { u32::MAX };
    let mut stretch = Stretch::default();
    // Chunks start one after the other, whatever character they cut, so
    // that where one starts does not wait on what the one before holds.
    let mut chunk_start = 0;
    // The bytes at the start of a chunk that end a character of the chunk
    // before.
    let mut carried = 0;
    loop {
        let rest = &bytes[chunk_start..];
        let padded;
        let chunk = if rest.len() >= Reader::LOOKAHEAD {
            rest
        } else {
            // NUL, which ends a stretch, after the last bytes.
            let mut bytes = [0; MAX_LOOKAHEAD];
            bytes[..rest.len()].copy_from_slice(rest);
            padded = bytes;
            &padded[..]
        };
        let bits = reader.classify(chunk);
        let (letters, marks) = (bits.letters & narrow, bits.marks & narrow);
        let one_column = bits.printable | letters;
        let two_columns = bits.wide | bits.emoji;
        let covered = u64::from(one_column | marks | two_columns)
            | u64::from(letters | marks | two_columns) << 1
            | u64::from(two_columns) << 2
            | u64::from(bits.emoji) << 3;
        let read = (covered | carried).trailing_ones().min(Reader::LEN);
        let starts_read = below(read) as u32;
        let ones = one_column & starts_read;
        let twos = two_columns & starts_read;
        let columns = reader.count_ones(ones) + 2 * reader.count_ones(twos);
        if stretch.columns + columns > room {
            // A bit a column, two places a byte: the first column past the
            // room belongs to the character that has none.
            let cells = spread(u64::from(ones | twos)) | spread(u64::from(twos)) << 1;
            let cell = nth_set_bit(cells, room - stretch.columns);
            stretch.len = chunk_start + cell as usize / 2;
            stretch.columns = room - (cell as usize & 1);
            stretch.full = true;
            return stretch;
        }
        if ones | twos != 0 {
            let last = highest_below(u64::from(ones | twos), Reader::LEN);
            let width = 1 + (twos >> last & 1) as usize;
            stretch.last = Some((
                chunk_start + last as usize,
                stretch.columns + columns - width,
            ));
        }
        stretch.columns += columns;
        if read < Reader::LEN {
            stretch.len = chunk_start + read as usize;
            return stretch;
        }
        chunk_start += Reader::LEN as usize;
        if chunk_start >= bytes.len() {
            stretch.len = bytes.len();
            return stretch;
        }
        carried = covered >> Reader::LEN;
    }
}

/// A stretch is started only with room for a few characters: sorting a
/// chunk costs more than reading the one or two that a narrower room takes.
pub(crate) const MIN_STRETCH_ROOM: usize = 8;
