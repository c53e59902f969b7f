//! Stretches of text whose widths are known from their bytes, sorted a
//! chunk at a time by a [`ChunkReader`].

use crate::simd::words::{below, highest_below, nth_set_bit, spread};
use crate::simd::{ChunkReader, MAX_LOOKAHEAD, ReadStretch};

/// Text of known widths, as [`stretch_prefix`] reads it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Stretch {
    pub len: usize,
    pub columns: usize,
    /// Where its last character of one or two columns starts, and the
    /// column there, if it has one: marks after it are part of its unit, and
    /// a mark before it joins the unit before the stretch.
    pub last: Option<(usize, usize)>,
    /// It stops before a character that has no room.
    pub full: bool,
}

/// The text at the start of `bytes` to read as a stretch, within `room`
/// columns, with the CJK table of ambiguous widths or not.
#[derive(Clone, Copy, Debug)]
pub(super) struct StretchAt<'a> {
    pub bytes: &'a [u8],
    pub room: usize,
    pub cjk: bool,
}

impl ReadStretch for StretchAt<'_> {
    type Output = Stretch;

    #[inline(always)]
    fn read<Reader: ChunkReader>(self, reader: Reader) -> Stretch {
        stretch_prefix(reader, self.bytes, self.room, self.cjk)
    }
}

