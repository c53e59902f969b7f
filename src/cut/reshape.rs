//! Keeping the end or the middle of a cut line, and skipping its first columns.
//!
//! Keeping the start of a line is the fast path in [`super::start`]; the other
//! ways of cutting go unit by unit through two stages. The first drops the
//! first `skip` columns (`Skip`); the second (`Keep`) keeps up to
//! `head_width` columns from the start and `tail_width` from the end of what
//! remains, with the marker between them: the head alone keeps the start, the
//! tail alone the end, both the middle. The tail is a window that slides along
//! the line, so memory stays bounded whatever its length.

use std::collections::VecDeque;
use std::io::{self, Write};

use super::options::{KeepPart, Options};
use crate::simd::{LineEnd, printable_ascii_prefix};
use crate::text::escape::{ESC, Effect, HYPERLINK_CLOSE, SGR_RESET, unit_input};
use crate::text::modes::{CANCEL_ANY, Modes, Reading};
use crate::text::{Kind, Scanner};

/// Colour and link sequences that are in force, so that they can be written
/// again where the kept text resumes after a gap.
#[derive(Clone, Debug, Default)]
struct Replay {
    /// The SGR sequences since the last full reset, in order.
    sgr: Vec<u8>,
    /// The OSC 8 sequence that opened the link now open.
    link: Vec<u8>,
}

/// More SGR sequences than this without a reset are not replayed in full: the
/// oldest are forgotten. No real colouring comes near it.
const MAX_REPLAY: usize = 1024;

/// The most bytes, and units, the window holds. While the line may still
/// fit, what passes the bound is written at once, as the head would be (the
/// tail then has that many columns less, should the line not fit); after
/// the cut, the tail keeps its last bytes. Memory stays a few MiB whatever
/// the width.
const MAX_WINDOW: usize = 1024 * 1024;
const MAX_WINDOW_UNITS: usize = 16 * 1024;

impl Replay {
    fn apply(&mut self, effect: Effect, bytes: &[u8]) {
        match effect {
            Effect::Sgr { resets: true } => self.sgr.clear(),
            Effect::Sgr { resets: false } => {
                if self.sgr.len() + bytes.len() > MAX_REPLAY {
                    self.sgr.clear();
                }
                self.sgr.extend_from_slice(bytes);
            }
            Effect::Hyperlink { opens: true } => {
                self.link.clear();
                self.link.extend_from_slice(bytes);
            }
            Effect::Hyperlink { opens: false } => self.link.clear(),
            Effect::None | Effect::Mode | Effect::Unbounded => {}
        }
    }

    fn clear(&mut self) {
        self.sgr.clear();
        self.link.clear();
    }
}

/// How many bytes at the start of `bytes` are printable ASCII characters
/// known to end where the next byte starts: all but the last of a run, unless
/// what follows the run is ASCII or the end of the input.
fn ascii_run(bytes: &[u8], eof: bool) -> usize {
    let printable = printable_ascii_prefix(bytes);
    match bytes.get(printable) {
        Some(next) if next.is_ascii() => printable,
        None if eof => printable,
        _ => printable.saturating_sub(1),
    }
}

/// A unit as the keep stage sees it.
#[derive(Clone, Copy, Debug)]
struct Piece {
    kind: Kind,
    /// Columns it takes in a kept tail: a tab is written there as this many
    /// spaces, and a carriage return takes none.
    tail_width: usize,
    /// A run of printable ASCII, one column a byte, which may lose bytes
    /// from its front.
    ascii: bool,
}

/// The cutter for every way of cutting but keeping the start without a skip.
#[derive(Debug)]
pub(super) struct Reshaper {
    width: usize,
    /// The columns for text: the width less the marker's.
    text_width: usize,
    head_width: usize,
    tail_width: usize,
    marker: Vec<u8>,
    tab_width: usize,
    terminator: u8,
    line_end: LineEnd,
    skip: Skip,
    keep: Keep,
    /// The current line has had a unit: it ends even without a terminator.
    in_line: bool,
    /// The last unit of the line was a CR, which a newline makes a CRLF.
    after_cr: bool,
}

/// Drops the first `columns` columns of a line.
#[derive(Debug, Default)]
struct Skip {
    columns: usize,
    col: usize,
    /// Colours and link in force in what was dropped.
    replay: Replay,
    /// Spaces and replayed sequences made up for the keep stage.
    made: Vec<u8>,
}

