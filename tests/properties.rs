//! Properties of the cutter on generated lines that mix ASCII, wide and
//! zero-width characters, emoji sequences, tabs, CR, escape sequences (whole
//! and cut short), NUL and bytes that are not UTF-8. The cut is checked
//! against a model written for clarity rather than speed: it measures each
//! line from scratch with the standard library's UTF-8 chunks and
//! unicode-segmentation's grapheme iterator.

mod common;

use proptest::prelude::*;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use common::Chunked;
use short::text::{Kind, Scanner, is_ambiguous_letter};
use short::{BUFFER_LEN, ClusterWidth, Cutter, KeepPart, Options, Pattern, cut_stream};

const SGR_RESET: &[u8] = b"\x1b[0m";
const HYPERLINK_CLOSE: &[u8] = b"\x1b]8;;\x1b\\";

const FRAGMENTS: &[&[u8]] = &[
    b"a",
    b"word ",
    b"0123456789",
    "\u{e9}".as_bytes(),
    "e\u{301}".as_bytes(),
    "\u{301}".as_bytes(),
    "\u{65e5}\u{672c}".as_bytes(),
    "\u{ac00}\u{1100}\u{1161}".as_bytes(),
    "\u{30a2}".as_bytes(),
    "\u{ff21}".as_bytes(),
    "\u{2026}".as_bytes(),
    "\u{200b}".as_bytes(),
    "\u{200d}".as_bytes(),
    "\u{fe0f}".as_bytes(),
    "\u{1f44d}\u{1f3fd}".as_bytes(),
    "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}".as_bytes(),
    "\u{1f1ef}\u{1f1f5}".as_bytes(),
    "\u{2764}\u{fe0f}".as_bytes(),
    "\u{915}\u{94d}\u{937}".as_bytes(),
    "\u{600}1".as_bytes(),
    "\u{85}".as_bytes(),
    b"\t",
    b"\r",
    b"\0",
    b"\x07",
    b"\x1b[31m",
    b"\x1b[1;32m",
    b"\x1b[0m",
    b"\x1b[m",
    b"\x1b[2K",
    b"\x1b]8;;http://e.x\x1b\\",
    b"\x1b]8;;\x1b\\",
    b"\x1b]0;title\x07",
    b"\x1b(B",
    b"\x1b(0",
    b"\x1b)0",
    b"\x0e",
    b"\x0f",
    b"\x1b[?25l",
    b"\x1b[?25h",
    b"\x1b[?1000;1006h",
    b"\x1b[4h",
    b"\x1b[2;5r",
    b"\x1b[r",
    b"\x1b>",
    b"\x1b=",
    b"\x1b[3",
    b"\x1b]8;;",
    b"\x1b",
    b"\xff",
    b"\xc3",
    b"\xe6\x97",
    b"\xf0\x9f\x98",
    b"\xed\xa0\x80",
];

/// A line of fragments, and now and then any character at all but a newline.
fn line() -> impl Strategy<Value = Vec<u8>> {
    let part = prop_oneof![
        4 => prop::sample::select(FRAGMENTS).prop_map(<[u8]>::to_vec),
        1 => any::<char>()
            .prop_filter("a newline ends the line", |&c| c != '\n')
            .prop_map(|c| c.to_string().into_bytes()),
    ];
    prop::collection::vec(part, 0..24).prop_map(|parts| parts.concat())
}

/// Colour output (`grep --color`, `ls --color`) and tab-separated values:
/// words, colour codes and tabs, long enough to be read a block at a time, now
/// and then something else.
fn colour_line() -> impl Strategy<Value = Vec<u8>> {
    let part = mostly(
        6,
        vec![
            &b"x"[..],
            b"word ",
            b"  ",
            b"src/main.rs",
            b":42:",
            b"\x1b[0m",
            b"\x1b[m",
            b"\x1b[00m",
            b"\x1b[0;0m",
            b"\x1b[1;31m",
            b"\x1b[38;5;208m",
            b"\x1b[K",
            b"\x1b[2K",
            b"\x1b[31;",
            b"\t",
            b"field\t",
        ],
    );
    prop::collection::vec(part, 0..80).prop_map(|parts| parts.concat())
}

/// One of `pieces`, or `weight` times less often one of the fragments.
fn mostly(weight: u32, pieces: Vec<&'static [u8]>) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        weight => prop::sample::select(pieces).prop_map(<[u8]>::to_vec),
        1 => prop::sample::select(FRAGMENTS).prop_map(<[u8]>::to_vec),
    ]
}

/// Tab-separated values, long enough for a block or two, with now and then a
/// fragment of anything else among the fields.
fn tsv_text() -> impl Strategy<Value = Vec<u8>> {
    let field = mostly(
        8,
        vec![
            &b""[..],
            b"7",
            b"-42.5",
            b"2026-11-25",
            b"name",
            b"a longer field",
            b"\t",
        ],
    );
    let line = prop::collection::vec(field, 0..40).prop_map(|fields| fields.join(&b'\t'));
    prop::collection::vec(line, 1..6).prop_map(|lines| lines.join(&b'\n'))
}

/// The options under which tab-separated values are cut the fastest way:
/// their start kept, without a marker.
fn plain_options() -> impl Strategy<Value = Options> {
    (
        0usize..130,
        prop::sample::select(vec![1usize, 3, 4, 8]),
        any::<bool>(),
    )
        .prop_map(|(width, tab_width, cjk)| Options {
            width,
            tab_width,
            cjk,
            ..Options::default()
        })
}

