//! The cutting core: bytes in, the cut lines out, with no I/O of its own.
//!
//! [`Cutter::process`] takes whatever input is at hand and consumes as much of
//! it as it can decide; the caller hands the rest back with more input. What
//! stays undecided is bounded ([`MAX_UNDECIDED`]), so a stream needs a fixed
//! buffer whatever the length of a line.

use std::io::{self, Write};

use memchr::memchr;

use crate::ansi::{self, ESC, Effect, Escape};
use crate::block;
use crate::keep::{KeepPart, Reshaper};
use crate::unit::{Kind, MAX_UNIT_LEN, Run, Scanner, printable_ascii_prefix};

/// With a marker, the units between the marker's column and the width are held
/// back until the line is known to fit or not. They span at most the marker's
/// width in columns, but zero-width units (escape sequences, combining marks,
/// controls) could make them any length: past this many bytes the line is taken
/// as cut, so that the output always fits.
pub const MAX_HELD: usize = 64 * 1024;

/// The most input that [`Cutter::process`] may leave unconsumed when more input
/// is to come: a caller whose buffer holds more than this always sees progress.
pub const MAX_UNDECIDED: usize = MAX_HELD + 2 * MAX_UNIT_LEN;

pub(crate) const SGR_RESET: &[u8] = b"\x1b[0m";
pub(crate) const HYPERLINK_CLOSE: &[u8] = b"\x1b]8;;\x1b\\";

/// What a [`Cutter`] does to each line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The display width to cut to; 0 means no limit.
    pub width: usize,
    /// Written after the text of a cut line; empty for none.
    pub marker: Vec<u8>,
    /// Columns between tab stops (at least 1).
    pub tab_width: usize,
    /// The byte that ends a line: `\n`, or NUL for `-z`.
    pub terminator: u8,
    /// East Asian ambiguous-width characters take two columns.
    pub cjk: bool,
    /// Which part of a cut line is kept.
    pub keep: KeepPart,
    /// Columns dropped from the start of every line before it is cut.
    pub skip: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            width: 80,
            marker: Vec::new(),
            tab_width: 8,
            terminator: b'\n',
            cjk: false,
            keep: KeepPart::Start,
            skip: 0,
        }
    }
}

/// Cuts lines to a display width.
#[derive(Debug)]
pub struct Cutter {
    options: Options,
    width: usize,
    /// The columns the text of a cut line may take: `width` less the marker's.
    text_width: usize,
    /// The marker, itself cut to `width`, with its own colours switched off.
    marker: Vec<u8>,
    tab_width: usize,
    terminator: u8,
    line_end: TerminatorFinder,
    scanner: Scanner,
    line: Line,
    /// Set for every way of cutting but keeping the start without a skip.
    reshaper: Option<Reshaper>,
}

/// Finds the byte that ends a line. `memchr` picks its fastest search anew on
/// every call, which costs as much as searching a short line; here it is
/// picked once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TerminatorFinder {
    terminator: u8,
    #[cfg(target_arch = "x86_64")]
    avx2: Option<memchr::arch::x86_64::avx2::memchr::One>,
}

impl TerminatorFinder {
    pub(crate) fn new(terminator: u8) -> Self {
        TerminatorFinder {
            terminator,
            #[cfg(target_arch = "x86_64")]
            avx2: memchr::arch::x86_64::avx2::memchr::One::new(terminator),
        }
    }

    /// [`Self::find`] a page at a time, asking for the page after next before
    /// each: the rest of a long line that was cut is skipped at the speed of
    /// memory, which the processor's prefetcher, stopping at each page's end,
    /// leaves 5 % short of (5 to 50 KB lines, and a 500 MB one). Inlined
    /// into the loop over lines: as a call, saving and restoring registers
    /// took as long as searching the rest of a short line.
    #[inline(always)]
    pub(crate) fn find_streaming(&self, haystack: &[u8]) -> Option<usize> {
        const PAGE: usize = 4096;
        let mut from = 0;
        loop {
            let to = (from + PAGE).min(haystack.len());
            prefetch(haystack, from + 2 * PAGE);
            if let Some(found) = self.find(&haystack[from..to]) {
                return Some(from + found);
            }
            if to == haystack.len() {
                return None;
            }
            from = to;
        }
    }

    /// The offset of the first terminator in `haystack`.
    #[inline]
    pub(crate) fn find(&self, haystack: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some(avx2) = &self.avx2 {
            return avx2.find(haystack);
        }
        memchr(self.terminator, haystack)
    }
}

