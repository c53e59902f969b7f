//! Showing the window of a cut line around the first match of a pattern.
//!
//! Lines that fit go to the engine that keeps the start, unsearched. Of a
//! line that does not, the start (up to [`LOOK_AHEAD`] bytes) is searched
//! before anything of it is written: with no match there, the line is cut
//! at its start too; otherwise the window is chosen, its first marker
//! written, and the line goes to a [`Reshaper`] that skips the columns
//! before the window and keeps the start of the rest.

use std::io::{self, Write};
use std::ops::Range;

use memchr::{memchr, memrchr};

use super::pattern::Finder;
use super::reshape::Reshaper;
use super::start::{KeepStart, MAX_UNDECIDED};
use crate::text::Scanner;
use crate::text::escape::ESC;

/// The most bytes of a line searched for the pattern: a match that starts
/// or ends past them is no match, and the line is cut at its start.
pub const LOOK_AHEAD: usize = 1024 * 1024;

/// More input than this is not taken at once to follow bytes that the
/// chosen engine left undecided.
const FOLLOW_UP: usize = 64 * 1024;

/// The cutter for `--around`.
#[derive(Debug)]
pub(super) struct Around {
    finder: Finder,
    width: usize,
    marker: Vec<u8>,
    marker_width: usize,
    tab_width: usize,
    terminator: u8,
    /// For the lines that fit or have no match.
    start: KeepStart,
    /// For the others; cuts to the width less the window's first marker.
    window: Reshaper,
    /// The engine the current line goes to, once chosen.
    chosen: Option<Chosen>,
    /// Before the choice, the start of the line read so far; after it, what
    /// the chosen engine has not consumed yet.
    pending: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Chosen {
    Start,
    Window,
}

/// Where a match lies in a line, in columns, and how wide the line is (as far
/// as it was read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
    widest: usize,
}

impl Around {
    /// `width` is more than `marker_width`; `window` cuts to their difference.
    pub(super) fn new(
        finder: Finder,
        width: usize,
        marker: Vec<u8>,
        marker_width: usize,
        tab_width: usize,
        terminator: u8,
        window: Reshaper,
    ) -> Self {
        debug_assert!(width > marker_width);
        Around {
            finder,
            width,
            start: KeepStart::new(width, marker.clone(), marker_width, tab_width, terminator),
            marker,
            marker_width,
            tab_width,
            terminator,
            window,
            chosen: None,
            pending: Vec::new(),
        }
    }

    /// Nothing of a line has been consumed since the last one ended.
    pub(super) fn at_line_start(&self) -> bool {
        self.chosen.is_none() && self.pending.is_empty()
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
        loop {
            let rest = &input[pos..];
            match self.chosen {
                None if self.pending.is_empty() => {
                    let (usual, window) = self.lines_as_usual(scanner, rest, out)?;
                    pos += usual;
                    if let Some((len, skip)) = window {
                        self.begin(skip, out)?;
                        pos += self.follow(scanner, &input[pos..pos + len], false, out)?;
                        continue;
                    }
                    // What is left has no line end within the look-ahead.
                    let rest = &input[pos..];
                    if rest.is_empty() {
                        return Ok(pos);
                    }
                    let ahead = &rest[..rest.len().min(LOOK_AHEAD)];
                    if ahead.len() < LOOK_AHEAD && !eof {
                        // Not enough of the line to choose yet. A short start
                        // comes back with more input, as with every way of
                        // cutting; a long one is kept, with room for the
                        // look-ahead at once.
                        if rest.len() <= MAX_UNDECIDED {
                            return Ok(pos);
                        }
                        self.pending.reserve_exact(LOOK_AHEAD);
                        self.pending.extend_from_slice(rest);
                        return Ok(input.len());
                    }
                    let complete = eof && ahead.len() == rest.len();
                    self.choose(scanner, ahead, complete, out)?;
                }
                None => {
                    // The line's start is pending: add to it up to its end or
                    // the look-ahead.
                    let room = LOOK_AHEAD - self.pending.len();
                    let ahead = &rest[..rest.len().min(room)];
                    let line_end = memchr(self.terminator, ahead);
                    let taken = line_end.map_or(ahead.len(), |end| end + 1);
                    self.pending.extend_from_slice(&ahead[..taken]);
                    pos += taken;
                    if line_end.is_none() && self.pending.len() < LOOK_AHEAD && !eof {
                        return Ok(pos);
                    }
                    let complete = line_end.is_some() || (eof && pos == input.len());
                    let pending = std::mem::take(&mut self.pending);
                    self.choose(scanner, &pending, complete, out)?;
                    self.pending = pending;
                }
                Some(_) if !self.pending.is_empty() => {
                    // Pending bytes first, with what follows them on the line.
                    if self.pending.last() != Some(&self.terminator) {
                        let line_rest =
                            memchr(self.terminator, rest).map_or(rest.len(), |end| end + 1);
                        let taken = line_rest.min(FOLLOW_UP);
                        self.pending.extend_from_slice(&rest[..taken]);
                        pos += taken;
                    }
                    let last = eof && pos == input.len();
                    let pending = std::mem::take(&mut self.pending);
                    let consumed = self.follow(scanner, &pending, last, out)?;
                    self.pending = pending;
                    self.pending.drain(..consumed);
                    if self.chosen.is_some() && pos == input.len() {
                        // The engine waits for more of the line.
                        return Ok(pos);
                    }
                }
                Some(_) => match memchr(self.terminator, rest) {
                    Some(end) => pos += self.follow(scanner, &rest[..=end], false, out)?,
                    None => {
                        pos += self.follow(scanner, rest, eof, out)?;
                        return Ok(pos);
                    }
                },
            }
        }
    }