/// Lines joined by newlines, the last one perhaps without.
fn text() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![3 => line(), 1 => colour_line()];
    (prop::collection::vec(line, 0..6), any::<bool>()).prop_map(|(lines, final_newline)| {
        let mut text = lines.join(&b'\n');
        if final_newline && !text.is_empty() {
            text.push(b'\n');
        }
        text
    })
}

fn options() -> impl Strategy<Value = Options> {
    (
        // Now and then wide enough for the chunked test of a line's start.
        prop_oneof![4 => 0usize..30, 1 => 30usize..100],
        prop::sample::select(vec!["", "\u{2026}", ">>", "\u{65e5}", "\x1b[2m~\x1b[0m"]),
        prop::sample::select(vec![1usize, 3, 4, 8, 16]),
        any::<bool>(),
        prop::sample::select(vec![KeepPart::Start, KeepPart::End, KeepPart::Middle]),
        prop::sample::select(vec![0usize, 0, 1, 2, 5, 13]),
        prop::sample::select(vec![
            ClusterWidth::Whole,
            ClusterWidth::Sum,
            ClusterWidth::Larger,
        ]),
    )
        .prop_map(
            |(width, marker, tab_width, cjk, keep, skip, cluster_widths)| Options {
                width,
                marker: marker.as_bytes().to_vec(),
                tab_width,
                terminator: b'\n',
                cjk,
                keep,
                skip,
                cluster_widths,
                around: None,
            },
        )
}

fn cut(options: &Options, input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    Cutter::new(options.clone())
        .process(input, true, &mut out)
        .unwrap();
    out
}

/// One piece of a line, as the model reads it.
#[derive(Debug)]
struct Piece {
    len: usize,
    kind: PieceKind,
}

#[derive(Debug)]
enum PieceKind {
    Columns(usize),
    Tab,
    CarriageReturn,
    /// A control character, or an escape sequence broken off.
    Invisible,
    /// A whole escape sequence that changes no colour, link or mode.
    Escape,
    /// A sequence that switches a mode which outlives the line: SM and RM,
    /// DEC private modes, a character set, Shift Out and In, the keypad,
    /// the scroll region.
    Mode,
    Sgr {
        resets: bool,
    },
    Hyperlink {
        opens: bool,
    },
}

/// Reads an escape sequence at the start of `bytes` as SPEC describes them.
fn escape(bytes: &[u8]) -> Piece {
    let invisible = |len| Piece {
        len,
        kind: PieceKind::Invisible,
    };
    let whole = |len| Piece {
        len,
        kind: PieceKind::Escape,
    };
    match bytes.get(1) {
        Some(b'[') => {
            let params = bytes[2..]
                .iter()
                .take_while(|b| (0x30..=0x3f).contains(*b))
                .count();
            let intermediates = bytes[2 + params..]
                .iter()
                .take_while(|b| (0x20..=0x2f).contains(*b))
                .count();
            let end = 2 + params + intermediates;
            match bytes.get(end) {
                Some(&b'm') if intermediates == 0 => {
                    let params = &bytes[2..end];
                    let kind = if params
                        .iter()
                        .all(|b| b.is_ascii_digit() || b";:".contains(b))
                    {
                        PieceKind::Sgr {
                            resets: params.iter().all(|&b| b == b'0'),
                        }
                    } else {
                        PieceKind::Invisible
                    };
                    Piece { len: end + 1, kind }
                }
                Some(&last @ (b'h' | b'l' | b'r')) if intermediates == 0 => {
                    let params = &bytes[2..end];
                    let plain = params
                        .iter()
                        .all(|b| b.is_ascii_digit() || b";:".contains(b));
                    let private = params.first() == Some(&b'?')
                        && params[1..].iter().all(|b| b.is_ascii_digit() || *b == b';');
                    Piece {
                        len: end + 1,
                        kind: if plain || private && last != b'r' {
                            PieceKind::Mode
                        } else {
                            PieceKind::Escape
                        },
                    }
                }
                Some(0x40..=0x7e) => whole(end + 1),
                _ => invisible(end),
            }
        }
        Some(&introducer @ (b']' | b'P' | b'X' | b'^' | b'_')) => {
            let mut at = 2;
            loop {
                match bytes.get(at) {
                    Some(0x07) if introducer == b']' => break,
                    Some(0x1b) if bytes.get(at + 1) == Some(&b'\\') => {
                        at += 1;
                        break;
                    }
                    Some(0x1b | 0x18 | 0x1a) | None => return invisible(at),
                    Some(_) => at += 1,
                }
            }
            let body = &bytes[2..at - usize::from(bytes[at] == b'\\')];
            let kind = match body.strip_prefix(b"8;") {
                Some(link) if introducer == b']' && link.contains(&b';') => {
                    let uri = link.splitn(2, |&b| b == b';').nth(1).unwrap_or_default();
                    PieceKind::Hyperlink {
                        opens: !uri.is_empty(),
                    }
                }
                _ => PieceKind::Escape,
            };
            Piece { len: at + 1, kind }
        }
        Some(0x20..=0x2f) => {
            let intermediates = bytes[1..]
                .iter()
                .take_while(|b| (0x20..=0x2f).contains(*b))
                .count();
            match bytes.get(1 + intermediates) {
                Some(0x30..=0x7e) if intermediates == 1 && b"()*+".contains(&bytes[1]) => Piece {
                    len: 3,
                    kind: PieceKind::Mode,
                },
                Some(0x30..=0x7e) => whole(2 + intermediates),
                _ => invisible(1 + intermediates),
            }
        }
        Some(b'=' | b'>') => Piece {
            len: 2,
            kind: PieceKind::Mode,
        },
        Some(0x30..=0x7e) => whole(2),
        _ => invisible(1),
    }
}