#[derive(Debug, Default)]
struct Keep {
    phase: Phase,
    /// The column of the line so far, as when keeping the start: the line fits
    /// while it stays within the width.
    col: usize,
    /// What the head leaves on.
    head_sgr_on: bool,
    head_link_open: bool,
    head_modes: Modes,
    /// What a terminal reads after the head, which may hold an escape
    /// sequence broken off; and whether the head holds one with no end
    /// within the bound.
    head_reading: Reading,
    head_unbounded: bool,
    /// Colours and link in force where the window starts.
    replay: Replay,
    /// The units after the head: all of them until the line is known not to
    /// fit, then the last ones that fit in `tail_budget`.
    window: VecDeque<(usize, Piece)>,
    window_bytes: VecDeque<u8>,
    window_width: usize,
    /// The column where the window starts, while the line may still fit.
    window_col: usize,
    /// The columns the tail may take: the reshaper's `tail_width`, less
    /// what was written past the head while the window was full.
    tail_budget: usize,
}

impl Keep {
    /// Drops the first unit of the window; the colours and link it sets are
    /// in force where the window now starts.
    fn pop_front(&mut self) -> Option<Piece> {
        let (len, piece) = self.window.pop_front()?;
        self.window_width -= piece.tail_width;
        if let Kind::Escape(effect) = piece.kind {
            let bytes = &self.window_bytes.make_contiguous()[..len];
            self.replay.apply(effect, bytes);
        }
        self.window_bytes.drain(..len);
        Some(piece)
    }

    /// Appends printable ASCII to the window, as one unit that may be split.
    fn push_text(&mut self, text: &[u8]) {
        if text.is_empty() {
            return;
        }
        let piece = Piece {
            kind: Kind::Text { width: text.len() },
            tail_width: text.len(),
            ascii: true,
        };
        self.window.push_back((text.len(), piece));
        self.window_bytes.extend(text);
        self.window_width = self.window_width.saturating_add(text.len());
    }

    /// Writes a unit of the head, noting what it leaves on.
    fn write_head<W: Write + ?Sized>(
        &mut self,
        bytes: &[u8],
        kind: Kind,
        out: &mut W,
    ) -> io::Result<()> {
        out.write_all(bytes)?;
        if kind == Kind::Control && bytes.first() == Some(&ESC) {
            self.head_reading = Reading::of_fragment(bytes);
        } else {
            self.head_reading = self.head_reading.after(bytes);
        }
        if let Kind::Escape(effect) = kind {
            match effect {
                Effect::Sgr { resets } => self.head_sgr_on = !resets,
                Effect::Hyperlink { opens } => self.head_link_open = opens,
                Effect::Mode => self.head_modes.record(bytes),
                Effect::Unbounded => self.head_unbounded = true,
                Effect::None => {}
            }
        }
        Ok(())
    }

    /// Drops the whole window at once, as [`Keep::pop_front`] would unit by unit.
    fn drop_window(&mut self) {
        let Keep {
            window,
            window_bytes,
            replay,
            ..
        } = self;
        let mut bytes = &*window_bytes.make_contiguous();
        for &(len, piece) in window.iter() {
            let unit;
            (unit, bytes) = bytes.split_at(len);
            if let Kind::Escape(effect) = piece.kind {
                replay.apply(effect, unit);
            }
        }
        window.clear();
        window_bytes.clear();
        self.window_width = 0;
    }

