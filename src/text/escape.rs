//! Terminal escape sequences (ECMA-48), recognised so that they take no columns
//! and are never split by a cut.

/// The longest escape sequence we wait for. A terminal would swallow everything
/// up to the end of an unterminated OSC or DCS string; past this many bytes we
/// take the `ESC` for a stray byte and count what follows as text, so one stray
/// `ESC ]` cannot swallow a file. 4 KiB holds an OSC 8 link with the longest URI
/// that terminals accept (VTE: 2083 bytes) with room to spare.
pub const MAX_ESCAPE_LEN: usize = 4096;

pub(crate) const ESC: u8 = 0x1b;
const BEL: u8 = 0x07;
const CAN: u8 = 0x18;
const SUB: u8 = 0x1a;

/// Switches every colour and attribute off.
pub(crate) const SGR_RESET: &[u8] = b"\x1b[0m";
/// Closes an OSC 8 hyperlink.
pub(crate) const HYPERLINK_CLOSE: &[u8] = b"\x1b]8;;\x1b\\";

/// What an escape sequence does to the state that a cut must undo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing that outlives the sequence matters to us (cursor moves, titles, ...).
    None,
    /// Select Graphic Rendition: `resets` when it switches every attribute off.
    Sgr { resets: bool },
    /// OSC 8: `opens` a hyperlink, or closes it (empty URI).
    Hyperlink { opens: bool },
    /// A mode that outlives the line, which `Modes`
    /// knows how to switch back: a DEC private or ANSI mode, a character
    /// set, the keypad, the scroll region.
    Mode,
    /// An `ESC` that starts a sequence or string with no end within
    /// `MAX_ESCAPE_LEN` bytes: the bytes after it count as text, but a terminal
    /// may still be reading them as the sequence.
    Unbounded,
}

/// How the bytes after an `ESC` read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escape {
    /// A well-formed sequence of `len` bytes.
    Complete { len: usize, effect: Effect },
    /// A sequence broken off by a byte that cannot continue it (or by the end of
    /// the line): terminals swallow the `len` bytes read so far, so they take no
    /// columns, and the byte that broke it is read afresh.
    Aborted { len: usize },
    /// No terminator within [`MAX_ESCAPE_LEN`] bytes: the `ESC` alone is a control
    /// byte, and the bytes after it are text.
    Unbounded,
    /// The sequence may go on in bytes not seen yet.
    Incomplete,
}

/// Whether `bytes` starts a control string (OSC, DCS, SOS, PM, APC), the only
/// kind of sequence whose bytes may include a line terminator.
pub fn may_span_lines(bytes: &[u8]) -> bool {
    matches!(bytes, [ESC, b']' | b'P' | b'X' | b'^' | b'_', ..])
}

/// The input that the unit at `input[pos..]` may span, and whether the line
/// ends with it. Only a control string could run on past the terminator, so
/// only there is the line's end looked for; the CR of a CRLF ends the line
/// with it, and is no part of the string.
pub(crate) fn unit_input(input: &[u8], pos: usize, eof: bool, terminator: u8) -> (&[u8], bool) {
    let rest = &input[pos..];
    if may_span_lines(rest) {
        let window = &rest[..rest.len().min(MAX_ESCAPE_LEN)];
        if let Some(mut end) = memchr::memchr(terminator, window) {
            if terminator == b'\n' && rest[..end].ends_with(b"\r") {
                end -= 1;
            }
            return (&rest[..end], true);
        }
    }
    (rest, eof)
}

/// Reads the escape sequence at the start of `bytes` (which starts with `ESC`).
/// `complete` says that no bytes follow `bytes` on this line.
pub fn parse(bytes: &[u8], complete: bool) -> Escape {
    debug_assert_eq!(bytes.first(), Some(&ESC));
    let end_of_input = |len: usize| {
        if len >= MAX_ESCAPE_LEN {
            Escape::Unbounded
        } else if complete {
            Escape::Aborted { len }
        } else {
            Escape::Incomplete
        }
    };
    let Some(&introducer) = bytes.get(1) else {
        return end_of_input(1);
    };
    match introducer {
        b'[' => parse_csi(bytes, end_of_input),
        b']' => parse_string(bytes, true, end_of_input),
        // DCS, SOS, PM, APC: strings ended by ST alone.
        b'P' | b'X' | b'^' | b'_' => parse_string(bytes, false, end_of_input),
        // nF escapes: intermediates, then a final byte (`ESC ( B`).
        0x20..=0x2f => {
            let window = &bytes[..bytes.len().min(MAX_ESCAPE_LEN)];
            let intermediates = window[1..]
                .iter()
                .take_while(|b| (0x20..=0x2f).contains(*b))
                .count();
            let at = 1 + intermediates;
            match window.get(at) {
                Some(0x30..=0x7e) => Escape::Complete {
                    len: at + 1,
                    // `ESC ( 0`: a character set for G0 to G3.
                    effect: if at == 2 && matches!(introducer, b'(' | b')' | b'*' | b'+') {
                        Effect::Mode
                    } else {
                        Effect::None
                    },
                },
                Some(_) => Escape::Aborted { len: at },
                None => end_of_input(at),
            }
        }
        // Two-byte escapes (`ESC =`, `ESC 7`, `ESC M`); the first two
        // switch the keypad's mode.
        0x30..=0x7e => Escape::Complete {
            len: 2,
            effect: if matches!(introducer, b'=' | b'>') {
                Effect::Mode
            } else {
                Effect::None
            },
        },
        _ => Escape::Aborted { len: 1 },
    }
}