/// unicode-width's width of a cluster, but one column for a soft hyphen, one
/// more for a regional indicator without its pair (two, as a flag's half,
/// whatever marks follow it), at least the columns of its first character's
/// emoji picture where a VS16 follows it anywhere, one more for each spacing mark,
/// punctuation mark and Prepend character that unicode-width counts as nothing, and no column less
/// for a letter joined to the rest by a ligature rule (emoji sequences
/// excepted), as terminals draw them (choices the README gives).
fn width_of(cluster: &str, cjk: bool) -> usize {
    let measure = |text: &str| if cjk { text.width_cjk() } else { text.width() };
    let chars: Vec<char> = cluster.chars().collect();
    let regional_indicators = chars
        .iter()
        .filter(|c| ('\u{1F1E6}'..='\u{1F1FF}').contains(*c))
        .count();
    let drawn_anyway = chars
        .iter()
        .filter(|&&c| {
            ZERO_WIDTH_PREPENDS.contains(&c)
                || c.width() == Some(0)
                    && (c.general_category() == GeneralCategory::SpacingMark
                        || c.general_category() == GeneralCategory::OtherPunctuation)
        })
        .count();
    // Each character's share: what the rest of the cluster measures with it,
    // less without it; a negative share is a ligature.
    let has_wide = chars.iter().any(|c| c.width() == Some(2));
    let ligated: usize = if chars.len() >= 3 && !has_wide {
        (0..chars.len())
            .map(|i| {
                let with: String = chars[i..].iter().collect();
                let without: String = chars[i + 1..].iter().collect();
                measure(&without).saturating_sub(measure(&with))
            })
            .sum()
    } else {
        0
    };
    // A VS16 anywhere in the cluster asks for its first character's picture.
    let picture = if chars.contains(&'\u{FE0F}') {
        measure(&format!("{}\u{FE0F}", chars[0]))
    } else {
        0
    };
    // Ambiguous letters, narrow in unicode-width's CJK table, wide in CJK terminals.
    let wide_letters = if cjk {
        chars.iter().filter(|&&c| is_ambiguous_letter(c)).count()
    } else {
        0
    };
    match cluster {
        "\u{AD}" => 1 + usize::from(cjk),
        _ => {
            measure(cluster).max(picture)
                + ligated
                + drawn_anyway
                + usize::from(regional_indicators == 1)
                + wide_letters
        }
    }
}

/// The characters of Grapheme_Cluster_Break=Prepend that unicode-width gives
/// no column (Unicode 18 tables).
const ZERO_WIDTH_PREPENDS: [char; 19] = [
    '\u{605}',
    '\u{70F}',
    '\u{890}',
    '\u{891}',
    '\u{8E2}',
    '\u{D4E}',
    '\u{111C2}',
    '\u{111C3}',
    '\u{113D1}',
    '\u{1193F}',
    '\u{11941}',
    '\u{11A84}',
    '\u{11A85}',
    '\u{11A86}',
    '\u{11A87}',
    '\u{11A88}',
    '\u{11A89}',
    '\u{11D46}',
    '\u{11F02}',
];

/// The model's width of a cluster drawn as `widths` says: as one picture;
/// code point by code point, each as it is alone, a VS16 making a narrow
/// character with an emoji picture before it wide; or the larger of the two.
fn drawn_width(cluster: &str, cjk: bool, widths: ClusterWidth) -> usize {
    let summed = || {
        let (mut total, mut last) = (0, None);
        for c in cluster.chars() {
            if c == '\u{FE0F}' {
                // A character with an emoji picture takes two columns.
                if let Some((before, 1)) = last
                    && UnicodeWidthStr::width(format!("{before}\u{FE0F}").as_str()) == 2
                {
                    total += 1;
                    last = None;
                }
                continue;
            }
            let width = width_of(&c.to_string(), cjk);
            last = Some((c, width));
            total += width;
        }
        total
    };
    match widths {
        ClusterWidth::Whole => width_of(cluster, cjk),
        ClusterWidth::Sum => summed(),
        ClusterWidth::Larger => width_of(cluster, cjk).max(summed()),
    }
}

/// Splits a line (without its terminator) into pieces: escape sequences and
/// control characters, and grapheme clusters of the text between them.
fn pieces(line: &[u8], cjk: bool, widths: ClusterWidth) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut pos = 0;
    while pos < line.len() {
        let piece = match line[pos] {
            0x1b => escape(&line[pos..]),
            b'\t' => Piece {
                len: 1,
                kind: PieceKind::Tab,
            },
            b'\r' => Piece {
                len: 1,
                kind: PieceKind::CarriageReturn,
            },
            0x0e | 0x0f => Piece {
                len: 1,
                kind: PieceKind::Mode,
            },
            0x00..=0x1f | 0x7f => Piece {
                len: 1,
                kind: PieceKind::Invisible,
            },
            _ => {
                let text_len = line[pos..]
                    .iter()
                    .position(|&b| b < 0x20 || b == 0x7f)
                    .unwrap_or(line.len() - pos);
                for chunk in line[pos..pos + text_len].utf8_chunks() {
                    for cluster in chunk.valid().graphemes(true) {
                        let controls = cluster.chars().all(char::is_control);
                        let width = drawn_width(cluster, cjk, widths);
                        pieces.push(Piece {
                            len: cluster.len(),
                            kind: if controls {
                                PieceKind::Invisible
                            } else {
                                PieceKind::Columns(width)
                            },
                        });
                    }
                    if !chunk.invalid().is_empty() {
                        pieces.push(Piece {
                            len: chunk.invalid().len(),
                            kind: PieceKind::Columns(1),
                        });
                    }
                }
                pos += text_len;
                continue;
            }
        };
        pos += piece.len;
        pieces.push(piece);
    }
    pieces
}