    /// Hands `bytes` of the current line to the chosen engine, which takes
    /// all of them when they end the line (or the input, with `eof`): the
    /// end of a line decides all of it. Returns how many it took.
    fn follow<W: Write + ?Sized>(
        &mut self,
        scanner: &mut Scanner,
        bytes: &[u8],
        eof: bool,
        out: &mut W,
    ) -> io::Result<usize> {
        let ends_line = bytes.last() == Some(&self.terminator);
        let done = ends_line || eof;
        let consumed = match self.chosen.expect("an engine is chosen") {
            Chosen::Start => self.start.process(scanner, bytes, done, out)?,
            Chosen::Window => self.window.process(scanner, bytes, done, out)?,
        };
        if done {
            self.chosen = None;
        }
        Ok(consumed)
    }

    /// Cuts as usual the whole lines at the start of `input` that need no
    /// window, and returns their length, with the length and window of the
    /// line after them if it ends within `input` and the look-ahead and has
    /// a window. Lines that fit are only read by the engine that writes them;
    /// when one does not, the lines before the first place a match or an
    /// escape sequence could start are cut in one go.
    fn lines_as_usual<W: Write + ?Sized>(
        &mut self,
        scanner: &mut Scanner,
        input: &[u8],
        out: &mut W,
    ) -> io::Result<(usize, Option<(usize, usize)>)> {
        let Some(last) = memrchr(self.terminator, input) else {
            return Ok((0, None));
        };
        let whole = last + 1;
        let mut usual = 0;
        let mut candidate = 0;
        while usual < whole {
            usual += self
                .start
                .fitting_lines(scanner, &input[usual..whole], out)?;
            if usual == whole {
                break;
            }
            // A line that does not fit: those before the first place a match
            // could start are cut in one go. Escape sequences may hide a match.
            if candidate <= usual {
                candidate = usual + self.finder.first_candidate(&input[usual..whole]);
            }
            let unsure = memchr(ESC, &input[usual..candidate]).map_or(candidate, |at| usual + at);
            if let Some(end) = memrchr(self.terminator, &input[usual..unsure]) {
                self.start
                    .process(scanner, &input[usual..=usual + end], true, out)?;
                usual += end + 1;
                continue;
            }
            let rest = &input[usual..whole];
            let Some(end) = memchr(self.terminator, &rest[..rest.len().min(LOOK_AHEAD)]) else {
                // A line longer than the look-ahead.
                break;
            };
            let line = &rest[..=end];
            let skip = self.window_start(scanner, line, true);
            if skip > 0 {
                return Ok((usual, Some((line.len(), skip))));
            }
            self.start.process(scanner, line, true, out)?;
            usual += line.len();
        }
        Ok((usual, None))
    }

    /// Chooses the engine for the line that starts with `line` (the whole
    /// line when `complete`), and writes the window's first marker.
    fn choose<W: Write + ?Sized>(
        &mut self,
        scanner: &mut Scanner,
        line: &[u8],
        complete: bool,
        out: &mut W,
    ) -> io::Result<()> {
        let skip = self.window_start(scanner, line, complete);
        self.begin(skip, out)
    }

    /// Sends the current line to the window that starts at column `skip`,
    /// writing its first marker, or, for 0, to the engine that keeps the
    /// start.
    fn begin<W: Write + ?Sized>(&mut self, skip: usize, out: &mut W) -> io::Result<()> {
        if skip == 0 {
            self.chosen = Some(Chosen::Start);
            return Ok(());
        }
        self.chosen = Some(Chosen::Window);
        self.window.skip_next_line(skip);
        out.write_all(&self.marker)
    }

    /// The first column the window shows, or 0 to cut the line at its start.
    fn window_start(&mut self, scanner: &mut Scanner, line: &[u8], complete: bool) -> usize {
        let mut text = line;
        if let [rest @ .., end] = text
            && *end == self.terminator
        {
            text = rest;
            if self.terminator == b'\n'
                && let [rest @ .., b'\r'] = text
            {
                text = rest;
            }
        }
        // The look-ahead is searched and measured as if the line ended there:
        // only the columns of its last cluster could change.
        let Some(found) = self.finder.find(text) else {
            return 0;
        };
        let mut span = measure(scanner, text, self.tab_width, found, self.width);
        if span.widest <= self.width {
            return 0;
        }
        if !complete {
            // The line goes on past the look-ahead: the window may too.
            span.widest = usize::MAX;
        }
        place_window(self.width, self.marker_width, span)
    }
}

