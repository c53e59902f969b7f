//! Keeping the start of a cut line: the way of cutting nearly every run
//! takes, and the one tuned for speed. Lines that fit are copied in runs,
//! and the rest of a cut line is skipped to its terminator without being
//! read unit by unit.

use std::io::{self, Write};

use memchr::memchr;

use crate::simd::{LineEnd, printable_ascii_prefix};
use crate::text::escape::{self, ESC, Effect, Escape, HYPERLINK_CLOSE, SGR_RESET, unit_input};
use crate::text::modes::{CANCEL_ANY, Modes, Reading};
use crate::text::plain;
use crate::text::scanner::MAX_UNIT_LEN;
use crate::text::{Kind, Run, Scanner};

/// With a marker, the units between the marker's column and the width are held
/// back until the line is known to fit or not. They span at most the marker's
/// width in columns, but zero-width units (escape sequences, combining marks,
/// controls, and text after a carriage return) could make them any length:
/// past this many bytes they are written, and should the line not fit after
/// all, it is cut at the width without a marker.
pub(super) const MAX_HELD: usize = 64 * 1024;

/// The most input that [`KeepStart::process`] leaves unconsumed when more
/// input is to come.
pub(super) const MAX_UNDECIDED: usize = MAX_HELD + 2 * MAX_UNIT_LEN;

/// The cutter that keeps the start of each line.
#[derive(Debug)]
pub(super) struct KeepStart {
    width: usize,
    /// The columns the text of a cut line may take: `width` less the marker's.
    text_width: usize,
    /// The marker, fitted to the width.
    marker: Vec<u8>,
    tab_width: usize,
    terminator: u8,
    line_end: LineEnd,
    line: Line,
    /// The modes switched by what was written of the current line, if its
    /// flags have [`MODES`].
    modes: Modes,
    /// The first bytes of the input not yet consumed that were written
    /// already: a character at the end of a read, shown before it is known
    /// whether more of its cluster follows.
    shown: usize,
}

/// Where the current line stands, as of the last byte consumed.
#[derive(Clone, Copy, Debug, Default)]
struct Line {
    phase: Phase,
    /// The column after the units consumed so far.
    col: usize,
    /// What the output so far leaves on, and what a cut must undo: the
    /// flags below. One test of them a cut line, where most lines have
    /// none.
    flags: u8,
    /// What a terminal is reading after the output so far, if it holds a
    /// sequence broken off (with [`AFTER_FRAGMENT`]).
    reading: Reading,
}

/// The output so far leaves a colour or attribute on.
const SGR_ON: u8 = 1;
/// The output so far leaves an OSC 8 hyperlink open.
const LINK_OPEN: u8 = 2;
/// The output so far holds an escape sequence broken off (`ESC [ 1` before
/// a byte that cannot go on with it) and nothing since that would end it in
/// every terminal: what is written after a cut could go on with it.
const AFTER_FRAGMENT: u8 = 4;
/// The output so far holds a sequence with no end within the bound: a
/// terminal may still be reading it.
const UNBOUNDED: u8 = 8;
/// The output so far switched a mode (the modes say which).
const MODES: u8 = 16;
/// More was held back for the marker than the bound: the line takes no
/// marker, and its text the whole width.
const UNMARKED: u8 = 32;

/// What a cut must write after the kept text.
const TO_RESTORE: u8 = SGR_ON | LINK_OPEN | AFTER_FRAGMENT | UNBOUNDED | MODES;