/// The model's width of a marker, and the marker as it is written.
fn model_marker(options: &Options) -> (Vec<u8>, usize) {
    let mut col = 0;
    let mut end = 0;
    let mut sgr_on = false;
    for piece in pieces(&options.marker, options.cjk, options.cluster_widths) {
        let next = match piece.kind {
            PieceKind::Columns(width) => col + width,
            _ => col,
        };
        if next > options.width {
            break;
        }
        if let PieceKind::Sgr { resets } = piece.kind {
            sgr_on = !resets;
        }
        col = next;
        end += piece.len;
    }
    let mut marker = options.marker[..end].to_vec();
    if sgr_on {
        marker.extend_from_slice(SGR_RESET);
    }
    (marker, col)
}

/// A piece of a line with its bytes, after the skip.
struct Virtual {
    bytes: Vec<u8>,
    kind: PieceKind,
}

/// Colours and link in force: the SGR sequences since the last reset, and the
/// sequence that opened the link now open.
#[derive(Clone, Default)]
struct State {
    sgr: Vec<u8>,
    link: Vec<u8>,
}

impl State {
    fn apply(&mut self, piece: &Virtual) {
        match piece.kind {
            PieceKind::Sgr { resets: true } => self.sgr.clear(),
            PieceKind::Sgr { resets: false } => self.sgr.extend(&piece.bytes),
            PieceKind::Hyperlink { opens: true } => self.link = piece.bytes.clone(),
            PieceKind::Hyperlink { opens: false } => self.link.clear(),
            _ => {}
        }
    }

    fn replayed(&self) -> Vec<Virtual> {
        let mut pieces = Vec::new();
        if !self.sgr.is_empty() {
            pieces.push(Virtual {
                bytes: self.sgr.clone(),
                kind: PieceKind::Sgr { resets: false },
            });
        }
        if !self.link.is_empty() {
            pieces.push(Virtual {
                bytes: self.link.clone(),
                kind: PieceKind::Hyperlink { opens: true },
            });
        }
        pieces
    }
}

fn next_stop(col: usize, tab_width: usize) -> usize {
    (col / tab_width + 1) * tab_width
}

impl PieceKind {
    /// The column after a piece of this kind that starts at `col`.
    fn after(&self, col: usize, tab_width: usize) -> usize {
        match self {
            PieceKind::Columns(width) => col + width,
            PieceKind::Tab => next_stop(col, tab_width),
            PieceKind::CarriageReturn => 0,
            _ => col,
        }
    }
}

fn spaces(count: usize) -> Virtual {
    Virtual {
        bytes: vec![b' '; count],
        kind: PieceKind::Columns(count),
    }
}

/// The pieces of a line once its first `skip` columns are dropped: a piece
/// across the boundary becomes spaces, tabs past it become spaces, and the
/// colours in force at the boundary are written again.
fn skipped(options: &Options, line: &[u8]) -> Vec<Virtual> {
    let mut out = Vec::new();
    let mut col = 0;
    let mut dropped = State::default();
    let mut pos = 0;
    for piece in pieces(line, options.cjk, options.cluster_widths) {
        let bytes = line[pos..pos + piece.len].to_vec();
        pos += piece.len;
        let start = col;
        col = piece.kind.after(col, options.tab_width);
        let piece = Virtual {
            bytes,
            kind: piece.kind,
        };
        if let PieceKind::CarriageReturn = piece.kind {
            out.push(piece);
        } else if start >= options.skip {
            match piece.kind {
                PieceKind::Tab if options.skip > 0 => out.push(spaces(col - start)),
                _ => out.push(piece),
            }
        } else {
            dropped.apply(&piece);
            if col > options.skip || col == options.skip && col > start {
                out.extend(std::mem::take(&mut dropped).replayed());
            }
            if col > options.skip {
                out.push(spaces(col - options.skip));
            }
        }
    }
    out
}

/// Whether a terminal that has just read an `ESC` is still reading a
/// sequence after `bytes`, by the DEC parser's rules: `Some(true)` in a
/// string, `Some(false)` in an escape or CSI sequence, `None` back to text.
fn still_reading(bytes: &[u8]) -> Option<bool> {
    #[derive(PartialEq)]
    enum At {
        Escape,
        Intermediate,
        Csi,
        String,
    }
    let mut at = At::Escape;
    for &b in bytes {
        at = match b {
            0x18 | 0x1a => return None,
            0x07 if at == At::String => return None,
            0x1b => At::Escape,
            _ if at == At::String => At::String,
            0x00..=0x1f | 0x7f => at,
            b'[' if at == At::Escape => At::Csi,
            b']' | b'P' | b'X' | b'^' | b'_' if at == At::Escape => At::String,
            0x20..=0x2f if at == At::Csi => at,
            0x20..=0x2f => At::Intermediate,
            0x30..=0x3f if at == At::Csi => at,
            0x30..=0x7e => return None,
            _ => at,
        };
    }
    Some(at == At::String)
}