/// The columns of `line` (a whole line) that the bytes `found` span, and its
/// widest column, read until it is known to pass `found`'s start by more
/// than `past`.
fn measure(
    scanner: &mut Scanner,
    line: &[u8],
    tab_width: usize,
    found: Range<usize>,
    past: usize,
) -> Span {
    let mut span = Span {
        start: 0,
        end: 0,
        widest: 0,
    };
    let (mut reached_start, mut reached_end) = (false, false);
    let (mut pos, mut col) = (0, 0);
    while pos < line.len() {
        let target = match (reached_start, reached_end) {
            (false, _) => found.start,
            (true, false) => found.end,
            (true, true) => line.len(),
        };
        let limit = match reached_end {
            true => span.start.saturating_add(past),
            false => usize::MAX,
        };
        if pos < target {
            // Short of the line's end, the unit that holds the target is
            // left to the loop below, which notes its columns.
            let run = scanner.run(&line[pos..target], col, limit, tab_width, reached_end);
            pos += run.len;
            col = run.col;
            span.widest = span.widest.max(col);
            if run.full {
                span.widest = span.widest.max(limit.saturating_add(1));
                break;
            }
            if run.len > 0 {
                continue;
            }
        }
        let Some(unit) = scanner.next(&line[pos..], true) else {
            break;
        };
        let next_col = unit.kind.advance(col, tab_width);
        if !reached_start && pos + unit.len > found.start {
            span.start = col;
            reached_start = true;
        }
        if reached_start && !reached_end && pos + unit.len >= found.end {
            span.end = next_col;
            reached_end = true;
        }
        pos += unit.len;
        col = next_col;
        span.widest = span.widest.max(col);
        if reached_end && span.widest > span.start.saturating_add(past) {
            break;
        }
    }
    span
}

/// The first column the window shows, for a match at `span` in a line wider
/// than `width`: the match starts a third of the width from the left, the
/// marker included, unless the window would then start before the line or
/// end past it; and the whole match is shown if it fits between the
/// markers, else its start. 0 is the line's start, cut as usual.
fn place_window(width: usize, marker_width: usize, span: Span) -> usize {
    // With no marker after it, the window holds this many columns of text.
    let to_line_end = width - marker_width;
    let last_start = span.widest - to_line_end;
    let between_markers = width.saturating_sub(marker_width.saturating_mul(2));
    if between_markers == 0 {
        // No room for text between two markers: the window is at the
        // line's start or at its end.
        return if span.start >= last_start {
            last_start
        } else {
            0
        };
    }
    let lead = width / 3;
    (span.start + marker_width)
        .saturating_sub(lead)
        .max(span.end.saturating_sub(between_markers))
        .min(span.start)
        .min(last_start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: usize, end: usize, widest: usize) -> Span {
        Span { start, end, widest }
    }

    #[test]
    fn a_match_is_measured_to_the_end_of_its_last_unit() {
        let mut scanner = Scanner::new(false);
        let mut measured = |line: &str, found| measure(&mut scanner, line.as_bytes(), 8, found, 80);
        // Ending the line, the tab and "b" count, as the ASCII before them.
        assert_eq!(measured("0123456789a\tb", 10..13), span(10, 17, 17));
        assert_eq!(measured("a\u{301}bc\t", 0..1), span(0, 1, 8));
        assert_eq!(measured("\u{65e5}x\u{672c}", 3..4), span(2, 3, 5));
        // Read no further than the match's start and the width past it.
        assert_eq!(measured(&"x".repeat(1000), 10..11), span(10, 11, 91));
    }

    #[test]
    fn the_match_starts_a_third_of_the_width_in() {
        // Columns 0 to 25 of 80 before the match: the marker and 25 of text.
        assert_eq!(place_window(80, 1, span(500, 503, 2000)), 500 - 25);
        assert_eq!(place_window(80, 0, span(500, 503, 2000)), 500 - 26);
    }

    #[test]
    fn the_window_stays_within_the_line() {
        assert_eq!(place_window(80, 1, span(10, 13, 2000)), 0);
        assert_eq!(place_window(80, 1, span(26, 29, 2000)), 1);
        // At the end, one marker: 79 columns of text.
        assert_eq!(place_window(80, 1, span(1990, 1993, 2000)), 2000 - 79);
    }

    #[test]
    fn a_long_match_is_shown_whole_or_from_its_start() {
        // 70 columns fit between the markers of 80 less 2.
        assert_eq!(place_window(80, 1, span(500, 570, 2000)), 570 - 78);
        assert_eq!(place_window(80, 1, span(500, 590, 2000)), 500);
    }

    #[test]
    fn narrow_windows_are_at_the_start_or_the_end() {
        assert_eq!(place_window(2, 1, span(5, 6, 10)), 0);
        assert_eq!(place_window(2, 1, span(9, 10, 10)), 9);
        assert_eq!(place_window(3, 1, span(5, 6, 10)), 5);
        assert_eq!(place_window(3, 0, span(5, 6, 10)), 4);
    }
}
