//! Splitting a line into the units a cut never divides: grapheme clusters,
//! escape sequences, tabs, and control bytes, each with what it does to the
//! column.

use unicode_segmentation::GraphemeCursor;

use super::decode::{Decoded, decode, decode_well_formed};
use super::escape::{self, Effect, Escape};
use super::memo::Memo;
use super::modes::{SHIFT_IN, SHIFT_OUT};
use super::segment::is_regional_indicator;
use super::traits::{Traits, WIDE_AND_ALONE, find_traits};
use super::width::{ClusterWidth, cluster_width_as, next_tab_stop};
use crate::simd::{MIN_STRETCH_ROOM, Stretch, StretchReaders, printable_ascii_prefix};

/// A grapheme cluster longer than this is measured in pieces of this size. Real
/// clusters are far shorter (a family emoji with skin tones is 35 bytes, a
/// stacked "Zalgo" letter rarely 100); the bound keeps the cost of one cluster,
/// and the bytes a stream must hold back for it, small.
pub const MAX_CLUSTER_LEN: usize = 256;

/// The most bytes read as one stretch.
const MAX_STRETCH_LEN: usize = 4096;

/// The longest unit [`Scanner::next`] can return or wait for.
pub const MAX_UNIT_LEN: usize = if escape::MAX_ESCAPE_LEN > MAX_CLUSTER_LEN + 4 {
    escape::MAX_ESCAPE_LEN
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
            Kind::Text { width } => col.saturating_add(width),
            Kind::Tab => next_tab_stop(col, tab_width),
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
    /// How clusters of several code points are drawn.
    pub cluster_widths: ClusterWidth,
    /// How stretches of text are read a chunk at a time.
    readers: StretchReaders,
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

impl Scanner {
    /// A scanner with the CJK table of ambiguous widths, or not.
    pub fn new(cjk: bool) -> Self {
        Scanner::with_readers(cjk, StretchReaders::detect())
    }

    pub(crate) fn with_readers(cjk: bool, readers: StretchReaders) -> Self {
        Scanner {
            cjk,
            cluster_widths: ClusterWidth::Whole,
            readers,
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
            0x1b => match escape::parse(line, complete) {
                Escape::Complete { len, effect } => Some(Unit {
                    len,
                    kind: Kind::Escape(effect),
                }),
                Escape::Aborted { len } => Some(Unit {
                    len,
                    kind: Kind::Control,
                }),
                Escape::Unbounded => kind_of_one(Kind::Escape(Effect::Unbounded)),
                Escape::Incomplete => None,
            },
            SHIFT_OUT | SHIFT_IN => kind_of_one(Kind::Escape(Effect::Mode)),
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
                // The lead bytes of no class of the stretch first, so that
                // other scripts do not pay for the stretch's test.
                0xd2..=0xe2 | 0xee | 0xf0.. => self.char_in_run(&line[pos..]),
                0xe3..=0xed | 0xef | 0xc3..=0xcc | 0xd0..=0xd1
                    if (byte >= 0xe3 || !self.cjk) && limit - col >= MIN_STRETCH_ROOM =>
                {
                    // A stretch a page at most, so that marks past a unit's
                    // bound are seen within a page of it.
                    let end = line.len().min(pos + MAX_STRETCH_LEN);
                    match self.stretch(&line[pos..end], limit - col) {
                        // No chunk reader on this processor.
                        None => self.char_in_run(&line[pos..]),
                        Some(stretch) => {
                            if stretch.full {
                                return full(pos + stretch.len, col + stretch.columns);
                            }
                            if let Some((start, start_col)) = stretch.last {
                                (unit_start, unit_col) = (pos + start, col + start_col);
                            }
                            pos += stretch.len;
                            col += stretch.columns;
                            if pos - unit_start > MAX_CLUSTER_LEN {
                                return stop(unit_start, unit_col);
                            }
                            if pos == end && end < line.len() {
                                continue;
                            }
                            // What ends a stretch is of none of its classes: a
                            // character (U+0338, which changes the width of what
                            // it follows, among them) or ill-formed bytes are
                            // read here at once, rather than sorted again as a
                            // chunk.
                            match line.get(pos) {
                                Some(&after) if after >= 0x80 => self.char_in_run(&line[pos..]),
                                _ => continue,
                            }
                        }
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
                // A unit of more marks than a cluster's bound is left to
                // `cluster`, which measures it in pieces: read here, it would
                // be read again from its start after every piece.
                Some((len, traits))
                    if traits.has(Traits::MARK) && pos + len - unit_start <= MAX_CLUSTER_LEN =>
                {
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
    /// columns allow, if this processor reads such text a chunk at a time.
    #[inline(always)]
    fn stretch(&self, bytes: &[u8], room: usize) -> Option<Stretch> {
        self.readers.stretch(bytes, room, self.cjk)
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
        let (cjk, widths) = (self.cjk, self.cluster_widths);
        let width = self
            .widths
            .get(&cluster, || cluster_width_as(&cluster, cjk, widths));
        self.cluster = cluster;
        Some(Unit {
            len,
            kind: Kind::Text { width },
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
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
        assert_eq!(
            scanner.next("\u{430}b".as_bytes(), true).unwrap().kind,
            text(2)
        );
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

    /// Where [`Scanner::run`] stops in `line`, and the column it reaches, are
    /// a boundary and a column that [`Scanner::next`] reaches unit by unit;
    /// when it says the unit after is full, that unit ends past `limit`.
    /// Returns the bytes it took.
    pub(crate) fn run_agrees_with_units(scanner: &mut Scanner, line: &[u8], limit: usize) -> usize {
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

    /// A unit longer than a cluster's bound is not read by the loop: it is
    /// measured in pieces, and the loop does not read its marks again and
    /// again from its base.
    #[test]
    fn runs_leave_units_past_the_bound_to_the_clusters() {
        let mut scanner = Scanner::new(false);
        // Marks that stretches read, and marks that they do not.
        for (base, mark) in [('\u{E9}', '\u{301}'), ('a', '\u{483}')] {
            let line = format!("xy{base}{}", mark.to_string().repeat(1000));
            let run = scanner.run(line.as_bytes(), 0, 100, 8, true);
            assert_eq!((run.len, run.col), (2, 2), "{base:?}");
            run_agrees_with_units(&mut scanner, line.as_bytes(), 100);
        }
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
}