/// What switches back the modes that `pieces` switched, each to its default
/// (reset, but autowrap and the cursor; ASCII for the character sets; Shift
/// In, the numeric keypad and the whole screen), the last switched first.
fn modes_restored(pieces: &[Virtual]) -> Vec<u8> {
    // Each mode by name, with its setting before the pieces and its last.
    let mut modes: Vec<(String, Vec<u8>, Vec<u8>)> = Vec::new();
    let mut switch = |name: String, before: Vec<u8>, now: Vec<u8>| match modes
        .iter_mut()
        .find(|(known, ..)| *known == name)
    {
        Some((_, _, last)) => *last = now,
        None => modes.push((name, before, now)),
    };
    for piece in pieces.iter().filter(|p| matches!(p.kind, PieceKind::Mode)) {
        let bytes = &piece.bytes;
        match bytes.as_slice() {
            [0x0e] | [0x0f] => switch("shift".into(), vec![0x0f], bytes.clone()),
            [0x1b, b'=' | b'>'] => switch("keypad".into(), b"\x1b>".to_vec(), bytes.clone()),
            [0x1b, b'[', params @ .., b'r'] => {
                let whole = matches!(params, b"" | b";" | b"1");
                let now = if whole {
                    b"\x1b[r".to_vec()
                } else {
                    bytes.clone()
                };
                switch("scroll".into(), b"\x1b[r".to_vec(), now);
            }
            [0x1b, b'[', params @ .., last] => {
                let (private, numbers) = match params {
                    [b'?', rest @ ..] => ("?", rest),
                    _ => ("", params),
                };
                for number in String::from_utf8_lossy(numbers).split(';') {
                    let Ok(number) = number.parse::<u16>() else {
                        continue;
                    };
                    let seq =
                        |end: u8| format!("\x1b[{private}{number}{}", char::from(end)).into_bytes();
                    // Autowrap and the cursor start shown; every other mode off.
                    let default = if private == "?" && (number == 7 || number == 25) {
                        b'h'
                    } else {
                        b'l'
                    };
                    switch(format!("{private}{number}"), seq(default), seq(*last));
                }
            }
            [0x1b, designate, _] => switch(
                format!("set {designate}"),
                vec![0x1b, *designate, b'B'],
                bytes.clone(),
            ),
            _ => unreachable!("{bytes:?} switches no mode"),
        }
    }
    let mut out = Vec::new();
    for (_, before, now) in modes.iter().rev() {
        if before != now {
            if before.as_slice() == b"\x1b[r" {
                out.extend(b"\x1b7\x1b[r\x1b8");
            } else {
                out.extend(before);
            }
        }
    }
    out
}

/// What the cutter must write for one line (without its terminator); a CR
/// before the terminator is kept as part of a CRLF.
fn model_line(options: &Options, line: &[u8], terminated: bool) -> Vec<u8> {
    if options.width == 0 && options.skip == 0 {
        return line.to_vec();
    }
    let (body, cr) = match line.strip_suffix(b"\r") {
        Some(body) if terminated => (body, true),
        _ => (line, false),
    };
    let pieces = skipped(options, body);
    let whole = || {
        let mut out: Vec<u8> = pieces.iter().flat_map(|p| p.bytes.clone()).collect();
        if cr {
            out.push(b'\r');
        }
        out
    };
    let width = if options.width == 0 {
        usize::MAX
    } else {
        options.width
    };
    // Where each piece ends, counting as when keeping the start.
    let mut ends = Vec::new();
    let mut col = 0;
    for piece in &pieces {
        col = piece.kind.after(col, options.tab_width);
        ends.push(col);
    }
    let Some(first_over) = ends.iter().position(|&end| end > width) else {
        return whole();
    };
    let (marker, marker_width) = model_marker(options);
    let text_width = width - marker_width;
    let head_width = match options.keep {
        KeepPart::Start => text_width,
        KeepPart::End => 0,
        KeepPart::Middle => text_width.div_ceil(2),
    };
    let tail_width = text_width - head_width;
    // The head: every piece up to the first that would pass head_width.
    let head_len = if head_width > 0 || tail_width == 0 {
        ends.iter()
            .position(|&end| end > head_width)
            .unwrap_or(pieces.len())
    } else {
        0
    };
    debug_assert!(head_len <= first_over);
    let mut state = State::default();
    let mut out = Vec::new();
    for piece in &pieces[..head_len] {
        state.apply(piece);
        out.extend(&piece.bytes);
    }
    // A sequence broken off in the head is ended, as a terminal would
    // still be reading it (CAN; and ST for a string, which some terminals
    // read CAN into): the marker, the line end or the next line would go on
    // with it.
    let broken = |piece: &Virtual| {
        matches!(piece.kind, PieceKind::Invisible) && piece.bytes.first() == Some(&0x1b)
    };
    if let Some(at) = pieces[..head_len].iter().rposition(broken) {
        let after: Vec<u8> = pieces[at..head_len]
            .iter()
            .flat_map(|piece| piece.bytes.clone())
            .collect();
        match still_reading(&after[1..]) {
            Some(true) => out.extend(b"\x18\x1b\\"),
            Some(false) => out.push(0x18),
            None => {}
        }
    }
    if !state.link.is_empty() {
        out.extend(HYPERLINK_CLOSE);
    }
    if !state.sgr.is_empty() {
        out.extend(SGR_RESET);
    }
    out.extend(modes_restored(&pieces[..head_len]));
    out.extend(&marker);
    // The tail: the longest run of pieces at the end of the rest that fits,
    // a tab counting the columns it took where it stood.
    let rest = &pieces[head_len..];
    let tail_widths: Vec<usize> = (head_len..pieces.len())
        .map(|i| match pieces[i].kind {
            PieceKind::Columns(width) => width,
            PieceKind::Tab => ends[i] - if i == 0 { 0 } else { ends[i - 1] },
            _ => 0,
        })
        .collect();
    let mut tail_start = rest.len();
    let mut taken = 0;
    while tail_width > 0 && tail_start > 0 && taken + tail_widths[tail_start - 1] <= tail_width {
        tail_start -= 1;
        taken += tail_widths[tail_start];
    }
    // Escape sequences that start the tail are replayed with the rest, and
    // marks that lost their base are left out.
    while tail_start < rest.len()
        && matches!(
            rest[tail_start].kind,
            PieceKind::Sgr { .. }
                | PieceKind::Hyperlink { .. }
                | PieceKind::Escape
                | PieceKind::Columns(0)
        )
    {
        tail_start += 1;
    }
    for piece in &rest[..tail_start] {
        state.apply(piece);
    }
    if tail_start < rest.len() {
        for piece in state.replayed() {
            out.extend(&piece.bytes);
        }
        for (piece, &columns) in rest[tail_start..].iter().zip(&tail_widths[tail_start..]) {
            state.apply(piece);
            match piece.kind {
                PieceKind::Tab => out.extend(vec![b' '; columns]),
                _ => out.extend(&piece.bytes),
            }
        }
        if !state.link.is_empty() {
            out.extend(HYPERLINK_CLOSE);
        }
        if !state.sgr.is_empty() {
            out.extend(SGR_RESET);
        }
    }
    if cr {
        out.push(b'\r');
    }
    out
}