/// Text of known widths at the start of `bytes`, a chunk at a time, as far
/// as `room` columns allow: printable ASCII, the characters of two columns
/// of [`StretchBits::wide`](crate::simd::StretchBits::wide) (CJK, kana, Hangul) and
/// [`StretchBits::emoji`](crate::simd::StretchBits::emoji), and, unless with the CJK table of
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
fn stretch_prefix<Reader: ChunkReader>(
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
pub(super) const MIN_STRETCH_ROOM: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::{StretchBits, StretchReaders};
    use crate::testing::Random;
    use crate::text::scanner::Scanner;
    use crate::text::scanner::tests::run_agrees_with_units;
    use crate::text::traits::{Traits, find_traits};

    /// The classes that each chunk reader of this processor gives the
    /// characters at the start of `bytes`.
    fn classes_of(bytes: &[u8]) -> Vec<StretchBits> {
        struct Classify<'a>(&'a [u8]);
        impl ReadStretch for Classify<'_> {
            type Output = StretchBits;
            fn read<Reader: ChunkReader>(self, reader: Reader) -> StretchBits {
                reader.classify(self.0)
            }
        }
        StretchReaders::each()
            .into_iter()
            .filter_map(|readers| readers.read(Classify(bytes)))
            .collect()
    }

    /// The characters that [`stretch_prefix`] takes by their bytes are the
    /// ones its classes name, with the traits it gives them.
    #[test]
    fn stretch_classes_are_the_rules() {
        let letter = |c| matches!(c, '\u{C0}'..='\u{2FF}' | '\u{400}'..='\u{47F}');
        let mark = |c| matches!(c, '\u{300}'..='\u{33F}') && c != '\u{338}';
        let wide = |c| {
            matches!(
                c,
                '\u{3000}'..='\u{30FF}'
                    | '\u{3400}'..='\u{9FFF}'
                    | '\u{AC00}'..='\u{D77F}'
                    | '\u{FF01}'..='\u{FF60}'
            ) && !matches!(
                c,
                '\u{302A}'..='\u{302F}' | '\u{303F}' | '\u{3040}' | '\u{3097}'..='\u{309A}'
            )
        };
        let emoji = |c| {
            matches!(
                c,
                '\u{1F480}'..='\u{1F4BF}'
                    | '\u{1F600}'..='\u{1F64F}'
                    | '\u{1F680}'..='\u{1F6BF}'
                    | '\u{1F980}'..='\u{1F9FF}'
                    | '\u{1FA80}'..='\u{1FABF}'
            )
        };
        for c in ('\u{80}'..='\u{FFFF}').chain('\u{1F000}'..='\u{1FFFF}') {
            let mut chunk = [0; MAX_LOOKAHEAD];
            c.encode_utf8(&mut chunk);
            let named = [letter(c), mark(c), wide(c), emoji(c)].map(u32::from);
            for bits in classes_of(&chunk) {
                let classes =
                    [bits.letters, bits.marks, bits.wide, bits.emoji].map(|bits| bits & 1);
                assert_eq!(classes, named, "{c:?}");
            }
            let plain = find_traits(c, false);
            if letter(c) {
                assert!(
                    plain.has(Traits::ALONE) && !plain.has(Traits::MARK),
                    "{c:?}"
                );
                assert_eq!(plain.width(), 1, "{c:?}");
            }
            if mark(c) {
                assert!(plain.has(Traits::MARK), "{c:?}");
                assert_eq!(plain.width(), 0, "{c:?}");
            }
            if wide(c) || emoji(c) {
                for traits in [plain, find_traits(c, true)] {
                    assert!(
                        traits.has(Traits::ALONE) && !traits.has(Traits::MARK),
                        "{c:?}"
                    );
                    assert_eq!(traits.width(), 2, "{c:?}");
                }
            }
        }
    }

    /// A scanner for each way of reading stretches that this processor has.
    fn scanners(cjk: bool) -> Vec<Scanner> {
        StretchReaders::each()
            .into_iter()
            .map(|readers| Scanner::with_readers(cjk, readers))
            .collect()
    }

    /// Text read a stretch at a time gives the units that the segmentation
    /// rules give, as far as the limit and no further, across the ends of
    /// the 16-byte chunks and beside what ends a stretch: characters of no
    /// class, characters that join the one before, and ill-formed bytes.
    #[test]
    fn stretch_text_is_read_as_units_would() {
        let narrow = [
            "\u{C0}", "\u{E9}", "\u{FF}", "\u{2B0}", "\u{2FF}", "\u{300}", "\u{301}", "\u{33F}",
            "\u{400}", "\u{44F}", "\u{47F}",
        ];
        let wide = [
            "\u{3000}",
            "\u{3002}",
            "\u{3041}",
            "\u{30A2}",
            "\u{30FB}",
            "\u{3400}",
            "\u{4E00}",
            "\u{65E5}",
            "\u{9FFF}",
            "\u{AC00}",
            "\u{B000}",
            "\u{D77F}",
            "\u{FF01}",
            "\u{FF0C}",
            "\u{FF60}",
            "\u{1F4AF}",
            "\u{1F600}",
            "\u{1F64F}",
            "\u{1F680}",
            "\u{1F9C0}",
            "\u{1FA80}",
        ];
        let others: [&[u8]; 25] = [
            "\u{340}".as_bytes(),
            "\u{338}".as_bytes(),
            "\u{480}".as_bytes(),
            "\u{483}".as_bytes(),
            "\u{302A}".as_bytes(),
            "\u{303F}".as_bytes(),
            "\u{3099}".as_bytes(),
            "\u{309B}".as_bytes(),
            "\u{D7A3}".as_bytes(),
            "\u{FF61}".as_bytes(),
            "\u{FE0F}".as_bytes(),
            "\u{200D}".as_bytes(),
            "\u{1F600}".as_bytes(),
            "\u{1F3FD}".as_bytes(),
            "\u{1F44D}".as_bytes(),
            "\u{1F650}".as_bytes(),
            "\u{1F6C0}".as_bytes(),
            b"\xf0\x9f\x98",
            b"\xe4\xb8",
            b"\xe3\x81",
            b"\xef\xbc",
            b"\xcc",
            b"\x80",
            b"\xed\xa0\x80",
            b"\x1b[0m",
        ];
        let mut random = Random::new(0x6a09_e667_f3bc_c908);
        for mut scanner in [false, true].into_iter().flat_map(scanners) {
            let cjk = scanner.cjk;
            // What a stretch takes, and then those with what ends one.
            let mut pieces: Vec<&[u8]> = vec![b"word", b" ", b"\t"];
            pieces.extend(wide.map(str::as_bytes));
            if !cjk {
                pieces.extend(narrow.map(str::as_bytes));
            }
            let taken_pieces = pieces.len();
            pieces.extend(others);
            for round in 0..4_000 {
                let only_taken = round % 2 == 0;
                let choices = if only_taken {
                    taken_pieces
                } else {
                    pieces.len()
                };
                let line: Vec<u8> = (0..random.below(40))
                    .flat_map(|_| pieces[random.below(choices)])
                    .copied()
                    .collect();
                let limit = random.below(90);
                let taken = run_agrees_with_units(&mut scanner, &line, limit);
                if only_taken {
                    let run = scanner.run(&line, 0, limit, 8, true);
                    assert!(
                        run.full || taken == line.len(),
                        "{line:x?} to {limit}: {taken}"
                    );
                }
            }
        }
    }
}