/// The CSI sequence at the start of `bytes` if its parameters are only digits,
/// `;` and `:`, with its length and effect. Colours (`ESC [ 1 ; 31 m`) and
/// line erases (`ESC [ K`) come by the dozen a line, so they are read in one
/// pass, short of the general parser.
#[inline]
pub fn parse_plain_csi(bytes: &[u8]) -> Option<(usize, Effect)> {
    let window = &bytes[..bytes.len().min(MAX_ESCAPE_LEN)];
    let [ESC, b'[', params @ ..] = window else {
        return None;
    };
    let mut resets = true;
    for (at, &b) in params.iter().enumerate() {
        match b {
            b'0'..=b'9' | b';' | b':' => resets &= b == b'0',
            0x40..=0x7e => {
                let effect = match b {
                    b'm' => Effect::Sgr { resets },
                    // Set and reset mode (SM, RM), and the scroll region
                    // (DECSTBM).
                    b'h' | b'l' | b'r' => Effect::Mode,
                    _ => Effect::None,
                };
                return Some((2 + at + 1, effect));
            }
            _ => return None,
        }
    }
    None
}

/// `ESC [`, parameter bytes 0x30–0x3F, intermediate bytes 0x20–0x2F, one final
/// byte 0x40–0x7E (ECMA-48 5.4).
fn parse_csi(bytes: &[u8], end_of_input: impl Fn(usize) -> Escape) -> Escape {
    if let Some((len, effect)) = parse_plain_csi(bytes) {
        return Escape::Complete { len, effect };
    }
    let window = &bytes[..bytes.len().min(MAX_ESCAPE_LEN)];
    let params = window[2..]
        .iter()
        .take_while(|b| (0x30..=0x3f).contains(*b))
        .count();
    let intermediates = window[2 + params..]
        .iter()
        .take_while(|b| (0x20..=0x2f).contains(*b))
        .count();
    let at = 2 + params + intermediates;
    match window.get(at) {
        // Plain parameters were read above: no SGR is left here, but DEC
        // private modes (`ESC [ ? 25 l`).
        Some(&final_byte @ 0x40..=0x7e) => Escape::Complete {
            len: at + 1,
            effect: if window[2] == b'?' && intermediates == 0 && matches!(final_byte, b'h' | b'l')
            {
                Effect::Mode
            } else {
                Effect::None
            },
        },
        Some(_) => Escape::Aborted { len: at },
        None => end_of_input(at),
    }
}

/// OSC (ended by BEL or ST) and the other control strings (ended by ST, `ESC \`).
/// Other bytes, UTF-8 included, belong to the string; CAN and SUB cancel it, and
/// an `ESC` that does not start ST aborts it and begins a new sequence.
fn parse_string(bytes: &[u8], osc: bool, end_of_input: impl Fn(usize) -> Escape) -> Escape {
    let window = &bytes[..bytes.len().min(MAX_ESCAPE_LEN)];
    let mut at = 2;
    while let Some(&b) = window.get(at) {
        let body = &window[2..at];
        match b {
            BEL if osc => {
                return Escape::Complete {
                    len: at + 1,
                    effect: osc_effect(body),
                };
            }
            ESC => {
                return match window.get(at + 1) {
                    Some(b'\\') => Escape::Complete {
                        len: at + 2,
                        effect: if osc { osc_effect(body) } else { Effect::None },
                    },
                    Some(_) => Escape::Aborted { len: at },
                    None if bytes.len() > window.len() => Escape::Unbounded,
                    None => end_of_input(at),
                };
            }
            CAN | SUB => return Escape::Aborted { len: at },
            _ => at += 1,
        }
    }
    end_of_input(at)
}

