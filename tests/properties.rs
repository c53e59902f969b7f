//! Properties of the cutter on generated lines that mix ASCII, wide and
//! zero-width characters, emoji sequences, tabs, CR, escape sequences (whole
//! and cut short), NUL and bytes that are not UTF-8. The cut is checked
//! against a model written for clarity rather than speed: it measures each
//! line from scratch with the standard library's UTF-8 chunks and
//! unicode-segmentation's grapheme iterator.

use std::io::{self, Read};

use proptest::prelude::*;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use short::stream;
use short::{Cutter, Options};

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

fn line() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..24).prop_map(|parts| parts.concat())
}

/// Lines joined by newlines, the last one perhaps without.
fn text() -> impl Strategy<Value = Vec<u8>> {
    (prop::collection::vec(line(), 0..6), any::<bool>()).prop_map(|(lines, final_newline)| {
        let mut text = lines.join(&b'\n');
        if final_newline && !text.is_empty() {
            text.push(b'\n');
        }
        text
    })
}

fn options() -> impl Strategy<Value = Options> {
    (
        0usize..30,
        prop::sample::select(vec!["", "\u{2026}", ">>", "\u{65e5}", "\x1b[2m~\x1b[0m"]),
        prop::sample::select(vec![1usize, 3, 4, 8]),
        any::<bool>(),
    )
        .prop_map(|(width, marker, tab_width, cjk)| Options {
            width,
            marker: marker.as_bytes().to_vec(),
            tab_width,
            terminator: b'\n',
            cjk,
        })
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
    Invisible,
    Sgr { resets: bool },
    Hyperlink { opens: bool },
}

/// Reads an escape sequence at the start of `bytes` as SPEC describes them.
fn escape(bytes: &[u8]) -> Piece {
    let invisible = |len| Piece {
        len,
        kind: PieceKind::Invisible,
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
                Some(0x40..=0x7e) => invisible(end + 1),
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
                _ => PieceKind::Invisible,
            };
            Piece { len: at + 1, kind }
        }
        Some(0x20..=0x2f) => {
            let intermediates = bytes[1..]
                .iter()
                .take_while(|b| (0x20..=0x2f).contains(*b))
                .count();
            match bytes.get(1 + intermediates) {
                Some(0x30..=0x7e) => invisible(2 + intermediates),
                _ => invisible(1 + intermediates),
            }
        }
        Some(0x30..=0x7e) => invisible(2),
        _ => invisible(1),
    }
}

/// Splits a line (without its terminator) into pieces: escape sequences and
/// control characters, and grapheme clusters of the text between them.
fn pieces(line: &[u8], cjk: bool) -> Vec<Piece> {
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
                        let width = if cjk {
                            cluster.width_cjk()
                        } else {
                            cluster.width()
                        };
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
    for piece in pieces(&options.marker, options.cjk) {
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

/// What the cutter must write for one line (without its terminator); a CR
/// before the terminator is kept as part of a CRLF.
fn model_line(options: &Options, line: &[u8], terminated: bool) -> Vec<u8> {
    let (body, cr) = match line.strip_suffix(b"\r") {
        Some(body) if terminated => (body, true),
        _ => (line, false),
    };
    if options.width == 0 {
        return line.to_vec();
    }
    let (marker, marker_width) = model_marker(options);
    let text_width = options.width - marker_width;
    let mut col = 0;
    let mut kept = 0;
    let mut holding = false;
    let mut sgr_on = false;
    let mut link_open = false;
    let mut pos = 0;
    for piece in pieces(body, options.cjk) {
        let next = match piece.kind {
            PieceKind::Columns(width) => col + width,
            PieceKind::Tab => (col / options.tab_width + 1) * options.tab_width,
            PieceKind::CarriageReturn => 0,
            _ => col,
        };
        if next > options.width {
            let mut out = line[..kept].to_vec();
            if link_open {
                out.extend_from_slice(HYPERLINK_CLOSE);
            }
            if sgr_on {
                out.extend_from_slice(SGR_RESET);
            }
            out.extend_from_slice(&marker);
            if cr {
                out.push(b'\r');
            }
            return out;
        }
        holding |= next > text_width;
        col = next;
        pos += piece.len;
        if !holding {
            kept = pos;
            match piece.kind {
                PieceKind::Sgr { resets } => sgr_on = !resets,
                PieceKind::Hyperlink { opens } => link_open = opens,
                _ => {}
            }
        }
    }
    line.to_vec()
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

/// A reader that hands out its input in reads of the given sizes, in turn.
struct Chunked<'a> {
    input: &'a [u8],
    sizes: Vec<usize>,
    turn: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let size = self.sizes[self.turn % self.sizes.len()];
        self.turn += 1;
        let len = size.min(buf.len()).min(self.input.len());
        buf[..len].copy_from_slice(&self.input[..len]);
        self.input = &self.input[len..];
        Ok(len)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

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
    fn output_fits_and_lines_are_kept(options in options(), input in text()) {
        let output = cut(&options, &input);
        prop_assert_eq!(
            output.iter().filter(|&&b| b == b'\n').count(),
            input.iter().filter(|&&b| b == b'\n').count()
        );
        for (out_line, in_line) in output.split(|&b| b == b'\n').zip(input.split(|&b| b == b'\n')) {
            if options.width > 0 {
                let mut col = 0;
                for piece in pieces(out_line, options.cjk) {
                    col = match piece.kind {
                        PieceKind::Columns(width) => col + width,
                        PieceKind::Tab => (col / options.tab_width + 1) * options.tab_width,
                        PieceKind::CarriageReturn => 0,
                        _ => col,
                    };
                    prop_assert!(col <= options.width, "{:?} is wider than {}", String::from_utf8_lossy(out_line), options.width);
                }
            }
            if out_line != in_line {
                // Less what a cut appends, the output is a prefix of the line.
                let (marker, _) = model_marker(&options);
                let mut kept = out_line.strip_suffix(b"\r").unwrap_or(out_line);
                kept = kept.strip_suffix(marker.as_slice()).unwrap_or(kept);
                kept = kept.strip_suffix(SGR_RESET).unwrap_or(kept);
                kept = kept.strip_suffix(HYPERLINK_CLOSE).unwrap_or(kept);
                prop_assert!(in_line.starts_with(kept), "{:?} from {:?}", kept.escape_ascii().to_string(), in_line.escape_ascii().to_string());
            }
        }
    }

    #[test]
    fn cutting_twice_changes_nothing(options in options(), input in text()) {
        let once = cut(&options, &input);
        prop_assert_eq!(cut(&options, &once), once);
    }

    #[test]
    fn any_split_into_reads_gives_the_same_output(
        options in options(),
        input in text(),
        sizes in prop::collection::vec(1usize..40, 1..8),
    ) {
        let mut out = Vec::new();
        let mut buffer = vec![0; stream::BUFFER_LEN];
        let mut reader = Chunked { input: &input, sizes, turn: 0 };
        stream::cut_stream(&mut Cutter::new(options.clone()), &mut reader, &mut buffer, &mut out).unwrap();
        prop_assert_eq!(out, cut(&options, &input));
    }
}
