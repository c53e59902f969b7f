//! Plain text read 64 bytes at a time: printable ASCII, tabs, and the CSI
//! sequences of colour output. In colour output and tab-separated values,
//! codes, tabs and short words alternate where no branch predictor can guess,
//! and taking them one at a time costs a few mispredicted branches each; here
//! a block's bytes are sorted into classes at once, and word arithmetic finds
//! every sequence and counts the columns.

use super::escape::Effect;
use super::width::next_tab_stop;
use crate::simd::words::{self, below, highest_below};
use crate::simd::{BLOCK, BlockClasses, classify_block};

/// Text, tabs and colour codes, as far as [`plain_run`] reads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PlainRun {
    /// The bytes read.
    pub len: usize,
    /// The column after them.
    pub col: usize,
    /// The effect of the last SGR sequence among them, if any.
    pub sgr: Option<Effect>,
}

/// Reads printable ASCII, tabs and the CSI sequences of
/// [`parse_plain_csi`](crate::text::escape::parse_plain_csi)
/// from the start of `bytes`, from column `col`, for as long as they end
/// within `limit` columns. Stops before anything else (other bytes and
/// sequences, sequences that switch a mode or that a block cuts off, and the
/// last text byte or tab
/// before a byte that is not ASCII, which a combining mark could join), and
/// reads nothing of a block that is not followed by one more byte. Returns
/// `None` when it reads nothing.
pub(crate) fn plain_run(
    bytes: &[u8],
    mut col: usize,
    limit: usize,
    tab_width: usize,
) -> Option<PlainRun> {
    let mut len = 0;
    let mut sgr = None;
    while let Some((block, rest)) = bytes[len..].split_first_chunk::<BLOCK>()
        && let Some(&after) = rest.first()
    {
        let read = plain_block(block, after, col, limit, tab_width);
        len += read.len;
        col = read.col;
        sgr = read.sgr.or(sgr);
        if read.len < BLOCK {
            break;
        }
    }
    (len > 0).then_some(PlainRun { len, col, sgr })
}

/// Whether the first eight bytes of `bytes` are printable ASCII or tabs, as
/// at the start of most lines of tab-separated values, and of few lines that
/// [`plain_run`] would stop in at once.
pub(crate) fn starts_plain(bytes: &[u8]) -> bool {
    bytes.first_chunk::<8>().is_some_and(|word| {
        let word = u64::from_le_bytes(*word);
        words::in_range(word, 0x20, 0x7e) | words::equal(word, b'\t') == words::HIGH
    })
}