fn model(options: &Options, input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut lines = input.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let terminated = lines.peek().is_some();
        out.extend(model_line(options, line, terminated));
        if terminated {
            out.push(b'\n');
        }
    }
    out
}

/// Fixed strings for `--around`, which the generated lines hold now and then.
const NEEDLES: &[&str] = &[
    "x",
    "word",
    "\u{65e5}\u{672c}",
    "\u{e9}",
    "\u{1f44d}",
    "a\tb",
];

/// Options for `--around` with one of the needles, which comes with them.
fn around_options() -> impl Strategy<Value = (Options, &'static str)> {
    (options(), prop::sample::select(NEEDLES)).prop_map(|(options, needle)| {
        let options = Options {
            keep: KeepPart::Start,
            skip: 0,
            around: Some(Pattern::new(needle, true).expect("a fixed string")),
            ..options
        };
        (options, needle)
    })
}

/// Lines, many wider than the width, most holding `needle` somewhere (perhaps
/// inside an escape sequence or a character, where it is no match).
fn lines_with(needle: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let line = (
        prop_oneof![line(), colour_line()],
        1usize..4,
        prop::collection::vec(any::<prop::sample::Index>(), 0..3),
    )
        .prop_map(move |(line, repeat, places)| {
            let mut line = line.repeat(repeat);
            for place in places {
                let at = place.index(line.len() + 1);
                line.splice(at..at, needle.bytes());
            }
            line
        });
    (prop::collection::vec(line, 0..5), any::<bool>()).prop_map(|(lines, final_newline)| {
        let mut text = lines.join(&b'\n');
        if final_newline && !text.is_empty() {
            text.push(b'\n');
        }
        text
    })
}

/// Where the first `needle` in the text of `pieces` (escape sequences left
/// out) starts and ends, in columns, and the widest column of the line.
fn columns_of_needle(
    options: &Options,
    line: &[u8],
    pieces: &[Piece],
    needle: &str,
) -> (Option<(usize, usize)>, usize) {
    // Each byte of the text, with the piece it belongs to.
    let mut text = Vec::new();
    let mut owner = Vec::new();
    let (mut starts, mut ends) = (Vec::new(), Vec::new());
    let (mut pos, mut col, mut widest) = (0, 0, 0);
    for (index, piece) in pieces.iter().enumerate() {
        let bytes = &line[pos..pos + piece.len];
        pos += piece.len;
        starts.push(col);
        col = piece.kind.after(col, options.tab_width);
        ends.push(col);
        widest = widest.max(col);
        if bytes[0] != 0x1b {
            text.extend_from_slice(bytes);
            owner.extend(std::iter::repeat_n(index, bytes.len()));
        }
    }
    let needle = needle.as_bytes();
    let found = text
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| (starts[owner[at]], ends[owner[at + needle.len() - 1]]));
    (found, widest)
}

/// What `--around` writes for one line: the window of the width in which
/// the needle starts a third of the width in, moved to show the whole
/// needle if it fits between the markers and else its start, and to stay
/// within the line; the line cut as usual when it fits, has no needle, or
/// the window would start at the line's start.
fn model_around_line(options: &Options, needle: &str, line: &[u8], terminated: bool) -> Vec<u8> {
    let as_usual = Options {
        around: None,
        ..options.clone()
    };
    let plain = model_line(&as_usual, line, terminated);
    let body = match line.strip_suffix(b"\r") {
        Some(body) if terminated => body,
        _ => line,
    };
    let pieces = pieces(body, options.cjk, options.cluster_widths);
    let (found, widest) = columns_of_needle(options, body, &pieces, needle);
    let (marker, marker_width) = model_marker(options);
    let width = options.width;
    let Some((start, end)) = found else {
        return plain;
    };
    if width == 0 || widest <= width || width <= marker_width {
        return plain;
    }
    let last_start = widest - (width - marker_width);
    let between = width.saturating_sub(2 * marker_width);
    let skip = if between == 0 {
        if start >= last_start { last_start } else { 0 }
    } else {
        let mut skip = (start + marker_width).saturating_sub(width / 3);
        if end > skip + between {
            skip = end - between;
        }
        skip.min(start).min(last_start)
    };
    if skip == 0 {
        return plain;
    }
    let window = Options {
        width: width - marker_width,
        skip,
        ..as_usual
    };
    [marker, model_line(&window, line, terminated)].concat()
}

