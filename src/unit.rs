//! Splitting a line into the units a cut never divides: grapheme clusters,
//! escape sequences, tabs, and control bytes, each with what it does to the
//! column.

use unicode_segmentation::GraphemeCursor;
use unicode_width::UnicodeWidthStr;

use crate::ansi::{self, Effect, Escape};

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
            Kind::Tab => (col / tab_width + 1) * tab_width,
            Kind::CarriageReturn => 0,
            Kind::Control | Kind::Escape(_) => col,
        }
    }
}

/// Reads units off the front of a line.
#[derive(Debug, Default)]
pub struct Scanner {
    /// East Asian ambiguous-width characters take two columns.
    pub cjk: bool,
    /// The cluster being read, as text for the segmentation and width tables.
    cluster: String,
}

impl Scanner {
    pub fn new(cjk: bool) -> Self {
        Scanner {
            cjk,
            cluster: String::new(),
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
                Some(_) => self.cluster(line, complete),
            },
            _ => self.cluster(line, complete),
        }
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
        self.cluster.clear();
        self.cluster.push(first);
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
            let before = self.cluster.len();
            self.cluster.push(next.0);
            let boundary = GraphemeCursor::new(before, self.cluster.len(), true)
                .is_boundary(&self.cluster, 0)
                .unwrap_or(true);
            if boundary {
                self.cluster.truncate(before);
                break;
            }
            len += next.1;
        }
        let width = if self.cjk {
            self.cluster.width_cjk()
        } else {
            self.cluster.width()
        };
        Some(Unit {
            len,
            kind: Kind::Text { width },
        })
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

    fn units(line: &str) -> Vec<(usize, Kind)> {
        let mut scanner = Scanner::new(false);
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
    fn emoji_sequences_are_one_unit() {
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";
        assert_eq!(units(family), [(family.len(), text(2))]);
        assert_eq!(
            units("\u{1F1EF}\u{1F1F5}\u{1F1EB}"),
            [(8, text(2)), (4, text(1))]
        );
        assert_eq!(units("\u{1F44D}\u{1F3FD}"), [(8, text(2))]);
        assert_eq!(units("\u{2764}\u{FE0F}"), [(6, text(2))]);
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

    #[test]
    fn tab_stops() {
        assert_eq!(Kind::Tab.advance(0, 8), 8);
        assert_eq!(Kind::Tab.advance(7, 8), 8);
        assert_eq!(Kind::Tab.advance(8, 8), 16);
        assert_eq!(Kind::Tab.advance(5, 4), 8);
    }
}