/// How far ahead of the line at hand [`prefetch`] asks for input.
const PREFETCH_DISTANCE: usize = 4096;

/// Asks the processor to bring `bytes[at]` into its cache, if there is such a
/// byte. The processor's own prefetcher does not look past the 4 KiB page it
/// is in, and the pages of a mapped file lie anywhere in memory: without a
/// hint, short lines wait on memory at every page (logs and TSV 5 to 10 %
/// slower).
#[inline]
fn prefetch(bytes: &[u8], at: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(byte) = bytes.get(at) {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: SSE is part of x86-64, and the address is that of a byte
        // of `bytes` (a prefetch could not fault anyway).
        #[allow(unsafe_code)]
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(byte).cast());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (bytes, at);
}

/// Where the current line stands, as of the last byte consumed.
#[derive(Clone, Copy, Debug, Default)]
struct Line {
    phase: Phase,
    /// The column after the units consumed so far.
    col: usize,
    /// The output so far leaves a colour or attribute on.
    sgr_on: bool,
    /// The output so far leaves an OSC 8 hyperlink open.
    link_open: bool,
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

impl Cutter {
    pub fn new(options: Options) -> Self {
        let mut scanner = Scanner::new(options.cjk);
        let (marker, marker_width) = fit_marker(&mut scanner, &options);
        let reshaper = (options.keep != KeepPart::Start || options.skip > 0)
            .then(|| Reshaper::new(&options, marker.clone(), marker_width));
        Cutter {
            width: options.width,
            text_width: options.width - marker_width,
            marker,
            tab_width: options.tab_width.max(1),
            terminator: options.terminator,
            line_end: TerminatorFinder::new(options.terminator),
            scanner,
            line: Line::default(),
            reshaper,
            options,
        }
    }

    /// A cutter with the same options, at the start of a line: it can take
    /// the lines after any terminator while this one takes those before.
    pub fn twin(&self) -> Cutter {
        Cutter::new(self.options.clone())
    }

    /// The byte that ends a line.
    pub fn terminator(&self) -> u8 {
        self.terminator
    }

    /// The width it cuts to.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Nothing of a line has been consumed since the last one ended.
    pub fn at_line_start(&self) -> bool {
        match &self.reshaper {
            Some(reshaper) => reshaper.at_line_start(),
            None => self.line.phase == Phase::Start,
        }
    }

    /// Cuts the lines from here on to `width`; it must stand at the start
    /// of a line.
    pub fn set_width(&mut self, width: usize) {
        debug_assert!(self.at_line_start());
        *self = Cutter::new(Options {
            width,
            ..self.options.clone()
        });
    }

