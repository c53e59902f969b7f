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

/// What an escape sequence does to the state that a cut must undo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing that outlives the sequence matters to us (cursor moves, titles, ...).
    None,
    /// Select Graphic Rendition: `resets` when it switches every attribute off.
    Sgr { resets: bool },
    /// OSC 8: `opens` a hyperlink, or closes it (empty URI).
    Hyperlink { opens: bool },
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
                    effect: Effect::None,
                },
                Some(_) => Escape::Aborted { len: at },
                None => end_of_input(at),
            }
        }
        // Two-byte escapes (`ESC =`, `ESC 7`, `ESC M`).
        0x30..=0x7e => Escape::Complete {
            len: 2,
            effect: Effect::None,
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
                let effect = if b == b'm' {
                    Effect::Sgr { resets }
                } else {
                    Effect::None
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
        Some(&final_byte @ 0x40..=0x7e) => {
            let effect = if final_byte == b'm' && intermediates == 0 {
                sgr_effect(&window[2..2 + params])
            } else {
                Effect::None
            };
            Escape::Complete {
                len: at + 1,
                effect,
            }
        }
        Some(_) => Escape::Aborted { len: at },
        None => end_of_input(at),
    }
}

/// SGR parameters are digits, `;` and `:`; anything else (`ESC [ > 4 m`) is a
/// private sequence that sets no colour. Only parameters that are all zeros
/// (`ESC [ m`, `ESC [ 0 m`) count as a reset: a sequence such as `ESC [ 1 ; 0 m`
/// ends with everything off too, but appending a needless `ESC [ 0 m` after it
/// costs nothing, while missing a colour left on would colour the next lines.
fn sgr_effect(params: &[u8]) -> Effect {
    if !params
        .iter()
        .all(|b| b.is_ascii_digit() || *b == b';' || *b == b':')
    {
        return Effect::None;
    }
    Effect::Sgr {
        resets: params.iter().all(|&b| b == b'0'),
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

const PLAIN_BLOCK: usize = 64;

/// Text and colour codes, as far as [`plain_run`] reads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PlainRun {
    /// The bytes read.
    pub len: usize,
    /// The column after them.
    pub col: usize,
    /// The effect of the last SGR sequence among them, if any.
    pub sgr: Option<Effect>,
}

/// Reads printable ASCII and the CSI sequences of [`parse_plain_csi`] from the
/// start of `bytes`, from column `col`, for as long as the text ends within
/// `limit` columns: 64 bytes at a time, finding every sequence of a block with
/// a few word operations rather than a branch a sequence, as colour codes and
/// the short words between them fall where no branch predictor can guess.
/// Stops before anything else (other bytes and sequences, sequences that the
/// block cuts off, and the last text byte before a byte that is not ASCII,
/// which a combining mark could join), and reads nothing of a block that is
/// not followed by one more byte. Returns `None` when it reads nothing.
pub(crate) fn plain_run(bytes: &[u8], mut col: usize, limit: usize) -> Option<PlainRun> {
    let mut len = 0;
    let mut sgr = None;
    while let Some((block, rest)) = bytes[len..].split_first_chunk::<PLAIN_BLOCK>()
        && let Some(&after) = rest.first()
    {
        let (taken, columns, block_sgr) = plain_block(block, after, limit.saturating_sub(col));
        len += taken;
        col += columns;
        sgr = block_sgr.or(sgr);
        if taken < PLAIN_BLOCK {
            break;
        }
    }
    (len > 0).then_some(PlainRun { len, col, sgr })
}

/// [`plain_run`] on one block, followed by the byte `after`, with `room`
/// columns left: the bytes read, the columns they take, and the effect of the
/// last SGR sequence among them.
fn plain_block(
    block: &[u8; PLAIN_BLOCK],
    after: u8,
    room: usize,
) -> (usize, usize, Option<Effect>) {
    let Classes {
        printable,
        params,
        finals,
        escapes,
        brackets,
    } = classify(block);
    let below = |end: u32| 1u64.checked_shl(end).map_or(u64::MAX, |bit| bit - 1);
    let highest_below = |bits: u64, end: u32| 63 - (bits & below(end)).leading_zeros();
    // A sequence starts at an ESC followed by '['; its parameters run from two
    // bytes on, and adding a bit at the start of a run of ones carries to the
    // first byte after it, which must be a final byte. Only the last sequence
    // can run past the block, to bit 64 or beyond.
    let starts = escapes & (brackets >> 1);
    let params = u128::from(params);
    let ends = (params + (u128::from(starts) << 2)) & !params;
    let mut end = if ends >> PLAIN_BLOCK != 0 {
        highest_below(starts, 64)
    } else {
        64
    };
    let ends = ends as u64;
    // A sequence broken by a byte that is not a final byte may end where the
    // last one starts.
    let broken = ends & !finals;
    if broken != 0 {
        end = end.min(highest_below(starts, broken.trailing_zeros()));
    }
    let starts = starts & below(end);
    let ends = ends & below(end);
    // Each start less its end sets the bits from the one up to the other: the
    // pairs do not overlap, so the differences add up without a borrow.
    let inside = ends.wrapping_sub(starts) | ends;
    end = end.min((!(printable | inside)).trailing_zeros());
    let text = printable & !inside;
    let next = block.get(end as usize).copied().unwrap_or(after);
    if !next.is_ascii() && end > 0 && text >> (end - 1) & 1 == 1 {
        end -= 1;
    }
    let mut text = text & below(end);
    let mut columns = text.count_ones() as usize;
    if columns > room {
        // The text byte that does not fit ends what is read.
        for _ in 0..room {
            text &= text - 1;
        }
        end = text.trailing_zeros();
        columns = room;
    }
    let sgr = last_sgr(block, starts & below(end), ends & below(end));
    (end as usize, columns, sgr)
}

/// The bytes of a block in the classes that [`plain_block`] reads, one bit a
/// byte.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Classes {
    /// 0x20..=0x7E
    printable: u64,
    /// The parameter bytes of a plain CSI sequence: digits, ':' and ';'.
    params: u64,
    /// 0x40..=0x7E
    finals: u64,
    escapes: u64,
    brackets: u64,
}