/// OSC 8 is `8 ; params ; URI`: a non-empty URI opens a link, an empty one closes it.
fn osc_effect(body: &[u8]) -> Effect {
    let Some(rest) = body.strip_prefix(b"8;") else {
        return Effect::None;
    };
    match rest.iter().position(|&b| b == b';') {
        Some(semicolon) => Effect::Hyperlink {
            opens: semicolon + 1 < rest.len(),
        },
        None => Effect::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(bytes: &[u8]) -> Escape {
        parse(bytes, true)
    }

    #[test]
    fn csi_colour_is_sgr() {
        assert_eq!(
            complete(b"\x1b[1;31mred"),
            Escape::Complete {
                len: 7,
                effect: Effect::Sgr { resets: false }
            }
        );
        for reset in [&b"\x1b[m"[..], b"\x1b[0m", b"\x1b[00m"] {
            assert_eq!(
                complete(reset),
                Escape::Complete {
                    len: reset.len(),
                    effect: Effect::Sgr { resets: true }
                }
            );
        }
    }

    #[test]
    fn modes_are_told_apart() {
        for mode in [
            &b"\x1b[?25l"[..],
            b"\x1b[?1049h",
            b"\x1b[4h",
            b"\x1b[2;20r",
            b"\x1b[r",
        ] {
            assert_eq!(
                complete(mode),
                Escape::Complete {
                    len: mode.len(),
                    effect: Effect::Mode
                },
                "{mode:?}"
            );
        }
        // Other private sequences with those final bytes.
        assert_eq!(
            complete(b"\x1b[>4;1h"),
            Escape::Complete {
                len: 7,
                effect: Effect::None
            }
        );
    }

    #[test]
    fn csi_other_has_no_effect() {
        assert_eq!(
            complete(b"\x1b[K"),
            Escape::Complete {
                len: 3,
                effect: Effect::None
            }
        );
        assert_eq!(
            complete(b"\x1b[>4;2m"),
            Escape::Complete {
                len: 7,
                effect: Effect::None
            }
        );
    }

    #[test]
    fn csi_broken_by_a_letter_outside_the_grammar() {
        // `é` cannot continue a CSI: the three bytes before it are swallowed.
        assert_eq!(complete("\x1b[1é".as_bytes()), Escape::Aborted { len: 3 });
        assert_eq!(complete(b"\x1b[1"), Escape::Aborted { len: 3 });
        assert_eq!(parse(b"\x1b[1", false), Escape::Incomplete);
    }

    #[test]
    fn osc8_link_opens_and_closes() {
        let open = b"\x1b]8;;https://example.com\x1b\\";
        assert_eq!(
            complete(open),
            Escape::Complete {
                len: open.len(),
                effect: Effect::Hyperlink { opens: true }
            }
        );
        let close = b"\x1b]8;;\x07";
        assert_eq!(
            complete(close),
            Escape::Complete {
                len: close.len(),
                effect: Effect::Hyperlink { opens: false }
            }
        );
    }

    #[test]
    fn strings_end_with_st_only_unless_osc() {
        assert_eq!(
            complete(b"\x1bPq#0\x07x\x1b\\"),
            Escape::Complete {
                len: 9,
                effect: Effect::None
            }
        );
        assert_eq!(complete(b"\x1b]0;title\x1b["), Escape::Aborted { len: 9 });
    }

    #[test]
    fn can_and_sub_cancel_a_string() {
        for cancel in [b'\x18', b'\x1a'] {
            let mut bytes = b"\x1b]0;ti".to_vec();
            bytes.push(cancel);
            bytes.extend_from_slice(b"tle\x07");
            assert_eq!(complete(&bytes), Escape::Aborted { len: 6 });
            bytes[1] = b'P';
            assert_eq!(complete(&bytes), Escape::Aborted { len: 6 });
        }
    }

    /// An ESC as the last byte within the bound may start the ST that ends
    /// the string: with more bytes after the bound it cannot, and the string
    /// is unbounded; at the end of what was read, it waits.
    #[test]
    fn esc_at_the_edge_of_the_bound() {
        let mut bytes = b"\x1b]0;".to_vec();
        bytes.resize(MAX_ESCAPE_LEN - 1, b'x');
        bytes.push(ESC);
        assert_eq!(parse(&bytes, false), Escape::Incomplete);
        let mut longer = bytes.clone();
        longer.push(b'\\');
        assert_eq!(parse(&longer, false), Escape::Unbounded);
    }

    #[test]
    fn unterminated_string_is_bounded() {
        let mut long = b"\x1b]0;".to_vec();
        long.resize(MAX_ESCAPE_LEN + 10, b'x');
        assert_eq!(parse(&long, false), Escape::Unbounded);
        assert_eq!(
            parse(&long[..MAX_ESCAPE_LEN - 1], false),
            Escape::Incomplete
        );
        assert_eq!(parse(&long[..MAX_ESCAPE_LEN], false), Escape::Unbounded);
    }

    #[test]
    fn short_escapes() {
        // A character set and the keypad are modes that outlive the line.
        assert_eq!(
            complete(b"\x1b(B"),
            Escape::Complete {
                len: 3,
                effect: Effect::Mode
            }
        );
        assert_eq!(
            complete(b"\x1b="),
            Escape::Complete {
                len: 2,
                effect: Effect::Mode
            }
        );
        assert_eq!(
            complete(b"\x1b7"),
            Escape::Complete {
                len: 2,
                effect: Effect::None
            }
        );
        assert_eq!(
            complete(b"\x1b#8"),
            Escape::Complete {
                len: 3,
                effect: Effect::None
            }
        );
        assert_eq!(complete(b"\x1b\x1b[m"), Escape::Aborted { len: 1 });
        assert_eq!(complete(b"\x1b"), Escape::Aborted { len: 1 });
    }
}