    /// Ready for the next line, whose tail may take `tail_width` columns,
    /// keeping the buffers' room.
    fn clear(&mut self, tail_width: usize) {
        self.window_col = 0;
        self.tail_budget = tail_width;
        self.phase = Phase::Head;
        self.col = 0;
        self.head_sgr_on = false;
        self.head_link_open = false;
        self.head_modes.clear();
        self.head_reading = Reading::Text;
        self.head_unbounded = false;
        self.replay.clear();
        self.window.clear();
        self.window_bytes.clear();
        self.window_width = 0;
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Phase {
    #[default]
    Head,
    Held,
    Cut,
}

impl Reshaper {
    pub(super) fn new(options: &Options, marker: Vec<u8>, marker_width: usize) -> Self {
        // No limit still skips.
        let width = if options.width == 0 {
            usize::MAX
        } else {
            options.width
        };
        let text_width = width - marker_width;
        let head_width = match options.keep {
            KeepPart::Start => text_width,
            KeepPart::End => 0,
            KeepPart::Middle => text_width.div_ceil(2),
        };
        Reshaper {
            width,
            text_width,
            head_width,
            tail_width: text_width - head_width,
            marker,
            tab_width: options.tab_width,
            terminator: options.terminator,
            line_end: LineEnd::new(options.terminator),
            skip: Skip {
                columns: options.skip,
                ..Skip::default()
            },
            keep: Keep {
                tail_budget: text_width - head_width,
                ..Keep::default()
            },
            in_line: false,
            after_cr: false,
        }
    }

    /// Drops the first `columns` columns of the next line (and of those
    /// after it, until told otherwise).
    pub(super) fn skip_next_line(&mut self, columns: usize) {
        debug_assert!(self.at_line_start());
        self.skip.columns = columns;
    }

    /// Nothing of a line has been taken since the last one ended.
    pub(super) fn at_line_start(&self) -> bool {
        !self.in_line
    }

    /// As [`super::Cutter::process`].
    pub(super) fn process<W: Write + ?Sized>(
        &mut self,
        scanner: &mut Scanner,
        input: &[u8],
        eof: bool,
        out: &mut W,
    ) -> io::Result<usize> {
        let mut pos = 0;
        while pos < input.len() {
            if input[pos] == self.terminator {
                self.end_line(true, out)?;
                pos += 1;
                continue;
            }
            if self.keep.phase == Phase::Cut && self.keep.tail_budget == 0 {
                // Nothing more of this line is written: on to its end.
                let rest = &input[pos..];
                // The byte at `pos` is not the terminator: `len` is at least 1.
                let len = self.line_end.find(rest).unwrap_or(rest.len());
                self.after_cr = rest[len - 1] == b'\r';
                pos += len;
                continue;
            }
            if self.skip.col < self.skip.columns {
                // Whole units before the last skipped column go at once; the
                // one that reaches it is read alone, as it may be split.
                let limit = self.skip.columns - 1;
                let run = scanner.run(&input[pos..], self.skip.col, limit, self.tab_width, eof);
                if run.len > 0 {
                    self.in_line = true;
                    self.after_cr = false;
                    self.skip.col = run.col;
                    pos += run.len;
                    continue;
                }
            }
            let run = ascii_run(&input[pos..], eof);
            if run > 0 {
                let taken = self.take_ascii(&input[pos..pos + run], out)?;
                if taken > 0 {
                    self.in_line = true;
                    self.after_cr = false;
                    pos += taken;
                    continue;
                }
            }
            let (unit_input, complete) = unit_input(input, pos, eof, self.terminator);
            let Some(unit) = scanner.next(unit_input, complete) else {
                break;
            };
            self.in_line = true;
            self.after_cr = unit.kind == Kind::CarriageReturn;
            self.skip_unit(&input[pos..pos + unit.len], unit.kind, out)?;
            pos += unit.len;
        }
        if eof {
            debug_assert_eq!(pos, input.len());
            if self.in_line {
                self.end_line(false, out)?;
            }
        }
        Ok(pos)
    }

    /// Takes as much of a run of printable ASCII as the stage it reaches
    /// handles the same way byte after byte, at once; returns how much. Text
    /// gets here a byte at a time only where a stage changes.
    fn take_ascii<W: Write + ?Sized>(&mut self, run: &[u8], out: &mut W) -> io::Result<usize> {
        if self.skip.col < self.skip.columns {
            let taken = run.len().min(self.skip.columns - self.skip.col);
            self.skip.col = self.skip.col.saturating_add(taken);
            if self.skip.col == self.skip.columns {
                self.replay_skipped(out)?;
            }
            return Ok(taken);
        }
        let keep = &mut self.keep;
        let taken = match keep.phase {
            Phase::Head if self.head_width > 0 || self.tail_width == 0 => {
                let taken = run.len().min(self.head_width - keep.col);
                out.write_all(&run[..taken])?;
                keep.col = keep.col.saturating_add(taken);
                keep.head_reading = keep.head_reading.after(&run[..taken]);
                taken
            }
            Phase::Head => 0,
            Phase::Held => {
                let taken = run.len().min(self.width - keep.col);
                keep.col = keep.col.saturating_add(taken);
                keep.push_text(&run[..taken]);
                self.bound_window(out)?;
                taken
            }
            Phase::Cut if run.len() > 1 => {
                // The window ends with the run's last `tail_width` bytes, or
                // with all of it after the window's last units that still fit.
                let kept = &run[run.len().saturating_sub(keep.tail_budget)..];
                if kept.len() < run.len() {
                    // Everything in the window before the run goes.
                    keep.drop_window();
                }
                keep.col = keep.col.saturating_add(run.len());
                keep.push_text(kept);
                self.trim_window();
                self.bound_window(out)?;
                run.len()
            }
            Phase::Cut => 0,
        };
        self.skip.col = self.skip.col.saturating_add(taken);
        Ok(taken)
    }

    /// The skip stage: passes on what lies past the skipped columns.
    fn skip_unit<W: Write + ?Sized>(
        &mut self,
        bytes: &[u8],
        kind: Kind,
        out: &mut W,
    ) -> io::Result<()> {
        let skip = &mut self.skip;
        let start = skip.col;
        skip.col = kind.advance(start, self.tab_width);
        if let Kind::CarriageReturn = kind {
            return self.keep_unit(bytes, kind, 0, out);
        }
        let width = skip.col - start;
        if start >= skip.columns {
            if let Kind::Tab = kind {
                // Past a skip the tab stops of the output are not those of the
                // input: write the columns the tab took in the input as spaces.
                if skip.columns > 0 {
                    return self.made_unit(b' ', width, out);
                }
            }
            return self.keep_unit(bytes, kind, width, out);
        }
        if let Kind::Escape(effect) = kind {
            skip.replay.apply(effect, bytes);
        }
        if skip.col > skip.columns {
            // A wide character or tab across the skip boundary: its columns
            // past the boundary become spaces, after the colours in force.
            let past = skip.col - skip.columns;
            self.replay_skipped(out)?;
            return self.made_unit(b' ', past, out);
        }
        if skip.col == skip.columns && width > 0 {
            self.replay_skipped(out)?;
        }
        Ok(())
    }

    /// Passes on the colours and link that the skipped columns left on.
    fn replay_skipped<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        let replay = std::mem::take(&mut self.skip.replay);
        for (bytes, effect) in [
            (&replay.sgr, Effect::Sgr { resets: false }),
            (&replay.link, Effect::Hyperlink { opens: true }),
        ] {
            if !bytes.is_empty() {
                self.keep_unit(bytes, Kind::Escape(effect), 0, out)?;
            }
        }
        Ok(())
    }

    /// Passes on `count` copies of `byte`, as text of that many columns.
    fn made_unit<W: Write + ?Sized>(
        &mut self,
        byte: u8,
        count: usize,
        out: &mut W,
    ) -> io::Result<()> {
        let mut made = std::mem::take(&mut self.skip.made);
        made.clear();
        made.resize(count, byte);
        let result = self.keep_unit(&made, Kind::Text { width: count }, count, out);
        self.skip.made = made;
        result
    }

    /// The keep stage.
    fn keep_unit<W: Write + ?Sized>(
        &mut self,
        bytes: &[u8],
        kind: Kind,
        tail_width: usize,
        out: &mut W,
    ) -> io::Result<()> {
        let keep = &mut self.keep;
        let next_col = kind.advance(keep.col, self.tab_width);
        let piece = Piece {
            kind,
            tail_width,
            ascii: false,
        };
        if keep.phase == Phase::Head {
            // Keeping the end, a leading escape sequence is replayed after the
            // marker rather than written before it.
            let head_open = self.head_width > 0 || self.tail_width == 0;
            if head_open && next_col <= self.head_width {
                keep.col = next_col;
                if let Kind::Escape(effect) = kind {
                    keep.replay.apply(effect, bytes);
                }
                return keep.write_head(bytes, kind, out);
            }
            keep.phase = Phase::Held;
            keep.window_col = keep.col;
        }
        keep.col = next_col;
        if keep.phase == Phase::Held && next_col > self.width {
            keep.phase = Phase::Cut;
        }
        keep.window.push_back((bytes.len(), piece));
        keep.window_bytes.extend(bytes);
        keep.window_width = keep.window_width.saturating_add(tail_width);
        if keep.phase == Phase::Cut {
            self.trim_window();
        }
        self.bound_window(out)
    }

    /// Drops units from the front of the window until it fits the tail; of
    /// a run of ASCII, only what does not fit.
    fn trim_window(&mut self) {
        let keep = &mut self.keep;
        loop {
            let over = keep.window_width.saturating_sub(keep.tail_budget);
            if over == 0 && (keep.tail_budget > 0 || keep.window.is_empty()) {
                break;
            }
            if let Some((len, piece)) = keep.window.front_mut()
                && piece.ascii
                && over > 0
                && *len > over
            {
                *len -= over;
                piece.kind = Kind::Text { width: *len };
                piece.tail_width = *len;
                keep.window_width -= over;
                keep.window_bytes.drain(..over);
                break;
            }
            if keep.pop_front().is_none() {
                break;
            }
        }
    }

    /// Keeps the window within its bounds: while the line may still fit, by
    /// writing its first units as part of the head, as far as the head may
    /// reach; otherwise, or past that, by dropping them (the line is then
    /// taken as cut there).
    fn bound_window<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        loop {
            let keep = &mut self.keep;
            if keep.window_bytes.len() <= MAX_WINDOW && keep.window.len() <= MAX_WINDOW_UNITS {
                return Ok(());
            }
            if keep.phase != Phase::Held {
                keep.pop_front();
                continue;
            }
            let Some(&(len, piece)) = keep.window.front() else {
                return Ok(());
            };
            let room = self.text_width - keep.window_col.min(self.text_width);
            let (len, end) = if piece.ascii {
                let len = len.min(room);
                (len, keep.window_col + len)
            } else {
                (len, piece.kind.advance(keep.window_col, self.tab_width))
            };
            if len == 0 || end > self.text_width {
                // Past where the head may reach, a line this long in bytes
                // within the width is taken as cut.
                keep.phase = Phase::Cut;
                self.trim_window();
                continue;
            }
            let bytes: Vec<u8> = keep.window_bytes.drain(..len).collect();
            let kind = if piece.ascii {
                let (left, front) = keep.window.front_mut().expect("the front unit");
                *left -= len;
                front.kind = Kind::Text { width: *left };
                front.tail_width = *left;
                if *left == 0 {
                    keep.window.pop_front();
                }
                keep.window_width -= len;
                Kind::Text { width: len }
            } else {
                keep.window.pop_front();
                keep.window_width -= piece.tail_width;
                if let Kind::Escape(effect) = piece.kind {
                    keep.replay.apply(effect, &bytes);
                }
                piece.kind
            };
            keep.write_head(&bytes, kind, out)?;
            keep.window_col = end;
            keep.tail_budget = keep.tail_budget.min(self.text_width - end);
        }
    }