/// Every x86-64 processor has SSE2, whose byte comparisons and byte masks do
/// in one instruction what takes [`classify_words`] a dozen.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
fn classify(block: &[u8; PLAIN_BLOCK]) -> Classes {
    // SAFETY: SSE2 is part of x86-64, so every processor that runs this code
    // has it.
    unsafe { classify_sse2(block) }
}

#[cfg(not(target_arch = "x86_64"))]
fn classify(block: &[u8; PLAIN_BLOCK]) -> Classes {
    classify_words(block)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn classify_sse2(block: &[u8; PLAIN_BLOCK]) -> Classes {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_movemask_epi8,
        _mm_set_epi64x, _mm_set1_epi8,
    };
    // Signed comparisons: bytes from 0x80 up are negative, in no range.
    #[target_feature(enable = "sse2")]
    fn in_range(bytes: __m128i, first: u8, last: u8) -> __m128i {
        _mm_and_si128(
            _mm_cmpgt_epi8(bytes, _mm_set1_epi8(first as i8 - 1)),
            _mm_cmplt_epi8(bytes, _mm_set1_epi8(last as i8 + 1)),
        )
    }
    #[target_feature(enable = "sse2")]
    fn bits(mask: __m128i) -> u64 {
        u64::from(_mm_movemask_epi8(mask) as u16)
    }
    let mut classes = Classes::default();
    for (at, chunk) in block.as_chunks::<16>().0.iter().enumerate() {
        let halves = u128::from_le_bytes(*chunk);
        let bytes = _mm_set_epi64x((halves >> 64) as i64, halves as i64);
        let shift = 16 * at;
        classes.printable |= bits(in_range(bytes, 0x20, 0x7e)) << shift;
        classes.params |= bits(in_range(bytes, b'0', b';')) << shift;
        classes.finals |= bits(in_range(bytes, 0x40, 0x7e)) << shift;
        classes.escapes |= bits(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(ESC as i8))) << shift;
        classes.brackets |= bits(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'[' as i8))) << shift;
    }
    classes
}

/// [`classify`] in plain word operations, for other processors.
#[cfg(any(not(target_arch = "x86_64"), test))]
fn classify_words(block: &[u8; PLAIN_BLOCK]) -> Classes {
    use crate::swar;
    let mut classes = Classes::default();
    for (at, word) in block.as_chunks::<8>().0.iter().enumerate() {
        let word = u64::from_le_bytes(*word);
        let shift = 8 * at;
        classes.printable |= swar::gather(swar::in_range(word, 0x20, 0x7e)) << shift;
        classes.params |= swar::gather(swar::in_range(word, b'0', b';')) << shift;
        classes.finals |= swar::gather(swar::in_range(word, 0x40, 0x7e)) << shift;
        classes.escapes |= swar::gather(swar::equal(word, ESC)) << shift;
        classes.brackets |= swar::gather(swar::equal(word, b'[')) << shift;
    }
    classes
}