    /// Cuts the lines in `input`, writing what is decided to `out`, and returns
    /// how many bytes of `input` were consumed. The caller passes the bytes not
    /// consumed again, followed by more input; at most [`MAX_UNDECIDED`] bytes
    /// are left. With `eof`, no input follows and everything is consumed.
    pub fn process<W: Write + ?Sized>(
        &mut self,
        input: &[u8],
        eof: bool,
        out: &mut W,
    ) -> io::Result<usize> {
        if let Some(reshaper) = &mut self.reshaper {
            return reshaper.process(&mut self.scanner, input, eof, out);
        }
        if self.width == 0 {
            out.write_all(input)?;
            return Ok(input.len());
        }
        // Output that is a copy of the input is written in runs, not unit by unit.
        let mut copied_from = 0;
        let mut pos = 0;
        while pos < input.len() {
            prefetch(input, pos + PREFETCH_DISTANCE);
            if let Phase::Skipping { after_cr } = self.line.phase {
                let Some(offset) = self.line_end.find_streaming(&input[pos..]) else {
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
            if self.line.phase == Phase::Start {
                let window = &input[pos..input.len().min(pos + self.width + 1)];
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
                None => self.scan(input, pos, eof),
            };
            match scan {
                Scan::Fits { end } => {
                    pos = (end + 1).min(input.len());
                    self.line = Line::default();
                }
                Scan::Cut { keep_end } => {
                    out.write_all(&input[copied_from..keep_end])?;
                    if self.line.link_open {
                        out.write_all(HYPERLINK_CLOSE)?;
                    }
                    if self.line.sgr_on {
                        out.write_all(SGR_RESET)?;
                    }
                    out.write_all(&self.marker)?;
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
        out.write_all(&input[copied_from..pos])?;
        debug_assert!(eof || input.len() - pos <= MAX_UNDECIDED);
        if eof {
            debug_assert_eq!(pos, input.len());
            // The next input starts a line of its own.
            self.line = Line::default();
        }
        Ok(pos)
    }

    /// Reads the units of the current line from `input[start..]` and updates
    /// the line's state for those decided. With `eof`, the input ends there.
    fn scan(&mut self, input: &[u8], start: usize, eof: bool) -> Scan {
        let mut col = self.line.col;
        let mut pos = start;
        // Units before `decided` are part of the output; from `held_from` on they
        // are past the marker's column, and kept only if the whole line fits.
        let mut decided = start;
        let mut held_from = None;
        loop {
            let limit = if held_from.is_some() {
                self.width
            } else {
                self.text_width
            };
            // Colour output and tab-separated text are read a block at a
            // time, from their first colour code or tab, or from the line's
            // start if it starts plain.
            let plain = match input[pos..] {
                [ESC, b'[', ..] | [b'\t', ..] => true,
                _ => pos == start && block::starts_plain(&input[pos..]),
            };
            if held_from.is_none()
                && plain
                && let Some(run) = block::plain_run(&input[pos..], col, limit, self.tab_width)
            {
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
                self.scanner
                    .run(&input[pos..], col, limit, self.tab_width, eof)
            };
            pos += run.len;
            col = run.col;
            match held_from {
                None => {
                    decided = pos;
                    self.line.col = col;
                }
                Some(held_from) if pos - held_from > MAX_HELD => {
                    return Scan::Cut { keep_end: decided };
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
                let csi = match ansi::parse_plain_csi(&input[pos..]) {
                    Some(plain) => Some(plain),
                    None if input.get(pos + 1) == Some(&b'[') => {
                        match ansi::parse(&input[pos..], eof) {
                            Escape::Complete { len, effect } => Some((len, effect)),
                            _ => None,
                        }
                    }
                    None => None,
                };
                if let Some((len, effect)) = csi {
                    pos += len;
                    decided = pos;
                    self.apply(effect);
                    continue;
                }
            }
            let (unit_input, complete) = unit_input(input, pos, eof, self.terminator);
            let Some(unit) = self.scanner.next(unit_input, complete) else {
                return Scan::Undecided { decided };
            };
            let next_col = unit.kind.advance(col, self.tab_width);
            if next_col > self.width {
                return Scan::Cut { keep_end: decided };
            }
            if held_from.is_none() && next_col > self.text_width {
                held_from = Some(pos);
            }
            pos += unit.len;
            col = next_col;
            match held_from {
                None => {
                    decided = pos;
                    self.line.col = col;
                    if let Kind::Escape(effect) = unit.kind {
                        self.apply(effect);
                    }
                }
                Some(held_from) if pos - held_from > MAX_HELD => {
                    return Scan::Cut { keep_end: decided };
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
        let run = block::plain_run(&input[start..], 0, self.width, self.tab_width)?;
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
            Effect::None => {}
            Effect::Sgr { resets } => self.line.sgr_on = !resets,
            Effect::Hyperlink { opens } => self.line.link_open = opens,
        }
    }
}

/// The input that the unit at `pos` may span, and whether the line ends with
/// it. Only a control string (OSC, DCS, ...) could run on past the terminator,
/// so only there is the line's end looked for; the CR of a CRLF ends the line
/// with it, and is no part of the string.
pub(crate) fn unit_input(input: &[u8], pos: usize, eof: bool, terminator: u8) -> (&[u8], bool) {
    let rest = &input[pos..];
    if ansi::may_span_lines(rest) {
        let window = &rest[..rest.len().min(ansi::MAX_ESCAPE_LEN)];
        if let Some(mut end) = memchr(terminator, window) {
            if terminator == b'\n' && rest[..end].ends_with(b"\r") {
                end -= 1;
            }
            return (&rest[..end], true);
        }
    }
    (rest, eof)
}

/// The marker cut to the width, as a line would be, and its width; a marker that
/// leaves a colour on gets a reset, so the colour ends with the line.
fn fit_marker(scanner: &mut Scanner, options: &Options) -> (Vec<u8>, usize) {
    let mut marker = options.marker.as_slice();
    let mut end = 0;
    let mut col = 0;
    let mut sgr_on = false;
    while end < marker.len() {
        let Some(unit) = scanner.next(&marker[end..], true) else {
            break;
        };
        let next_col = unit.kind.advance(col, options.tab_width.max(1));
        if next_col > options.width {
            break;
        }
        if let Kind::Escape(Effect::Sgr { resets }) = unit.kind {
            sgr_on = !resets;
        }
        col = next_col;
        end += unit.len;
    }
    marker = &marker[..end];
    let mut fitted = marker.to_vec();
    if sgr_on {
        fitted.extend_from_slice(SGR_RESET);
    }
    (fitted, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut_with(options: Options, input: &[u8]) -> Vec<u8> {
        let mut cutter = Cutter::new(options);
        let mut out = Vec::new();
        let consumed = cutter.process(input, true, &mut out).unwrap();
        assert_eq!(consumed, input.len());
        out
    }

    fn cut(width: usize, input: &str) -> String {
        let options = Options {
            width,
            ..Options::default()
        };
        String::from_utf8(cut_with(options, input.as_bytes())).unwrap()
    }

    fn marked(width: usize, marker: &str, input: &str) -> String {
        let options = Options {
            width,
            marker: marker.into(),
            ..Options::default()
        };
        String::from_utf8(cut_with(options, input.as_bytes())).unwrap()
    }

    #[test]
    fn examples_from_the_spec() {
        assert_eq!(cut(5, "héllo wörld\n"), "héllo\n");
        assert_eq!(cut(5, "日本語\n"), "日本\n");
        assert_eq!(cut(5, "a\tb\n"), "a\n");
    }

    #[test]
    fn a_new_width_applies_from_a_line_start() {
        for (keep, first, second) in [
            (KeepPart::Start, "abcd\n", "abcdef\n"),
            (KeepPart::End, "mnop\n", "efghij\n"),
        ] {
            let options = Options {
                width: 4,
                keep,
                ..Options::default()
            };
            let mut cutter = Cutter::new(options);
            assert!(cutter.at_line_start());
            let mut out = Vec::new();
            let start = b"abcdefghijkl";
            let consumed = cutter.process(start, false, &mut out).unwrap();
            assert!(consumed > 0);
            assert!(!cutter.at_line_start(), "{keep:?}");
            let rest = [&start[consumed..], b"mnop\n"].concat();
            let consumed = cutter.process(&rest, false, &mut out).unwrap();
            assert_eq!(consumed, rest.len());
            assert!(cutter.at_line_start(), "{keep:?}");
            cutter.set_width(6);
            assert_eq!(cutter.width(), 6);
            cutter.process(b"abcdefghij\n", true, &mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), format!("{first}{second}"));
        }
    }

    #[test]
    fn a_line_that_fits_is_unchanged() {
        assert_eq!(cut(5, "abcde\n"), "abcde\n");
        assert_eq!(cut(2, "日\n"), "日\n");
        assert_eq!(cut(3, "\x1b[31mabc\n"), "\x1b[31mabc\n");
    }

    #[test]
    fn zero_width_means_no_limit() {
        let long = "x".repeat(1000) + "\n";
        assert_eq!(cut(0, &long), long);
    }

    #[test]
    fn wide_character_at_the_edge_is_left_out() {
        assert_eq!(cut(1, "日本\n"), "\n");
        assert_eq!(cut(3, "a日本\n"), "a日\n");
        assert_eq!(cut(2, "a日\n"), "a\n");
    }

    #[test]
    fn colour_left_on_is_reset() {
        assert_eq!(cut(2, "\x1b[31mabc\x1b[0m\n"), "\x1b[31mab\x1b[0m\n");
        assert_eq!(cut(3, "ab\x1b[31m\x1b[0mcd\n"), "ab\x1b[31m\x1b[0mc\n");
    }

    #[test]
    fn escape_at_the_cut_stays_whole() {
        assert_eq!(cut(2, "ab\x1b[1mcd\n"), "ab\x1b[1m\x1b[0m\n");
    }

    #[test]
    fn marker_takes_columns_from_the_text() {
        assert_eq!(marked(5, "…", "abcdefg\n"), "abcd…\n");
        assert_eq!(marked(5, "…", "abcde\n"), "abcde\n");
        assert_eq!(marked(1, "…", "ab\n"), "…\n");
        assert_eq!(marked(3, "[cut]", "abcdef\n"), "[cu\n");
    }

    #[test]
    fn crlf_is_kept() {
        assert_eq!(cut(2, "abc\r\nde\r\n"), "ab\r\nde\r\n");
    }

    #[test]
    fn lone_cr_returns_to_column_zero() {
        assert_eq!(cut(3, "abc\rdef\n"), "abc\rdef\n");
        assert_eq!(cut(3, "abc\rdefg\n"), "abc\rdef\n");
    }

    #[test]
    fn last_line_without_terminator() {
        assert_eq!(cut(2, "abc"), "ab");
        assert_eq!(cut(2, "ab"), "ab");
    }
}