impl Line {
    fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    fn set(&mut self, flag: u8, on: bool) {
        if on {
            self.flags |= flag;
        } else {
            self.flags &= !flag;
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Phase {
    /// Nothing of the line consumed yet.
    #[default]
    Start,
    /// Part of the line consumed and written; no cut yet.
    Middle,
    /// Cut and marked: the rest of the line is dropped up to its terminator.
    /// `after_cr`: the last byte dropped was a CR, which may start a CRLF.
    Skipping { after_cr: bool },
}

/// How the part of a line at hand ends.
enum Scan {
    /// The line fits; it ends at `end`, its terminator or the end of the input.
    Fits { end: usize },
    /// The line does not fit: keep the input up to `keep_end`.
    Cut { keep_end: usize },
    /// Decided up to `decided`; what follows needs more input.
    Undecided { decided: usize },
}

impl KeepStart {
    /// Cuts to `width` columns, of which the `marker` takes `marker_width`.
    pub(super) fn new(
        width: usize,
        marker: Vec<u8>,
        marker_width: usize,
        tab_width: usize,
        terminator: u8,
    ) -> Self {
        KeepStart {
            width,
            text_width: width - marker_width,
            marker,
            tab_width,
            terminator,
            line_end: LineEnd::new(terminator),
            line: Line::default(),
            modes: Modes::default(),
            shown: 0,
        }
    }

    /// Nothing of a line has been consumed since the last one ended.
    pub(super) fn at_line_start(&self) -> bool {
        self.line.phase == Phase::Start
    }

    /// As [`super::Cutter::process`].
    pub(super) fn process<W: Write + ?Sized>(
        &mut self,
        scanner: &mut Scanner,
        input: &[u8],
        eof: bool,
        out: &mut W,
    ) -> io::Result<usize> {
        self.cut::<W, false>(scanner, input, eof, out)
    }

    /// Writes the lines at the start of `lines` (whole lines, from a line's
    /// start) that fit, and returns where the first that does not fit starts,
    /// or the end.
    pub(super) fn fitting_lines<W: Write + ?Sized>(
        &mut self,
        scanner: &mut Scanner,
        lines: &[u8],
        out: &mut W,
    ) -> io::Result<usize> {
        debug_assert!(self.at_line_start() && lines.last() == Some(&self.terminator));
        self.cut::<W, true>(scanner, lines, true, out)
    }

    /// [`Self::process`], or with `STOP_BEFORE_CUT` [`Self::fitting_lines`].
    #[inline(always)]
    fn cut<W: Write + ?Sized, const STOP_BEFORE_CUT: bool>(
        &mut self,
        scanner: &mut Scanner,
        input: &[u8],
        eof: bool,
        out: &mut W,
    ) -> io::Result<usize> {
        if self.width == 0 {
            out.write_all(input)?;
            return Ok(input.len());
        }
        // Output that is a copy of the input is written in runs, not unit by
        // unit; what was shown at the end of the last read is not written again.
        let mut copied_from = std::mem::take(&mut self.shown);
        let mut pos = 0;
        while pos < input.len() {
            if let Phase::Skipping { after_cr } = self.line.phase {
                let Some(offset) = self.line_end.find(&input[pos..]) else {
                    self.line.phase = Phase::Skipping {
                        after_cr: input.last() == Some(&b'\r'),
                    };
                    pos = input.len();
                    copied_from = pos;
                    break;
                };
                let end = pos + offset;
                let crlf = self.terminator == b'\n'
                    && if offset > 0 {
                        input[end - 1] == b'\r'
                    } else {
                        after_cr
                    };
                copied_from = end;
                if crlf {
                    if offset > 0 {
                        copied_from -= 1;
                    } else {
                        out.write_all(b"\r")?;
                    }
                }
                pos = end + 1;
                self.line = Line::default();
                continue;
            }
            let mut known = None;
            let line_start = pos;
            if self.line.phase == Phase::Start {
                // The width may be any number: the window ends with the input first.
                let window = &input[pos..input
                    .len()
                    .min(pos.saturating_add(self.width).saturating_add(1))];
                // Printable ASCII takes one column a byte.
                let printable = printable_ascii_prefix(window);
                if printable > self.width {
                    known = Some(Scan::Cut {
                        keep_end: pos + self.text_width,
                    });
                } else if window.get(printable) == Some(&self.terminator) {
                    pos += printable + 1;
                    continue;
                } else if window.get(printable) == Some(&b'\t') {
                    known = self.scan_plain_line(input, pos);
                } else if window.get(printable) != Some(&ESC)
                    && let Some(len) = self.line_end.find(&window[printable..])
                    && memchr(b'\t', &window[printable..printable + len]).is_none()
                {
                    // No longer in bytes than the width, and no tab to widen
                    // it: no character takes more columns than it has bytes.
                    // (Colour output, mostly longer than the width, is left
                    // to the block reader: the search would rarely pay.)
                    pos += printable + len + 1;
                    continue;
                }
            }
            self.line.phase = Phase::Middle;
            let scan = match known {
                Some(scan) => scan,
                None => self.scan(scanner, input, pos, eof),
            };
            match scan {
                Scan::Fits { end } => {
                    pos = (end + 1).min(input.len());
                    self.line = Line::default();
                }
                Scan::Cut { .. } if STOP_BEFORE_CUT => {
                    self.line = Line::default();
                    pos = line_start;
                    break;
                }
                Scan::Cut { keep_end } => {
                    // What was shown at a read's end stays shown, should
                    // what followed it have pushed it past the width.
                    if copied_from < keep_end {
                        out.write_all(&input[copied_from..keep_end])?;
                    }
                    if self.line.has(TO_RESTORE) {
                        self.restore_terminal(out)?;
                    }
                    if !self.marker.is_empty() && !self.line.has(UNMARKED) {
                        out.write_all(&self.marker)?;
                    }
                    self.line.phase = Phase::Skipping { after_cr: false };
                    pos = keep_end;
                    copied_from = pos;
                }
                Scan::Undecided { decided } => {
                    pos = decided;
                    break;
                }
            }
        }
        if copied_from < pos {
            out.write_all(&input[copied_from..pos])?;
        }
        if !eof {
            let shown = copied_from
                .saturating_sub(pos)
                .max(self.showable(input, pos));
            if pos + shown > copied_from.max(pos) {
                out.write_all(&input[copied_from.max(pos)..pos + shown])?;
            }
            self.shown = shown;
        }
        debug_assert!(eof || input.len() - pos <= MAX_UNDECIDED);
        if eof {
            debug_assert!(STOP_BEFORE_CUT || pos == input.len());
            // The next input starts a line of its own.
            self.line = Line::default();
        }
        Ok(pos)
    }

    /// Reads the units of the current line from `input[start..]` and updates
    /// the line's state for those decided. With `eof`, the input ends there.
    #[inline(always)]
    fn scan(&mut self, scanner: &mut Scanner, input: &[u8], start: usize, eof: bool) -> Scan {
        let mut col = self.line.col;
        let mut pos = start;
        // Units before `decided` are part of the output; from `held_from` on they
        // are past the marker's column, and kept only if the whole line fits.
        let mut decided = start;
        let mut held_from = None;
        loop {
            let text_width = if self.line.has(UNMARKED) {
                self.width
            } else {
                self.text_width
            };
            let limit = if held_from.is_some() {
                self.width
            } else {
                text_width
            };
            // Colour output and tab-separated text are read a block at a
            // time, from their first colour code or tab, or from the line's
            // start if it starts plain.
            let plain = match input[pos..] {
                [ESC, b'[', ..] | [b'\t', ..] => true,
                _ => pos == start && plain::starts_plain(&input[pos..]),
            };
            if held_from.is_none()
                && plain
                && let Some(run) = plain::plain_run(&input[pos..], col, limit, self.tab_width)
            {
                self.note_kept(&input[pos..pos + run.len]);
                pos += run.len;
                col = run.col;
                decided = pos;
                self.line.col = col;
                if let Some(effect) = run.sgr {
                    self.apply(effect);
                }
                if self.is_full_before(col, input.get(pos)) {
                    return Scan::Cut { keep_end: pos };
                }
                continue;
            }
            // Colour codes come in runs: none of them is for the scanner.
            let run = if input.get(pos) == Some(&ESC) {
                Run {
                    len: 0,
                    col,
                    full: false,
                }
            } else {
                scanner.run(&input[pos..], col, limit, self.tab_width, eof)
            };
            pos += run.len;
            col = run.col;
            match held_from {
                None => {
                    self.note_kept(&input[decided..pos]);
                    decided = pos;
                    self.line.col = col;
                }
                Some(from) if pos - from > MAX_HELD => {
                    self.release_held(scanner, input, from, pos, eof);
                    held_from = None;
                    decided = pos;
                    self.line.col = col;
                }
                Some(_) => {}
            }
            if run.full && limit == self.width {
                return Scan::Cut { keep_end: decided };
            }
            let Some(&byte) = input.get(pos) else {
                return if eof {
                    Scan::Fits { end: pos }
                } else {
                    Scan::Undecided { decided }
                };
            };
            if byte == self.terminator {
                return Scan::Fits { end: pos };
            }
            // Colour codes come in runs between short words: take a whole CSI
            // sequence here, short of the general path. It takes no column and
            // cannot hold a terminator.
            if byte == ESC && held_from.is_none() {
                let csi = match escape::parse_plain_csi(&input[pos..]) {
                    Some(plain) => Some(plain),
                    None if input.get(pos + 1) == Some(&b'[') => {
                        match escape::parse(&input[pos..], eof) {
                            Escape::Complete { len, effect } => Some((len, effect)),
                            _ => None,
                        }
                    }
                    None => None,
                };
                if let Some((len, effect)) = csi {
                    self.apply_unit(effect, &input[pos..pos + len]);
                    pos += len;
                    decided = pos;
                    continue;
                }
            }
            let (unit_input, complete) = unit_input(input, pos, eof, self.terminator);
            let Some(unit) = scanner.next(unit_input, complete) else {
                return Scan::Undecided { decided };
            };
            let next_col = unit.kind.advance(col, self.tab_width);
            if next_col > self.width {
                return Scan::Cut { keep_end: decided };
            }
            if held_from.is_none() && next_col > text_width {
                held_from = Some(pos);
            }
            pos += unit.len;
            col = next_col;
            match held_from {
                None => {
                    decided = pos;
                    self.line.col = col;
                    self.note_unit(unit.kind, &input[pos - unit.len..pos]);
                }
                Some(from) if pos - from > MAX_HELD => {
                    self.release_held(scanner, input, from, pos, eof);
                    held_from = None;
                    decided = pos;
                    self.line.col = col;
                }
                Some(_) => {}
            }
        }
    }

    /// How the line from `start` ends, if the block reader alone decides it:
    /// a line of text and tabs (tab-separated values) either ends within the
    /// width or fills it before more text. Lines it leaves undecided are read
    /// again by [`Self::scan`]. With a marker, what follows the marker's
    /// column decides where the line is cut: that is left to the scan too.
    fn scan_plain_line(&mut self, input: &[u8], start: usize) -> Option<Scan> {
        if self.text_width != self.width {
            return None;
        }
        let run = plain::plain_run(&input[start..], 0, self.width, self.tab_width)?;
        let end = start + run.len;
        let next = input.get(end);
        let scan = if next == Some(&self.terminator) {
            Scan::Fits { end }
        } else if self.is_full_before(run.col, next) {
            Scan::Cut { keep_end: end }
        } else {
            return None;
        };
        if let Some(effect) = run.sgr {
            self.apply(effect);
        }
        Some(scan)
    }

    /// Whether a line at `col` has no room for the unit that starts with
    /// `next`: printable ASCII or a tab starts a unit of a column at least.
    fn is_full_before(&self, col: usize, next: Option<&u8>) -> bool {
        col == self.width && next.is_some_and(|&b| b == b'\t' || (0x20..0x7f).contains(&b))
    }

    fn apply(&mut self, effect: Effect) {
        match effect {
            Effect::None | Effect::Mode => {}
            Effect::Unbounded => self.line.set(UNBOUNDED, true),
            Effect::Sgr { resets } => self.line.set(SGR_ON, !resets),
            Effect::Hyperlink { opens } => self.line.set(LINK_OPEN, opens),
        }
    }

    /// Takes the units of `input[from..to]`, held back for the marker, as
    /// written: the line gets no marker.
    fn release_held(
        &mut self,
        scanner: &mut Scanner,
        input: &[u8],
        from: usize,
        to: usize,
        eof: bool,
    ) {
        self.line.set(UNMARKED, true);
        let mut at = from;
        while at < to {
            let (unit_input, complete) = unit_input(input, at, eof, self.terminator);
            let Some(unit) = scanner.next(unit_input, complete) else {
                break;
            };
            self.note_unit(unit.kind, &input[at..at + unit.len]);
            at += unit.len;
        }
    }

    /// How many bytes at `input[pos..]`, all that is left of the input, a
    /// prompt waiting for its answer may show now (`Continue [y/N]:`): one
    /// printable ASCII character, of a line not cut nor held back for the
    /// marker, with room to spare. Only what follows could still change
    /// whether it is kept: marks, a VS16 or a keycap joined to it, worth a
    /// column in real text, which the room covers (no emoji sequence starts
    /// with ASCII).
    fn showable(&self, input: &[u8], pos: usize) -> usize {
        const ROOM: usize = 2;
        let shows = matches!(input[pos..], [0x20..=0x7e])
            && self.line.phase == Phase::Middle
            && self.line.col + 1 + ROOM <= self.text_width;
        usize::from(shows)
    }

    /// Notes that `kept`, which holds no broken sequence, is written: after
    /// a broken one, the terminal is back to text once it has met a final
    /// byte or a new sequence.
    #[inline]
    fn note_kept(&mut self, kept: &[u8]) {
        if self.line.has(AFTER_FRAGMENT) {
            self.line.reading = self.line.reading.after(kept);
            self.line
                .set(AFTER_FRAGMENT, self.line.reading != Reading::Text);
        }
    }

    /// Notes what the unit `bytes`, of `kind`, which is written, leaves on.
    fn note_unit(&mut self, kind: Kind, bytes: &[u8]) {
        match kind {
            Kind::Control if bytes[0] == ESC => self.note_fragment(bytes),
            Kind::Escape(effect) => self.apply_unit(effect, bytes),
            _ => self.note_kept(bytes),
        }
    }

    /// Notes that `fragment`, a sequence broken off, is written.
    fn note_fragment(&mut self, fragment: &[u8]) {
        self.line.reading = Reading::of_fragment(fragment);
        self.line
            .set(AFTER_FRAGMENT, self.line.reading != Reading::Text);
    }

    /// [`Self::apply`] for the escape sequence `unit`, which may switch a mode.
    fn apply_unit(&mut self, effect: Effect, unit: &[u8]) {
        self.note_kept(unit);
        match effect {
            Effect::Mode => {
                // The modes of an earlier line are forgotten when this one
                // first switches one.
                if !self.line.has(MODES) {
                    self.modes.clear();
                    self.line.set(MODES, true);
                }
                self.modes.record(unit);
            }
            _ => self.apply(effect),
        }
    }

    /// After the kept part of a cut line: ends a sequence the terminal may
    /// still be reading, then switches off what the dropped part would have.
    fn restore_terminal<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        if self.line.has(UNBOUNDED) {
            out.write_all(CANCEL_ANY)?;
        } else if self.line.has(AFTER_FRAGMENT) {
            out.write_all(self.line.reading.ending())?;
        }
        if self.line.has(LINK_OPEN) {
            out.write_all(HYPERLINK_CLOSE)?;
        }
        if self.line.has(SGR_ON) {
            out.write_all(SGR_RESET)?;
        }
        if self.line.has(MODES) {
            self.modes.restore(out)?;
        }
        Ok(())
    }
}