/// [`plain_run`] on one block, followed by the byte `after`.
fn plain_block(
    block: &[u8; BLOCK],
    after: u8,
    col: usize,
    limit: usize,
    tab_width: usize,
) -> PlainRun {
    let classes = classify_block(block);
    if classes.escapes == 0 {
        return text_block(block, after, &classes, col, limit, tab_width);
    }
    let BlockClasses {
        printable,
        tabs,
        params,
        finals,
        escapes,
        brackets,
        mode_finals,
        ..
    } = classes;
    // A sequence that switches a mode ends the run: the cutter notes it.
    let finals = finals & !mode_finals;
    // A sequence starts at an ESC followed by '['; its parameters run from two
    // bytes on, and adding a bit at the start of a run of ones carries to the
    // first byte after it, which must be a final byte. Only the last sequence
    // can run past the block, to bit 64 or beyond.
    let starts = escapes & (brackets >> 1);
    let params = u128::from(params);
    let ends = (params + (u128::from(starts) << 2)) & !params;
    let mut end = if ends >> BLOCK != 0 {
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
    end = end.min((!(printable | tabs | inside)).trailing_zeros());
    let text = printable & !inside;
    let next = block.get(end as usize).copied().unwrap_or(after);
    if !next.is_ascii() && end > 0 && (text | tabs) >> (end - 1) & 1 == 1 {
        end -= 1;
    }
    // Text between tabs a stretch at a time; the stretch in which the limit
    // falls ends at the text byte or the tab that does not fit.
    let mut col = col;
    let mut from = 0;
    let mut tabs_left = tabs & below(end);
    loop {
        let stop = if tabs_left == 0 {
            end
        } else {
            tabs_left.trailing_zeros()
        };
        // Every byte of a stretch is text or part of a sequence; without
        // sequences (tab-separated values), no bits need counting.
        let stretch = text & below(stop) & !below(from);
        let columns = if inside == 0 {
            (stop - from) as usize
        } else {
            stretch.count_ones() as usize
        };
        if col + columns > limit {
            // The text byte that does not fit ends what is read.
            end = words::nth_set_bit(stretch, limit - col);
            col = limit;
            break;
        }
        col += columns;
        if tabs_left == 0 {
            break;
        }
        let next_col = next_tab_stop(col, tab_width);
        if next_col > limit {
            end = stop;
            break;
        }
        col = next_col;
        from = stop + 1;
        tabs_left &= tabs_left - 1;
    }
    PlainRun {
        len: end as usize,
        col,
        sgr: last_sgr(&classes, starts & below(end), ends & below(end)),
    }
}

/// [`plain_block`] on a block without an ESC, as in tab-separated values:
/// every byte up to the first that is neither printable nor a tab is a column
/// of text or a tab, so the columns between two tabs are their distance, and
/// a tab is the only place where the limit needs testing before the block's
/// end.
fn text_block(
    block: &[u8; BLOCK],
    after: u8,
    classes: &BlockClasses,
    mut col: usize,
    limit: usize,
    tab_width: usize,
) -> PlainRun {
    let BlockClasses {
        printable, tabs, ..
    } = *classes;
    let mut end = (!(printable | tabs)).trailing_zeros();
    let next = block.get(end as usize).copied().unwrap_or(after);
    if !next.is_ascii() && end > 0 {
        end -= 1;
    }
    let mut from = 0;
    let mut tabs_left = tabs & below(end);
    while tabs_left != 0 {
        let tab = tabs_left.trailing_zeros();
        let at_tab = col + (tab - from) as usize;
        let after_tab = next_tab_stop(at_tab, tab_width);
        if after_tab > limit {
            // Either the text before the tab or the tab itself does not fit.
            return if at_tab > limit {
                read_to_limit(from, col, limit)
            } else {
                PlainRun {
                    len: tab as usize,
                    col: at_tab,
                    sgr: None,
                }
            };
        }
        col = after_tab;
        from = tab + 1;
        tabs_left &= tabs_left - 1;
    }
    if col + (end - from) as usize > limit {
        return read_to_limit(from, col, limit);
    }
    PlainRun {
        len: end as usize,
        col: col + (end - from) as usize,
        sgr: None,
    }
}

/// Text from byte `from`, at column `col`, read up to the `limit`.
fn read_to_limit(from: u32, col: usize, limit: usize) -> PlainRun {
    PlainRun {
        len: from as usize + (limit - col),
        col: limit,
        sgr: None,
    }
}

/// The effect of the last SGR sequence among those of a block that start and
/// end at the bits of `starts` and `ends`, all complete and plain, read off
/// the classes of its bytes: a sequence is an SGR if its final byte is `m`,
/// and resets if its parameters are all `0`, as
/// [`parse_plain_csi`](crate::text::escape::parse_plain_csi) reads it
/// (`plain_run_reads_what_units_would` holds the two together). Parsing the
/// sequence again cost colour output two or three mispredicted branches a
/// block.
fn last_sgr(classes: &BlockClasses, starts: u64, ends: u64) -> Option<Effect> {
    let end = 63u32.checked_sub((ends & classes.sgr_finals).leading_zeros())?;
    let start = highest_below(starts, end);
    // Between `ESC [` and the final byte.
    let params = below(end) & !below(start + 2);
    Some(Effect::Sgr {
        resets: params & !classes.zeros == 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Random;
    use crate::text::escape::parse_plain_csi;

    /// What [`plain_run`] reads, one unit at a time: the blocks it reads are
    /// 64 bytes from the start, each followed by a byte, and no unit
    /// crosses a block's end.
    fn plain_run_unit_by_unit(
        bytes: &[u8],
        mut col: usize,
        limit: usize,
        tab_width: usize,
    ) -> Option<PlainRun> {
        let mut pos = 0;
        let mut sgr = None;
        let mut block_end = BLOCK;
        while block_end < bytes.len() {
            if pos == block_end {
                block_end += BLOCK;
                continue;
            }
            if let Some((len, effect)) = parse_plain_csi(&bytes[pos..block_end]) {
                if effect == Effect::Mode {
                    break;
                }
                pos += len;
                if let Effect::Sgr { .. } = effect {
                    sgr = Some(effect);
                }
                continue;
            }
            let next_col = match bytes[pos] {
                0x20..=0x7e => col + 1,
                b'\t' => next_tab_stop(col, tab_width),
                _ => break,
            };
            if !bytes[pos + 1].is_ascii() || next_col > limit {
                break;
            }
            pos += 1;
            col = next_col;
        }
        (pos > 0).then_some(PlainRun { len: pos, col, sgr })
    }

    #[test]
    fn plain_run_reads_what_units_would() {
        // Text and tabs, as in tab-separated values, with what ends a run.
        let text: [&[u8]; 7] = [
            b"x",
            b"word ",
            b"0;1",
            b"\t",
            "\u{301}".as_bytes(),
            "\u{e9}".as_bytes(),
            b"\n",
        ];
        let codes: [&[u8]; 11] = [
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
        ];
        let plain = [&text[..4], &codes[..7]].concat();
        let mixed = [&text[..], &codes[..]].concat();
        let mut random = Random::new(0x2545_f491_4f6c_dd1d);
        for _ in 0..200_000 {
            // Mostly plain text, tabs and colour codes, so that runs go on
            // for blocks.
            let pieces = [&text[..], &plain, &plain, &mixed][random.below(4)];
            let mut bytes = Vec::new();
            for _ in 0..random.below(90) {
                bytes.extend_from_slice(pieces[random.below(pieces.len())]);
            }
            let col = random.below(10);
            let limit = col + random.below(200);
            let tab_width = [1, 3, 4, 8][random.below(4)];
            assert_eq!(
                plain_run(&bytes, col, limit, tab_width),
                plain_run_unit_by_unit(&bytes, col, limit, tab_width),
                "{:?} from {col} to {limit}, tabs every {tab_width}",
                String::from_utf8_lossy(&bytes)
            );
        }
    }

    #[test]
    fn the_byte_before_a_mark_after_a_block_is_left_to_the_mark() {
        for filler in [&b"x"[..], b"a\t"] {
            let mut bytes = filler.repeat(BLOCK).split_at(BLOCK).0.to_vec();
            bytes.extend_from_slice("\u{301}".as_bytes());
            let run = plain_run(&bytes, 0, 1000, 8).unwrap();
            assert_eq!(
                Some(run),
                plain_run_unit_by_unit(&bytes, 0, 1000, 8),
                "{filler:?}"
            );
            assert!(run.len < BLOCK, "{filler:?}");
        }
    }
}