/// The effect of the last SGR sequence among those of `block` that start and
/// end at the bits of `starts` and `ends`, all complete and plain.
fn last_sgr(block: &[u8; PLAIN_BLOCK], starts: u64, mut ends: u64) -> Option<Effect> {
    while ends != 0 {
        let end = 63 - ends.leading_zeros();
        ends &= !(1 << end);
        if block[end as usize] == b'm' {
            let start = 63 - (starts & ((1 << end) - 1)).leading_zeros();
            let params = &block[start as usize + 2..end as usize];
            return Some(Effect::Sgr {
                resets: params.iter().all(|&b| b == b'0'),
            });
        }
    }
    None
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
        assert_eq!(
            complete(b"\x1b(B"),
            Escape::Complete {
                len: 3,
                effect: Effect::None
            }
        );
        assert_eq!(
            complete(b"\x1b="),
            Escape::Complete {
                len: 2,
                effect: Effect::None
            }
        );
        assert_eq!(complete(b"\x1b\x1b[m"), Escape::Aborted { len: 1 });
        assert_eq!(complete(b"\x1b"), Escape::Aborted { len: 1 });
    }

    /// What [`plain_run`] reads, one unit at a time: the blocks it reads are
    /// 64 bytes from the start, each followed by a byte, and no unit
    /// crosses a block's end.
    fn plain_run_unit_by_unit(bytes: &[u8], mut col: usize, limit: usize) -> Option<PlainRun> {
        let mut pos = 0;
        let mut sgr = None;
        let mut block_end = PLAIN_BLOCK;
        while block_end < bytes.len() {
            if pos == block_end {
                block_end += PLAIN_BLOCK;
                continue;
            }
            if let Some((len, effect)) = parse_plain_csi(&bytes[pos..block_end]) {
                pos += len;
                if let Effect::Sgr { .. } = effect {
                    sgr = Some(effect);
                }
                continue;
            }
            let text = (0x20..=0x7e).contains(&bytes[pos]);
            if !text || !bytes[pos + 1].is_ascii() || col == limit {
                break;
            }
            pos += 1;
            col += 1;
        }
        (pos > 0).then_some(PlainRun { len: pos, col, sgr })
    }

    #[test]
    fn plain_run_reads_what_units_would() {
        let pieces: [&[u8]; 18] = [
            b"x",
            b"word ",
            b"0;1",
            b"\x1b[0m",
            b"\x1b[m",
            b"\x1b[00m",
            b"\x1b[0;0m",
            b"\x1b[38;5;208m",
            b"\x1b[K",
            b"\x1b[31;",
            b"\x1b[?25l",
            b"\x1b]8;;x\x1b\\",
            b"\x1b",
            b"[",
            "\u{301}".as_bytes(),
            "\u{e9}".as_bytes(),
            b"\t",
            b"\n",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut random = |below: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % below as u64) as usize
        };
        for _ in 0..200_000 {
            // Mostly text and colour codes, so that runs go on for blocks.
            let plain_only = random(4) != 0;
            let mut bytes = Vec::new();
            for _ in 0..random(90) {
                let choices = if plain_only { 10 } else { pieces.len() };
                bytes.extend_from_slice(pieces[random(choices)]);
            }
            let col = random(10);
            let limit = col + random(200);
            assert_eq!(
                plain_run(&bytes, col, limit),
                plain_run_unit_by_unit(&bytes, col, limit),
                "{:?} from {col} to {limit}",
                String::from_utf8_lossy(&bytes)
            );
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn classes_are_the_same_in_words_and_in_sse2() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..20_000 {
            let mut block = [0; PLAIN_BLOCK];
            for byte in &mut block {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                // Every byte now and then; the bytes of colour codes often.
                *byte = match seed % 4 {
                    0 => (seed >> 8) as u8,
                    _ => {
                        let common = b"\x1b[0123456789;:m@~ax\x7f\x80";
                        common[(seed >> 8) as usize % common.len()]
                    }
                };
            }
            assert_eq!(classify(&block), classify_words(&block));
        }
    }
}