fn model_around(options: &Options, needle: &str, input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut lines = input.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let terminated = lines.peek().is_some();
        out.extend(model_around_line(options, needle, line, terminated));
        if terminated {
            out.push(b'\n');
        }
    }
    out
}

/// Text of any characters but controls, rich in the ones that the segmentation
/// rules treat apart: Prepend, Hangul jamo and syllables, regional indicators,
/// ZWJ and emoji modifiers, Indic consonants and viramas, marks.
fn any_text() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        'a',
        '\u{600}',
        '\u{1100}',
        '\u{1161}',
        '\u{11A8}',
        '\u{AC00}',
        '\u{AC01}',
        '\u{1F1E6}',
        '\u{1F1EF}',
        '\u{200D}',
        '\u{FE0F}',
        '\u{1F468}',
        '\u{1F3FD}',
        '\u{915}',
        '\u{94D}',
        '\u{937}',
        '\u{301}',
        '\u{93F}',
        '\u{E9}',
        '\u{65E5}',
        '\u{A9}',
        '\u{2764}',
        '\u{AD}',
        '\u{D4E}',
        '\u{11A84}',
        '\u{70F}',
        '\u{995}',
        '\u{9BE}',
        '\u{BBE}',
        '\u{1B3B}',
        '\u{1781}',
        '\u{17D2}',
        '\u{A8FA}',
    ]);
    // Sequences that terminals draw otherwise than their parts suggest: a
    // VS16 after a mark, a regional indicator with a mark.
    let sequences = prop::sample::select(vec![
        "\u{270F}\u{301}\u{FE0F}",
        "\u{2764}\u{94D}\u{FE0F}",
        "\u{1F1EF}\u{301}",
    ]);
    prop::collection::vec(
        prop_oneof![
            4 => any::<char>().prop_map(String::from),
            4 => special.prop_map(String::from),
            1 => sequences.prop_map(String::from),
        ],
        0..30,
    )
    .prop_map(|pieces| {
        pieces
            .concat()
            .chars()
            .filter(|c| !c.is_control())
            .collect()
    })
}

/// 2000 cases a property, or PROPTEST_CASES for a longer run.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(2000);
    ProptestConfig::with_cases(cases)
}

