//! Splitting a line into the units a cut never divides: grapheme clusters,
//! escape sequences, tabs, and control bytes, each with what it does to the
//! column.

use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};
use unicode_segmentation::GraphemeCursor;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::ansi::{self, Effect, Escape};
use crate::{block, swar};

/// A grapheme cluster longer than this is measured in pieces of this size. Real
/// clusters are far shorter (a family emoji with skin tones is 35 bytes, a
/// stacked "Zalgo" letter rarely 100); the bound keeps the cost of one cluster,
/// and the bytes a stream must hold back for it, small.
pub const MAX_CLUSTER_LEN: usize = 256;

/// The longest unit [`Scanner::next`] can return or wait for.
pub const MAX_UNIT_LEN: usize = if ansi::MAX_ESCAPE_LEN > MAX_CLUSTER_LEN + 4 {
    ansi::MAX_ESCAPE_LEN
} else {
    MAX_CLUSTER_LEN + 4
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unit {
    pub len: usize,
    pub kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A grapheme cluster, or a maximal invalid UTF-8 subpart (one column, as the
    /// U+FFFD a terminal shows for it).
    Text { width: usize },
    /// Advances to the next tab stop.
    Tab,
    /// A carriage return: back to column 0.
    CarriageReturn,
    /// A control byte or character: no column.
    Control,
    /// An escape sequence: no column.
    Escape(Effect),
}

impl Kind {
    /// The column after this unit, placed at `col`.
    pub fn advance(self, col: usize, tab_width: usize) -> usize {
        match self {
            Kind::Text { width } => col + width,
            // A division takes tens of cycles, and tab stops are nearly always
            // a power of two apart.
            Kind::Tab if tab_width.is_power_of_two() => (col & !(tab_width - 1)) + tab_width,
            Kind::Tab => (col / tab_width + 1) * tab_width,
            Kind::CarriageReturn => 0,
            Kind::Control | Kind::Escape(_) => col,
        }
    }
}

/// Reads units off the front of a line.
#[derive(Debug)]
pub struct Scanner {
    /// East Asian ambiguous-width characters take two columns.
    pub cjk: bool,
    /// Stretches of text are read 32 bytes at a time.
    #[cfg(target_arch = "x86_64")]
    avx2: bool,
    /// What the segmentation rules say of each character, found the first time
    /// the character is met: a [`Traits`] a code point, 0 while unknown. The
    /// pages of it that no character touches are never mapped in.
    traits: Vec<u8>,
    /// The cluster being read, as text for the segmentation and width tables.
    cluster: String,
    /// The widths of clusters of several characters met lately.
    widths: Memo,
    /// Whether a character joins the cluster before it, for the clusters
    /// and characters met lately that take the rules as a whole.
    joins: Memo,
}

/// Answers about short texts, remembered. Text repeats its clusters of
/// several characters (accented letters, emoji sequences, conjuncts), and
/// measuring one, or asking the segmentation rules whether the next
/// character joins it, takes a walk through the crates' rules.
/// Direct-mapped, keyed by the whole text: a hit is always exact.
#[derive(Debug)]
struct Memo {
    /// The text's bytes with its length in the last byte; 0 for none.
    keys: Vec<[u128; 2]>,
    answers: Vec<u8>,
}

impl Memo {
    const SLOT_BITS: u32 = 12;
    const SLOTS: usize = 1 << Self::SLOT_BITS;
    /// Long enough for a family of four joined by ZWJs.
    const MAX_LEN: usize = 31;

    fn new() -> Self {
        Memo {
            keys: vec![[0; 2]; Self::SLOTS],
            answers: vec![0; Self::SLOTS],
        }
    }

    /// The answer about `text`: remembered, or found by `answer` (and
    /// remembered if the text is short and the answer fits in a byte).
    fn get(&mut self, text: &str, answer: impl FnOnce() -> usize) -> usize {
        let bytes = text.as_bytes();
        if bytes.len() > Self::MAX_LEN {
            return answer();
        }
        let mut packed = [0; Self::MAX_LEN + 1];
        packed[..bytes.len()].copy_from_slice(bytes);
        packed[Self::MAX_LEN] = bytes.len() as u8;
        let mut key = [0; 2];
        for (word, chunk) in key.iter_mut().zip(packed.as_chunks::<16>().0) {
            *word = u128::from_le_bytes(*chunk);
        }
        let folded = key[0] ^ key[1].rotate_left(64);
        let mixed = (folded as u64 ^ (folded >> 64) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let slot = (mixed >> (u64::BITS - Self::SLOT_BITS)) as usize;
        if self.keys[slot] == key {
            return usize::from(self.answers[slot]);
        }
        let found = answer();
        if let Ok(short) = u8::try_from(found) {
            self.keys[slot] = key;
            self.answers[slot] = short;
        }
        found
    }
}

/// CJK ideographs (with Extension A and the Yijing hexagrams between them)
/// and Hangul syllables: the tens of thousands of characters of CJK text,
/// each two columns wide and a cluster of its own beside any other, whatever
/// the table of ambiguous widths. Their traits are known without asking the
/// segmentation rules each time one is first met, which takes a microsecond:
/// as long as cutting a few hundred kilobytes of such text. The test
/// `wide_characters_that_stand_alone_are_known` holds this to the rules.
const WIDE_AND_ALONE: [std::ops::RangeInclusive<u32>; 2] = [0x3400..=0x9fff, 0xac00..=0xd7a3];

/// What [`Scanner::run`] took.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    /// The bytes.
    pub len: usize,
    /// The column reached.
    pub col: usize,
    /// The unit after them is known, and ends past the limit.
    pub full: bool,
}

/// Text of known widths, as [`stretch_prefix`] reads it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Stretch {
    len: usize,
    columns: usize,
    /// Where its last character of one or two columns starts, and the
    /// column there, if it has one: marks after it are part of its unit, and
    /// a mark before it joins the unit before the stretch.
    last: Option<(usize, usize)>,
    /// It stops before a character that has no room.
    full: bool,
}

/// Text of known widths at the start of `bytes`, a chunk at a time, as far
/// as `room` columns allow: printable ASCII, the characters of two columns
/// of [`block::StretchBits::wide`] (CJK, kana, Hangul) and
/// [`block::StretchBits::emoji`], and, unless with the CJK table of
/// ambiguous widths, the two-byte letters U+00C0..=U+02FF (Latin)
/// and U+0400..=U+047F (Cyrillic), a column each, and the combining marks
/// U+0300..=U+033F but U+0338, none. Read a character at a time, every
/// change between them was a branch that no predictor could guess. Every
/// character of these classes forms a cluster of its own beside any of
/// them, with its marks: the wide ones are [`Traits::ALONE`] of two columns
/// in both tables, and without the CJK table each letter is
/// [`Traits::ALONE`] of a column and each mark a [`Traits::MARK`], as
/// `stretch_classes_are_the_rules` checks. U+0338, which changes the width
/// of what it follows in the CJK table, is left out.
#[inline(always)]
fn stretch_prefix<Reader: ChunkReader>(bytes: &[u8], room: usize, cjk: bool) -> Stretch {
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
            let mut bytes = [0; block::LOOKAHEAD_WIDE_CHUNK];
            bytes[..rest.len()].copy_from_slice(rest);
            padded = bytes;
            &padded[..]
        };
        let bits = Reader::classify(chunk);
        let (letters, marks) = (bits.letters & narrow, bits.marks & narrow);
        let one_column = bits.printable | letters;
        let two_columns = bits.wide | bits.emoji;
        let covered = u64::from(one_column | marks | two_columns)
            | u64::from(letters | marks | two_columns) << 1
            | u64::from(two_columns) << 2
            | u64::from(bits.emoji) << 3;
        let read = (covered | carried).trailing_ones().min(Reader::LEN);
        let starts_read = block::below(read) as u32;
        let ones = one_column & starts_read;
        let twos = two_columns & starts_read;
        let columns = Reader::count_ones(ones) + 2 * Reader::count_ones(twos);
        if stretch.columns + columns > room {
            // A bit a column, two places a byte: the first column past the
            // room belongs to the character that has none.
            let cells = swar::spread(u64::from(ones | twos)) | swar::spread(u64::from(twos)) << 1;
            let cell = swar::nth_set_bit(cells, room - stretch.columns);
            stretch.len = chunk_start + cell as usize / 2;
            stretch.columns = room - (cell as usize & 1);
            stretch.full = true;
            return stretch;
        }
        if ones | twos != 0 {
            let last = block::highest_below(u64::from(ones | twos), Reader::LEN);
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
/// chunk costs more than reading the one or two that a narrower room takes
/// (the cjk corpus cut to 5 columns: 104 ms with stretches, 88 without).
const MIN_STRETCH_ROOM: usize = 8;

/// How [`stretch_prefix`] sorts the bytes of a chunk.
trait ChunkReader {
    /// The bytes of a chunk.
    const LEN: u32;
    /// The bytes it is sorted from: its own, and the three after them.
    const LOOKAHEAD: usize;

    /// The classes of the characters that start in the chunk at the start
    /// of `bytes`, which holds [`Self::LOOKAHEAD`] bytes at least.
    fn classify(bytes: &[u8]) -> block::StretchBits;

    fn count_ones(bits: u32) -> usize;
}

/// 16 bytes at a time, on every processor.
struct Chunks16;

impl ChunkReader for Chunks16 {
    const LEN: u32 = 16;
    const LOOKAHEAD: usize = block::LOOKAHEAD_CHUNK;

    #[inline(always)]
    fn classify(bytes: &[u8]) -> block::StretchBits {
        block::stretch_bits(bytes.first_chunk().expect("a chunk and the bytes after it"))
    }

    #[inline(always)]
    fn count_ones(bits: u32) -> usize {
        swar::count_ones_16(bits as u16)
    }
}

/// 32 bytes at a time, for [`stretch_prefix_avx2`] alone.
#[cfg(target_arch = "x86_64")]
struct Chunks32;

#[cfg(target_arch = "x86_64")]
impl ChunkReader for Chunks32 {
    const LEN: u32 = 32;
    const LOOKAHEAD: usize = block::LOOKAHEAD_WIDE_CHUNK;

    #[inline(always)]
    #[allow(unsafe_code)]
    fn classify(bytes: &[u8]) -> block::StretchBits {
        let chunk = bytes.first_chunk().expect("a chunk and the bytes after it");
        // SAFETY: only `stretch_prefix_avx2` reads chunks of 32 bytes, and
        // it only runs on processors that have AVX2.
        unsafe { block::stretch_bits_avx2(chunk) }
    }

    /// With POPCNT, which `stretch_prefix_avx2` enables, one instruction.
    #[inline(always)]
    fn count_ones(bits: u32) -> usize {
        bits.count_ones() as usize
    }
}

/// [`stretch_prefix`] 32 bytes at a time. Every processor that has AVX2 has
/// POPCNT too, but both are checked.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,popcnt")]
fn stretch_prefix_avx2(bytes: &[u8], room: usize, cjk: bool) -> Stretch {
    stretch_prefix::<Chunks32>(bytes, room, cjk)
}

/// How many bytes at the start of `bytes` are printable ASCII.
pub fn printable_ascii_prefix(bytes: &[u8]) -> usize {
    let (chunks, rest) = bytes.as_chunks::<16>();
    let mut len = 0;
    for chunk in chunks {
        let printable = block::printable_bits(chunk);
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

/// What a cluster needs to know of one character, packed in a byte.
#[derive(Clone, Copy, Debug)]
struct Traits(u8);

impl Traits {
    const KNOWN: u8 = 0x80;
    /// It forms a cluster of its own beside ASCII and beside other characters
    /// with this trait: most letters, CJK ideographs, kana, Hangul syllables,
    /// most emoji. Text of these needs one table lookup a character.
    const ALONE: u8 = 0x40;
    /// It joins whatever comes before it: Extend, ZWJ, SpacingMark (UAX #29
    /// GB9, GB9a).
    const JOINS_PREVIOUS: u8 = 0x20;
    /// It joins whatever comes after it: Prepend (GB9b).
    const JOINS_NEXT: u8 = 0x10;
    /// Nothing joins it from after, not even a mark: a format character such
    /// as U+FEFF or U+200B is a Control to UAX #29 (GB4).
    const ENDS_CLUSTER: u8 = 0x08;
    /// A nonspacing mark, the commonest joiner. It takes no column: joined
    /// to what comes before it, it leaves that cluster's width as it was, and
    /// after a character with [`Self::ENDS_CLUSTER`] it is a cluster of no
    /// width. A cluster ends after it before ASCII and before characters
    /// with [`Self::ALONE`].
    const MARK: u8 = 0x04;
    /// The low bits hold its width, as a cluster of its own.
    const WIDTH: u8 = 0x03;

    fn has(self, flag: u8) -> bool {
        self.0 & flag != 0
    }

    fn width(self) -> usize {
        usize::from(self.0 & Self::WIDTH)
    }
}

impl Scanner {
    pub fn new(cjk: bool) -> Self {
        Scanner {
            cjk,
            #[cfg(target_arch = "x86_64")]
            avx2: is_x86_feature_detected!("avx2") && is_x86_feature_detected!("popcnt"),
            traits: vec![0; char::MAX as usize + 1],
            cluster: String::new(),
            widths: Memo::new(),
            joins: Memo::new(),
        }
    }

    /// The unit at the start of `line` (which is not empty and holds no line
    /// terminator), or `None` when it may go on past the end of `line`.
    /// `complete` says that `line` runs to the end of the line.
    pub fn next(&mut self, line: &[u8], complete: bool) -> Option<Unit> {
        let kind_of_one = |kind| Some(Unit { len: 1, kind });
        match line[0] {
            b'\t' => kind_of_one(Kind::Tab),
            b'\r' => kind_of_one(Kind::CarriageReturn),
            0x1b => match ansi::parse(line, complete) {
                Escape::Complete { len, effect } => Some(Unit {
                    len,
                    kind: Kind::Escape(effect),
                }),
                Escape::Aborted { len } => Some(Unit {
                    len,
                    kind: Kind::Control,
                }),
                Escape::Unbounded => kind_of_one(Kind::Control),
                Escape::Incomplete => None,
            },
            0x00..=0x1f | 0x7f => kind_of_one(Kind::Control),
            0x20..=0x7e => match line.get(1) {
                // Printable ASCII followed by ASCII: always a cluster boundary (UAX #29:
                // nothing ASCII extends a cluster, and no ASCII letter is a Prepend).
                Some(next) if next.is_ascii() => kind_of_one(Kind::Text { width: 1 }),
                None if complete => kind_of_one(Kind::Text { width: 1 }),
                None => None,
                Some(_) if self.starts_cluster_after_ascii(&line[1..]) => {
                    kind_of_one(Kind::Text { width: 1 })
                }
                Some(_) => self.cluster(line, complete),
            },
            _ => {
                if let Some((len, traits)) = self.alone(line)
                    && let Some(&next) = line.get(len)
                    && (next.is_ascii() || self.alone(&line[len..]).is_some())
                {
                    return Some(Unit {
                        len,
                        kind: Kind::Text {
                            width: traits.width(),
                        },
                    });
                }
                self.cluster(line, complete)
            }
        }
    }

    /// Skips the units at the start of `line` that need no segmentation rules
    /// (printable ASCII, tabs, and characters that stand alone in a cluster,
    /// with the marks that follow them) as long as they end within `limit`
    /// columns, starting from column `col`. A unit is taken only once what
    /// follows it shows that it ends there (the end of `line` does when
    /// `complete`). This is the loop that most text goes through.
    pub fn run(
        &mut self,
        line: &[u8],
        mut col: usize,
        limit: usize,
        tab_width: usize,
        complete: bool,
    ) -> Run {
        let stop = |len, col| Run {
            len,
            col,
            full: false,
        };
        let full = |len, col| Run {
            len,
            col,
            full: true,
        };
        let mut pos = 0;
        // Where the last unit read starts, and the column there: whether the
        // unit ends where it seems to is known only from what follows it.
        let (mut unit_start, mut unit_col) = (0, col);
        loop {
            let Some(&byte) = line.get(pos) else {
                return if complete {
                    stop(pos, col)
                } else {
                    stop(unit_start, unit_col)
                };
            };
            let found = match byte {
                // The lead bytes of no class of the stretch first: a test of
                // the stretch's before them took Hindi text 3 % longer.
                0xd2..=0xe2 | 0xee | 0xf0.. => self.char_in_run(&line[pos..]),
                0xe3..=0xed | 0xef | 0xc3..=0xcc | 0xd0..=0xd1
                    if (byte >= 0xe3 || !self.cjk) && limit - col >= MIN_STRETCH_ROOM =>
                {
                    let stretch = self.stretch(&line[pos..], limit - col);
                    if stretch.full {
                        return full(pos + stretch.len, col + stretch.columns);
                    }
                    if let Some((start, start_col)) = stretch.last {
                        (unit_start, unit_col) = (pos + start, col + start_col);
                    }
                    pos += stretch.len;
                    col += stretch.columns;
                    // What ends a stretch is of none of its classes: a
                    // character (U+0338, which changes the width of what it
                    // follows, among them) or ill-formed bytes are read here
                    // at once, rather than sorted again as a chunk.
                    match line.get(pos) {
                        Some(&after) if after >= 0x80 => self.char_in_run(&line[pos..]),
                        _ => continue,
                    }
                }
                0x80.. => self.char_in_run(&line[pos..]),
                0x20..=0x7e => {
                    // Each byte but the last is followed by ASCII, which
                    // shows that its unit ends there.
                    let len = printable_ascii_prefix(&line[pos..]);
                    if col + len > limit {
                        return full(pos + (limit - col), limit);
                    }
                    pos += len;
                    col += len;
                    (unit_start, unit_col) = (pos - 1, col - 1);
                    continue;
                }
                b'\t' => {
                    let next_col = Kind::Tab.advance(col, tab_width);
                    if next_col > limit {
                        return full(pos, col);
                    }
                    (unit_start, unit_col) = (pos, col);
                    pos += 1;
                    col = next_col;
                    continue;
                }
                // Nothing joins a control character, nor does it join anything.
                _ => return stop(pos, col),
            };
            let (len, next_col) = match found {
                Some((len, traits)) if traits.has(Traits::ALONE) => (len, col + traits.width()),
                Some((len, traits)) if traits.has(Traits::MARK) => {
                    pos += len;
                    continue;
                }
                // It may join the unit before it.
                _ => return stop(unit_start, unit_col),
            };
            // A unit of these starts a cluster after any other.
            if next_col > limit {
                return full(pos, col);
            }
            (unit_start, unit_col) = (pos, col);
            pos += len;
            col = next_col;
        }
    }

    /// The text of known widths at the start of `bytes`, as far as `room`
    /// columns allow.
    #[inline(always)]
    #[allow(unsafe_code)]
    fn stretch(&self, bytes: &[u8], room: usize) -> Stretch {
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: the processor has AVX2 and POPCNT.
            return unsafe { stretch_prefix_avx2(bytes, room, self.cjk) };
        }
        stretch_prefix::<Chunks16>(bytes, room, self.cjk)
    }

    /// The character at the start of `line`, with its length, if it has the
    /// trait [`Traits::ALONE`].
    #[inline(always)]
    fn alone(&mut self, line: &[u8]) -> Option<(usize, Traits)> {
        let (code, len) = decode_well_formed(line)?;
        let traits = self.traits(code);
        traits.has(Traits::ALONE).then_some((len, traits))
    }

    /// The character at the start of `line`, if it is well formed, with its
    /// length and traits; the commonest character of CJK text (three bytes)
    /// decoded inline for the loop over plain text. A lead byte 0xE1..=0xEC
    /// or 0xEE..=0xEF with two continuation bytes is always well formed: only
    /// 0xE0 starts overlong forms, only 0xED surrogates.
    #[inline(always)]
    fn char_in_run(&mut self, line: &[u8]) -> Option<(usize, Traits)> {
        if let [lead @ (0xe1..=0xec | 0xee..=0xef), b1, b2, ..] = *line
            && u16::from_le_bytes([b1, b2]) & 0xc0c0 == 0x8080
        {
            let code =
                (u32::from(lead & 0x0f) << 12) | (u32::from(b1 & 0x3f) << 6) | u32::from(b2 & 0x3f);
            return Some((3, self.traits(code)));
        }
        let (code, len) = decode_well_formed(line)?;
        Some((len, self.traits(code)))
    }

    /// Whether the character at the start of `bytes` is known to begin a
    /// cluster of its own when printable ASCII comes before it: printable ASCII
    /// is Other to UAX #29, which only Extend, ZWJ and SpacingMark join.
    fn starts_cluster_after_ascii(&mut self, bytes: &[u8]) -> bool {
        decode_well_formed(bytes)
            .is_some_and(|(code, _)| !self.traits(code).has(Traits::JOINS_PREVIOUS))
    }

    /// The traits of the character with this code point (which is valid).
    #[inline]
    fn traits(&mut self, code: u32) -> Traits {
        match self.traits[code as usize] {
            0 => self.learn_traits(code),
            known => Traits(known),
        }
    }

    /// Out of line, so that the lookup that nearly always succeeds stays small
    /// enough to inline.
    #[cold]
    #[inline(never)]
    fn learn_traits(&mut self, code: u32) -> Traits {
        let traits = if WIDE_AND_ALONE.iter().any(|range| range.contains(&code)) {
            Traits(Traits::KNOWN | Traits::ALONE | 2)
        } else {
            char::from_u32(code).map_or(Traits(Traits::KNOWN), |c| find_traits(c, self.cjk))
        };
        self.traits[code as usize] = traits.0;
        traits
    }

    /// A grapheme cluster (UAX #29, extended) starting at `line[0]`.
    fn cluster(&mut self, line: &[u8], complete: bool) -> Option<Unit> {
        let (first, mut len) = match decode(line, complete)? {
            Decoded::Invalid(len) => {
                return Some(Unit {
                    len,
                    kind: Kind::Text { width: 1 },
                });
            }
            Decoded::Char(c, len) if c.is_control() => {
                return Some(Unit {
                    len,
                    kind: Kind::Control,
                });
            }
            Decoded::Char(c, len) => (c, len),
        };
        // Taken out for the while, so that the traits table can be consulted.
        let mut cluster = std::mem::take(&mut self.cluster);
        cluster.clear();
        cluster.push(first);
        let mut last = first;
        while len < MAX_CLUSTER_LEN {
            let rest = &line[len..];
            if rest.is_empty() {
                if complete {
                    break;
                }
                return None;
            }
            let next = match decode(rest, complete)? {
                Decoded::Char(c, n) if !c.is_control() => (c, n),
                _ => break,
            };
            // The common cases, without asking the rules about the whole cluster:
            // nothing joins a format character, a mark joins anything else, and
            // ASCII after anything but a Prepend starts anew.
            let last_traits = self.traits(u32::from(last));
            let joins = if last_traits.has(Traits::ENDS_CLUSTER)
                || next.0.is_ascii() && !last_traits.has(Traits::JOINS_NEXT)
            {
                false
            } else if self.traits(u32::from(next.0)).has(Traits::JOINS_PREVIOUS) {
                true
            } else if last.is_ascii() {
                false
            } else if is_regional_indicator(last) && is_regional_indicator(next.0) {
                // Flags: regional indicators pair off from the first (GB12, GB13),
                // and the cluster began at a boundary.
                cluster
                    .chars()
                    .rev()
                    .take_while(|&c| is_regional_indicator(c))
                    .count()
                    % 2
                    == 1
            } else {
                let before = cluster.len();
                cluster.push(next.0);
                let joins = self.joins.get(&cluster, || {
                    let boundary = GraphemeCursor::new(before, cluster.len(), true)
                        .is_boundary(&cluster, 0)
                        .unwrap_or(true);
                    usize::from(!boundary)
                });
                cluster.truncate(before);
                joins == 1
            };
            if !joins {
                break;
            }
            cluster.push(next.0);
            last = next.0;
            len += next.1;
        }
        let cjk = self.cjk;
        let width = self.widths.get(&cluster, || cluster_width(&cluster, cjk));
        self.cluster = cluster;
        Some(Unit {
            len,
            kind: Kind::Text { width },
        })
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
fn cluster_width(cluster: &str, cjk: bool) -> usize {
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
    if cluster.chars().nth(2).is_some() && !cluster.chars().any(|c| c.width() == Some(2)) {
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

/// The letters and modifier symbols of East_Asian_Width Ambiguous
/// (EastAsianWidth.txt): Latin-1 and Latin Extended letters, Greek,
/// Cyrillic, and a few letterlike symbols.
const AMBIGUOUS_LETTERS: [u16; 193] = [
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
fn presentation_width(cluster: &str, measure: impl Fn(&str) -> usize) -> usize {
    const VS16: char = '\u{FE0F}';
    match cluster.chars().next() {
        Some(first) if cluster.contains(VS16) => measure(&format!("{first}{VS16}")),
        _ => 0,
    }
}

/// Whether terminals give `c` a cell of its own: a spacing mark, a
/// punctuation mark or a symbol (U+A8FA DEVANAGARI CARET) does.
fn takes_a_cell(c: char) -> bool {
    c.general_category() == GeneralCategory::SpacingMark
        || matches!(
            c.general_category_group(),
            GeneralCategoryGroup::Punctuation | GeneralCategoryGroup::Symbol
        )
}

/// Whether the segmentation rules put a cluster boundary between `before`
/// and `after` when nothing else is around them.
fn is_boundary(before: char, after: char) -> bool {
    ends_before(&[before], after)
}

/// Whether the segmentation rules put a cluster boundary between the
/// characters `before` (at most three) and `after`.
fn ends_before(before: &[char], after: char) -> bool {
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

fn is_regional_indicator(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

/// Asks the segmentation rules about `c` next to one character of each kind
/// that the fast paths put beside it, rather than copying the property tables.
/// Only the rules between two neighbours matter: the ones that look further
/// back (GB9c, GB11) need a linker or a ZWJ just before `c`, and those join
/// what precedes them, so they never have [`Traits::ALONE`].
#[cold]
fn find_traits(c: char, cjk: bool) -> Traits {
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
const CONTEXTUAL_ZERO_WIDTH: [std::ops::RangeInclusive<char>; 3] = [
    '\u{338}'..='\u{338}',
    '\u{FE00}'..='\u{FE02}',
    '\u{FE0E}'..='\u{FE0F}',
];

/// Whether `c`, which joins what comes before it, has [`Traits::MARK`]. A
/// conjunct linker (GB9c) and a ZWJ (GB11) join what comes after them too:
/// the rules are asked about each with a consonant or an emoji on both sides.
fn is_mark(c: char, cjk: bool) -> bool {
    let width = if cjk { c.width_cjk() } else { c.width() };
    width == Some(0)
        && !takes_a_cell(c)
        && !CONTEXTUAL_ZERO_WIDTH.iter().any(|range| range.contains(&c))
        && ['\u{915}', '\u{1F468}']
            .iter()
            .all(|&neighbour| ends_before(&[neighbour, c], neighbour))
}

/// The code point of a well-formed UTF-8 sequence of two to four bytes at the
/// start of `bytes`, and its length.
#[inline]
fn decode_well_formed(bytes: &[u8]) -> Option<(u32, usize)> {
    let is_continuation = |b: u8| b & 0xc0 == 0x80;
    let bits = |b: u8| u32::from(b & 0x3f);
    match *bytes {
        [lead @ 0xc2..=0xdf, b1, ..] if is_continuation(b1) => {
            Some(((u32::from(lead & 0x1f) << 6) | bits(b1), 2))
        }
        [lead @ 0xe0..=0xef, b1, b2, ..] if is_continuation(b1) && is_continuation(b2) => {
            let code = (u32::from(lead & 0x0f) << 12) | (bits(b1) << 6) | bits(b2);
            // Overlong forms and surrogates are not characters.
            (code >= 0x800 && !(0xd800..0xe000).contains(&code)).then_some((code, 3))
        }
        [lead @ 0xf0..=0xf4, b1, b2, b3, ..]
            if is_continuation(b1) && is_continuation(b2) && is_continuation(b3) =>
        {
            let code =
                (u32::from(lead & 0x07) << 18) | (bits(b1) << 12) | (bits(b2) << 6) | bits(b3);
            (0x10000..=u32::from(char::MAX))
                .contains(&code)
                .then_some((code, 4))
        }
        _ => None,
    }
}

enum Decoded {
    Char(char, usize),
    /// A maximal invalid subpart, as `String::from_utf8_lossy` replaces it.
    Invalid(usize),
}

/// The character at the start of `bytes`, or `None` when it is cut off by the
/// end of `bytes` and more may follow (`complete` is false).
fn decode(bytes: &[u8], complete: bool) -> Option<Decoded> {
    if bytes[0].is_ascii() {
        return Some(Decoded::Char(char::from(bytes[0]), 1));
    }
    if let Some((code, len)) = decode_well_formed(bytes)
        && let Some(c) = char::from_u32(code)
    {
        return Some(Decoded::Char(c, len));
    }
    let window = &bytes[..bytes.len().min(4)];
    let valid = match std::str::from_utf8(window) {
        Ok(valid) => valid,
        Err(error) => match error.error_len() {
            _ if error.valid_up_to() > 0 => {
                std::str::from_utf8(&window[..error.valid_up_to()]).unwrap_or_default()
            }
            Some(len) => return Some(Decoded::Invalid(len)),
            None if complete => return Some(Decoded::Invalid(window.len())),
            None => return None,
        },
    };
    let c = valid.chars().next()?;
    Some(Decoded::Char(c, c.len_utf8()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Random;
    use unicode_segmentation::UnicodeSegmentation;

    fn units(line: &str) -> Vec<(usize, Kind)> {
        units_read_by(&mut Scanner::new(false), line)
    }

    fn units_read_by(scanner: &mut Scanner, line: &str) -> Vec<(usize, Kind)> {
        let mut bytes = line.as_bytes();
        let mut out = Vec::new();
        while !bytes.is_empty() {
            let unit = scanner.next(bytes, true).expect("complete line");
            out.push((unit.len, unit.kind));
            bytes = &bytes[unit.len..];
        }
        out
    }

    fn text(width: usize) -> Kind {
        Kind::Text { width }
    }

    #[test]
    fn combining_mark_stays_with_its_base() {
        assert_eq!(units("e\u{301}x"), [(3, text(1)), (1, text(1))]);
    }

    #[test]
    fn nothing_joins_a_format_character() {
        // U+FEFF is a Control to UAX #29: the mark after it stands alone.
        assert_eq!(units("\u{FEFF}\u{301}"), [(3, text(0)), (2, text(0))]);
        assert_eq!(units("\u{200B}\u{200D}"), [(3, text(0)), (3, text(0))]);
    }

    #[test]
    fn emoji_sequences_are_one_unit() {
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";
        assert_eq!(units(family), [(family.len(), text(2))]);
        // A flag, then a regional indicator without its pair.
        assert_eq!(
            units("\u{1F1EF}\u{1F1F5}\u{1F1EB}"),
            [(8, text(2)), (4, text(2))]
        );
        // Marks do not make it narrower.
        assert_eq!(units("\u{1F1EF}\u{309A}"), [(7, text(2))]);
        assert_eq!(
            units("\u{1F1EF}\u{301}\u{1F1F5}"),
            [(6, text(2)), (4, text(2))]
        );
        assert_eq!(units("\u{1F44D}\u{1F3FD}"), [(8, text(2))]);
        assert_eq!(units("\u{2764}\u{FE0F}"), [(6, text(2))]);
        // A VS16 after a mark still makes a picture of the character.
        assert_eq!(units("\u{270F}\u{301}\u{FE0F}"), [(8, text(2))]);
        assert_eq!(units("x\u{301}\u{FE0F}"), [(6, text(1))]);
    }

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
        let mut scanner = Scanner::new(true);
        assert_eq!(
            scanner.next("\u{430}b".as_bytes(), true).unwrap().kind,
            text(2)
        );
    }

    #[test]
    fn invalid_bytes_take_one_column_per_maximal_subpart() {
        let mut scanner = Scanner::new(false);
        // F0 9F 98 is a truncated 4-byte sequence: one subpart; FF is another.
        let line = b"\xF0\x9F\x98\xFFa";
        assert_eq!(
            scanner.next(line, true),
            Some(Unit {
                len: 3,
                kind: text(1)
            })
        );
        assert_eq!(
            scanner.next(&line[3..], true),
            Some(Unit {
                len: 1,
                kind: text(1)
            })
        );
        // At the end of what was read, the same bytes may still become a character.
        assert_eq!(scanner.next(&line[..3], false), None);
    }

    #[test]
    fn a_cluster_waits_for_the_next_character() {
        let mut scanner = Scanner::new(false);
        assert_eq!(scanner.next(b"e", false), None);
        assert_eq!(scanner.next("\u{65e5}".as_bytes(), false), None);
        assert_eq!(scanner.next(b"ab", false).map(|u| u.len), Some(1));
    }

    #[test]
    fn c1_controls_take_no_column() {
        assert_eq!(units("\u{85}a"), [(2, Kind::Control), (1, text(1))]);
    }

    #[test]
    fn ambiguous_width_follows_the_table_chosen() {
        let mut scanner = Scanner::new(true);
        let ellipsis = "\u{2026}".as_bytes();
        assert_eq!(scanner.next(ellipsis, true).map(|u| u.kind), Some(text(2)));
        assert_eq!(units("\u{2026}"), [(3, text(1))]);
    }

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
    fn wide_characters_that_stand_alone_are_known() {
        for cjk in [false, true] {
            let mut scanner = Scanner::new(cjk);
            for range in WIDE_AND_ALONE {
                for code in range {
                    let c = char::from_u32(code).unwrap();
                    assert_eq!(
                        scanner.learn_traits(code).0,
                        find_traits(c, cjk).0,
                        "U+{code:04X}, cjk {cjk}"
                    );
                }
            }
        }
    }

    /// Remembered widths are the widths: clusters of every length up to and
    /// past the cached ones, more of them than the cache holds, met again in
    /// another order.
    #[test]
    fn cached_cluster_widths_are_exact() {
        let bases = [
            "a",
            "<",
            "\u{AD}",
            "\u{1F1EF}",
            "\u{4E00}",
            "\u{1F44D}",
            "\u{627}",
            "\u{1100}",
        ];
        let tails = [
            "\u{301}",
            "\u{338}",
            "\u{FE0F}",
            "\u{FE0E}",
            "\u{1F3FD}",
            "\u{1F1F5}",
            "\u{200D}\u{1F308}",
            "\u{644}",
            "\u{1161}\u{11A8}",
            "\u{20E3}",
        ];
        let mut clusters = Vec::new();
        for base in bases {
            for first in tails {
                for second in [
                    "",
                    "\u{300}",
                    "\u{308}\u{327}",
                    "\u{FE0F}\u{200D}\u{2640}\u{FE0F}",
                ] {
                    for marks in 0..16 {
                        clusters.push(format!("{base}{first}{second}{}", "\u{302}".repeat(marks)));
                    }
                }
            }
        }
        assert!(clusters.len() > Memo::SLOTS);
        let lengths = |len| clusters.iter().any(|c| c.len() == len);
        assert!(lengths(Memo::MAX_LEN) && lengths(Memo::MAX_LEN + 1));
        for cjk in [false, true] {
            let mut widths = Memo::new();
            for round in 0..3 {
                // 7 is prime to the count of clusters: each round meets all of them.
                let order = (0..clusters.len()).map(|i| (i * 7 + round * 13) % clusters.len());
                for cluster in order.map(|i| &clusters[i]) {
                    assert_eq!(
                        widths.get(cluster, || cluster_width(cluster, cjk)),
                        cluster_width(cluster, cjk),
                        "{cluster:?}"
                    );
                }
            }
        }
    }

    /// Whether a character joins a cluster, remembered, is what the rules
    /// say: the same clusters met again, before other characters.
    #[test]
    fn remembered_joins_are_the_rules() {
        let clusters = [
            "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}",
            "\u{1F3F3}\u{FE0F}\u{200D}\u{1F308}",
            "\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}",
            "\u{915}\u{94D}\u{937}",
            "\u{915}\u{94D}\u{200D}\u{937}",
            "\u{938}\u{94D}\u{924}\u{947}",
            "\u{1100}\u{1161}\u{11A8}",
            "#\u{FE0F}\u{20E3}",
            // Joined by a consonant or an emoji after them, or not.
            "\u{915}\u{94D}",
            "\u{1F468}\u{200D}",
        ];
        let mut scanner = Scanner::new(false);
        for round in 0..2 {
            for cluster in clusters {
                for after in ["", "a", "\u{1F468}", "\u{915}", "\u{94D}", "\u{1161}"] {
                    let line = format!("{cluster}{after}{cluster}{after}");
                    let expected: Vec<usize> = line.graphemes(true).map(str::len).collect();
                    let found: Vec<usize> = units_read_by(&mut scanner, &line)
                        .iter()
                        .map(|&(len, _)| len)
                        .collect();
                    assert_eq!(found, expected, "{line:?}, round {round}");
                }
            }
        }
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
    fn three_byte_shortcut_agrees_with_decoding() {
        let mut scanner = Scanner::new(false);
        // Every character's traits known, so that a malformed sequence taken
        // for a character would find some.
        for code in 0..0x10000 {
            if char::from_u32(code).is_some() {
                scanner.traits(code);
            }
        }
        for lead in 0xe0..=0xef {
            for b1 in 0x80..=0xbf {
                for b2 in 0x80..=0xbf {
                    let bytes = [lead, b1, b2, b'a'];
                    let decoded =
                        decode_well_formed(&bytes).map(|(code, len)| (len, scanner.traits(code).0));
                    let shortcut = scanner.char_in_run(&bytes).map(|(len, t)| (len, t.0));
                    assert_eq!(shortcut, decoded, "{bytes:x?}");
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

    /// Where [`Scanner::run`] stops in `line`, and the column it reaches, are
    /// a boundary and a column that [`Scanner::next`] reaches unit by unit;
    /// when it says the unit after is full, that unit ends past `limit`.
    /// Returns the bytes it took.
    fn run_agrees_with_units(scanner: &mut Scanner, line: &[u8], limit: usize) -> usize {
        let run = scanner.run(line, 0, limit, 8, true);
        let (mut pos, mut col) = (0, 0);
        let shown = String::from_utf8_lossy(line);
        while pos < run.len {
            let unit = scanner.next(&line[pos..], true).expect("complete line");
            pos += unit.len;
            col = unit.kind.advance(col, 8);
        }
        assert_eq!((pos, col), (run.len, run.col), "{shown:?} to {limit}");
        if run.full {
            let unit = scanner.next(&line[pos..], true).expect("a unit after");
            assert!(unit.kind.advance(col, 8) > limit, "{shown:?} to {limit}");
        }
        run.len
    }

    /// Text of units that need no segmentation rules is taken as far as the
    /// limit, and no further.
    #[test]
    fn runs_stop_at_the_limit() {
        let mut scanner = Scanner::new(false);
        let line =
            "ab\u{65E5}\u{301}c\td\u{E9}\u{300}\u{308} \u{1F600}\u{AC00}efgh\u{FF21}\u{17D8}i";
        // An emoji sequence, joined by a ZWJ, is not for the loop.
        let joined = format!("{line}\u{1F468}\u{200D}\u{1F469}");
        for limit in 0..=40 {
            let taken = run_agrees_with_units(&mut scanner, line.as_bytes(), limit);
            let full = scanner.run(line.as_bytes(), 0, limit, 8, true).full;
            assert!(full || taken == line.len(), "to {limit}");
            run_agrees_with_units(&mut scanner, joined.as_bytes(), limit);
        }
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
            let mut chunk = [0; block::LOOKAHEAD_CHUNK];
            c.encode_utf8(&mut chunk);
            let bits = block::stretch_bits(&chunk);
            let classes = [bits.letters, bits.marks, bits.wide, bits.emoji].map(|bits| bits & 1);
            let named = [letter(c), mark(c), wide(c), emoji(c)].map(u32::from);
            assert_eq!(classes, named, "{c:?}");
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
        let scanner = Scanner::new(cjk);
        #[cfg(target_arch = "x86_64")]
        if scanner.avx2 {
            let mut sixteen_at_a_time = Scanner::new(cjk);
            sixteen_at_a_time.avx2 = false;
            return vec![scanner, sixteen_at_a_time];
        }
        vec![scanner]
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
                    let traits = scanner.traits(u32::from(base));
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

    /// The decoder agrees with the standard library on every sequence of two
    /// and three bytes, and on four-byte ones with every lead byte.
    #[test]
    fn decoding_agrees_with_std() {
        let check = |bytes: &[u8]| {
            let valid = match std::str::from_utf8(bytes) {
                Ok(text) => text,
                Err(error) => std::str::from_utf8(&bytes[..error.valid_up_to()]).unwrap(),
            };
            let expected = valid
                .chars()
                .next()
                .filter(|c| !c.is_ascii())
                .map(|c| (u32::from(c), c.len_utf8()));
            assert_eq!(decode_well_formed(bytes), expected, "{bytes:x?}");
        };
        for high in 0..=255u8 {
            for low in 0..=255u8 {
                check(&[high, low]);
                for third in [0x00, 0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xff] {
                    check(&[high, low, third]);
                    check(&[high, low, third, 0x80]);
                    check(&[high, low, 0x80, third]);
                }
            }
        }
    }

    /// Every byte value, at every place in a run of printable ASCII.
    #[test]
    fn printable_ascii_prefix_is_exact() {
        for len in 0..80 {
            for at in 0..len {
                for byte in 0..=255u8 {
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

    #[test]
    fn tab_stops() {
        assert_eq!(Kind::Tab.advance(0, 8), 8);
        assert_eq!(Kind::Tab.advance(7, 8), 8);
        assert_eq!(Kind::Tab.advance(8, 8), 16);
        assert_eq!(Kind::Tab.advance(5, 4), 8);
    }
}