    fn end_line<W: Write + ?Sized>(&mut self, terminated: bool, out: &mut W) -> io::Result<()> {
        let keep = &mut self.keep;
        if keep.phase != Phase::Cut {
            let (front, back) = keep.window_bytes.as_slices();
            out.write_all(front)?;
            out.write_all(back)?;
        } else {
            // A CR before the newline is the line ending, not part of the tail.
            let crlf = terminated && self.terminator == b'\n' && self.after_cr;
            let cr_in_window = matches!(
                keep.window.back(),
                Some((_, piece)) if piece.kind == Kind::CarriageReturn
            );
            if crlf && cr_in_window {
                keep.window.pop_back();
                keep.window_bytes.pop_back();
            }
            if keep.head_unbounded {
                out.write_all(CANCEL_ANY)?;
            } else if keep.head_reading != Reading::Text {
                out.write_all(keep.head_reading.ending())?;
            }
            if keep.head_link_open {
                out.write_all(HYPERLINK_CLOSE)?;
            }
            if keep.head_sgr_on {
                out.write_all(SGR_RESET)?;
            }
            keep.head_modes.restore(out)?;
            out.write_all(&self.marker)?;
            // Sequences at the front of the tail only change what is replayed,
            // and marks there lost their base: written after the marker, they
            // would join it into a cluster of another width.
            while let Some((_, piece)) = keep.window.front()
                && matches!(
                    piece.kind,
                    Kind::Escape(Effect::None | Effect::Sgr { .. } | Effect::Hyperlink { .. })
                        | Kind::Text { width: 0 }
                )
            {
                keep.pop_front();
            }
            if !keep.window.is_empty() {
                out.write_all(&keep.replay.sgr)?;
                out.write_all(&keep.replay.link)?;
                // Written as it came, but for tabs, in runs between them.
                let bytes = &*keep.window_bytes.make_contiguous();
                let mut written = 0;
                let mut at = 0;
                for &(len, piece) in &keep.window {
                    match piece.kind {
                        Kind::Tab => {
                            out.write_all(&bytes[written..at])?;
                            for _ in 0..piece.tail_width {
                                out.write_all(b" ")?;
                            }
                            written = at + len;
                        }
                        Kind::Escape(effect) => keep.replay.apply(effect, &bytes[at..at + len]),
                        _ => {}
                    }
                    at += len;
                }
                out.write_all(&bytes[written..at])?;
                let tail_state = &keep.replay;
                if !tail_state.link.is_empty() {
                    out.write_all(HYPERLINK_CLOSE)?;
                }
                if !tail_state.sgr.is_empty() {
                    out.write_all(SGR_RESET)?;
                }
            }
            if crlf {
                out.write_all(b"\r")?;
            }
        }
        if terminated {
            out.write_all(&[self.terminator])?;
        }
        self.keep.clear(self.tail_width);
        self.skip.col = 0;
        self.skip.replay.clear();
        self.in_line = false;
        self.after_cr = false;
        Ok(())
    }
}