proptest! {
    #![proptest_config(config())]

    /// The exact output: each line is the longest prefix that fits (with its
    /// colours reset and the marker after it), or the line unchanged.
    #[test]
    fn output_is_what_the_model_says(options in options(), input in text()) {
        prop_assert_eq!(
            cut(&options, &input).escape_ascii().to_string(),
            model(&options, &input).escape_ascii().to_string()
        );
    }

    #[test]
    fn tab_separated_values_are_cut_as_the_model_says(
        options in plain_options(),
        input in tsv_text(),
    ) {
        prop_assert_eq!(
            cut(&options, &input).escape_ascii().to_string(),
            model(&options, &input).escape_ascii().to_string()
        );
    }

    #[test]
    fn output_fits_and_lines_are_kept(options in options(), input in text()) {
        let output = cut(&options, &input);
        prop_assert_eq!(
            output.iter().filter(|&&b| b == b'\n').count(),
            input.iter().filter(|&&b| b == b'\n').count()
        );
        for (out_line, in_line) in output.split(|&b| b == b'\n').zip(input.split(|&b| b == b'\n')) {
            if options.width > 0 {
                let mut col = 0;
                for piece in pieces(out_line, options.cjk, options.cluster_widths) {
                    col = piece.kind.after(col, options.tab_width);
                    prop_assert!(col <= options.width, "{:?} is wider than {}", String::from_utf8_lossy(out_line), options.width);
                }
            }
            if out_line != in_line && options.keep == KeepPart::Start && options.skip == 0 {
                // Less what a cut appends, the output is a prefix of the line.
                let (marker, _) = model_marker(&options);
                let mut kept = out_line.strip_suffix(b"\r").unwrap_or(out_line);
                kept = kept.strip_suffix(marker.as_slice()).unwrap_or(kept);
                // Modes switched back, in any number.
                while let Some(shorter) = [&b"\x1b7\x1b[r\x1b8"[..], b"\x1b(B", b"\x1b)B", b"\x1b*B", b"\x1b+B", b"\x0f", b"\x1b>"]
                    .iter()
                    .find_map(|restore| kept.strip_suffix(*restore))
                    .or_else(|| {
                        let end = kept.last().filter(|&&b| b == b'h' || b == b'l')?;
                        let start = kept.iter().rposition(|&b| b == 0x1b)?;
                        let body = &kept[start + 1..kept.len() - 1];
                        let numbered = body.strip_prefix(b"[")?;
                        let numbered = numbered.strip_prefix(b"?").unwrap_or(numbered);
                        (!numbered.is_empty() && numbered.iter().all(u8::is_ascii_digit) && *end != 0)
                            .then(|| &kept[..start])
                    })
                {
                    kept = shorter;
                }
                kept = kept.strip_suffix(SGR_RESET).unwrap_or(kept);
                kept = kept.strip_suffix(HYPERLINK_CLOSE).unwrap_or(kept);
                kept = kept.strip_suffix(b"\x18").unwrap_or(kept);
                prop_assert!(in_line.starts_with(kept), "{:?} from {:?}", kept.escape_ascii().to_string(), in_line.escape_ascii().to_string());
            }
        }
    }

    /// The scanner's clusters, and the widths it gives them, are those of
    /// unicode-segmentation and unicode-width (but for the soft hyphen, a lone
    /// regional indicator, spacing marks and Prepend characters of no width,
    /// and ligatures), shortcuts and all.
    #[test]
    fn clusters_are_those_of_uax29(text in any_text(), cjk in any::<bool>()) {
        let expected: Vec<(usize, usize)> = text
            .graphemes(true)
            .map(|cluster| (cluster.len(), width_of(cluster, cjk)))
            .collect();
        let mut scanner = Scanner::new(cjk);
        let mut rest = text.as_bytes();
        let mut units = Vec::new();
        while !rest.is_empty() {
            let unit = scanner.next(rest, true).unwrap();
            let Kind::Text { width } = unit.kind else {
                panic!("{:?} is not text", unit.kind);
            };
            units.push((unit.len, width));
            rest = &rest[unit.len..];
        }
        prop_assert_eq!(&units, &expected);
        // The fast loop stops on a cluster boundary, having counted its columns.
        let run = scanner.run(text.as_bytes(), 0, usize::MAX, 8, true);
        let (len, col) = (run.len, run.col);
        let mut boundary = 0;
        let mut columns = 0;
        for &(cluster_len, width) in &expected {
            if boundary == len {
                break;
            }
            boundary += cluster_len;
            columns += width;
        }
        prop_assert_eq!((len, col), (boundary, columns));
    }

    #[test]
    fn cutting_twice_changes_nothing(options in options(), input in text()) {
        // Skipping again would drop more columns.
        let options = Options { skip: 0, ..options };
        let once = cut(&options, &input);
        prop_assert_eq!(cut(&options, &once), once);
    }

    #[test]
    fn lines_cut_apart_come_out_as_cut_together(
        options in options(),
        input in text(),
        splits in any::<[prop::sample::Index; 2]>(),
    ) {
        // Whole lines cut as inputs of their own, those of each other block
        // by a cutter of their own, come out as the whole input cut at once.
        let mut line_starts: Vec<usize> = input
            .iter()
            .enumerate()
            .filter(|&(_, &byte)| byte == options.terminator)
            .map(|(at, _)| at + 1)
            .collect();
        line_starts.push(0);
        let mut splits = splits.map(|split| line_starts[split.index(line_starts.len())]);
        splits.sort_unstable();
        let [first, second] = splits;
        let mut cutter = Cutter::new(options.clone());
        let mut out = Vec::new();
        cutter.process(&input[..first], true, &mut out).unwrap();
        Cutter::new(options.clone()).process(&input[first..second], true, &mut out).unwrap();
        cutter.process(&input[second..], true, &mut out).unwrap();
        prop_assert_eq!(out, cut(&options, &input));
    }

    #[test]
    fn any_split_into_reads_gives_the_same_output(
        options in options(),
        input in text(),
        sizes in prop::collection::vec(1usize..40, 1..8),
    ) {
        let mut out = Vec::new();
        let mut buffer = vec![0; BUFFER_LEN];
        let mut reader = Chunked::new(&input, sizes);
        cut_stream(&mut Cutter::new(options.clone()), &mut reader, &mut buffer, &mut out, || None).unwrap();
        prop_assert_eq!(out, cut(&options, &input));
    }

    #[test]
    fn around_is_what_the_model_says(
        (options, needle, input) in around_options()
            .prop_flat_map(|(options, needle)| (Just(options), Just(needle), lines_with(needle))),
        sizes in prop::collection::vec(1usize..40, 1..8),
    ) {
        let expected = model_around(&options, needle, &input);
        prop_assert_eq!(
            cut(&options, &input).escape_ascii().to_string(),
            expected.escape_ascii().to_string()
        );
        let mut out = Vec::new();
        let mut buffer = vec![0; BUFFER_LEN];
        let mut reader = Chunked::new(&input, sizes);
        cut_stream(&mut Cutter::new(options.clone()), &mut reader, &mut buffer, &mut out, || None).unwrap();
        prop_assert_eq!(out, expected);
    }

    /// Whatever the model: a window fits the width and, when the needle
    /// fits between two markers, shows all of it.
    #[test]
    fn the_window_fits_and_shows_the_match(
        (options, needle, input) in around_options()
            .prop_flat_map(|(options, needle)| (Just(options), Just(needle), lines_with(needle))),
    ) {
        let output = cut(&options, &input);
        let (_, marker_width) = model_marker(&options);
        for (out_line, in_line) in output.split(|&b| b == b'\n').zip(input.split(|&b| b == b'\n')) {
            let shown = pieces(out_line, options.cjk, options.cluster_widths);
            let (found, widest) = columns_of_needle(&options, out_line, &shown, needle);
            if options.width > 0 {
                prop_assert!(widest <= options.width, "{:?} is wider than {}", out_line.escape_ascii().to_string(), options.width);
            }
            let body = pieces(in_line, options.cjk, options.cluster_widths);
            let (needle_in, _) = columns_of_needle(&options, in_line, &body, needle);
            // After a sequence broken off, a tab written as a space may
            // complete it (`ESC [ 3 1 ;`, then ` x`): such lines show what
            // a terminal makes of them, checked by the model above.
            let mut at = 0;
            let broken = body.iter().any(|piece| {
                at += piece.len;
                matches!(piece.kind, PieceKind::Invisible) && in_line[at - piece.len] == 0x1b
            });
            let needle_width = UnicodeWidthStr::width(needle.replace('\t', "").as_str());
            if let Some((start, end)) = needle_in
                && end - start == needle_width
                && options.width > 0
                && needle_width + 2 * marker_width <= options.width
                && !in_line.contains(&b'\r')
                && !broken
            {
                prop_assert!(found.is_some(), "{:?} hides {:?} of {:?}", out_line.escape_ascii().to_string(), needle, in_line.escape_ascii().to_string());
            }
        }
    }
}
