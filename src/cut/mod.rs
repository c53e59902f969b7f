//! The cutting core: bytes in, the cut lines out, with no I/O of its own.
//!
//! [`Cutter`] is the front door; behind it, one engine for each way of
//! cutting: [`start`] keeps the start of a line (the common case, tuned
//! for speed), [`reshape`] keeps its end or middle and skips columns,
//! [`around`] shows the window around a match of a [`pattern`]. A new way of
//! cutting is a new engine here.
//!
//! [`Cutter::process`] takes whatever input is at hand and consumes as much of
//! it as it can decide; the caller hands the rest back with more input. What
//! stays undecided is bounded ([`MAX_UNDECIDED`]), so a stream needs a fixed
//! buffer whatever the length of a line.

#![forbid(unsafe_code)]

mod around;
mod options;
mod pattern;
mod reshape;
mod start;

use std::io::{self, Write};

use around::Around;
pub use around::LOOK_AHEAD;
pub use options::{ClusterWidth, KeepPart, Options, Pattern, PatternError};
use pattern::Finder;
use reshape::Reshaper;
use start::KeepStart;

use crate::text::escape::{Effect, SGR_RESET};
use crate::text::{Kind, Scanner};

/// The most input that [`Cutter::process`] may leave unconsumed when more input
/// is to come: a caller whose buffer holds more than this always sees progress.
pub const MAX_UNDECIDED: usize = start::MAX_UNDECIDED;

/// Cuts lines to a display width.
///
/// ```
/// use short::{Cutter, Options};
///
/// let mut cutter = Cutter::new(Options { width: 5, ..Options::default() });
/// let mut out = Vec::new();
/// let input = "日本語のテキスト\nfits\n".as_bytes();
/// // At the end of the input (`true`), everything is consumed.
/// assert_eq!(cutter.process(input, true, &mut out).unwrap(), input.len());
/// assert_eq!(String::from_utf8(out).unwrap(), "日本\nfits\n");
/// ```
#[derive(Debug)]
pub struct Cutter {
    options: Options,
    scanner: Scanner,
    engine: Engine,
}

/// The engine for the way of cutting chosen. A run makes one: the size of
/// the larger engine costs nothing, a box would cost a pointer per call.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
enum Engine {
    Start(KeepStart),
    /// Every way of cutting but keeping the start without a skip.
    Reshape(Reshaper),
    Around(Around),
}

impl Cutter {
    pub fn new(options: Options) -> Self {
        let mut scanner = Scanner::new(options.cjk);
        scanner.cluster_widths = options.cluster_widths;
        let engine = Engine::new(&mut scanner, &options);
        Cutter {
            options,
            scanner,
            engine,
        }
    }

    /// The width it cuts to.
    pub fn width(&self) -> usize {
        self.options.width
    }

    /// Nothing of a line has been consumed since the last one ended.
    pub fn at_line_start(&self) -> bool {
        match &self.engine {
            Engine::Start(engine) => engine.at_line_start(),
            Engine::Reshape(engine) => engine.at_line_start(),
            Engine::Around(engine) => engine.at_line_start(),
        }
    }

    /// Cuts the lines from here on to `width`; it must stand at the start
    /// of a line.
    pub fn set_width(&mut self, width: usize) {
        debug_assert!(self.at_line_start());
        self.options.width = width;
        self.engine = Engine::new(&mut self.scanner, &self.options);
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
        match &mut self.engine {
            Engine::Start(engine) => engine.process(&mut self.scanner, input, eof, out),
            Engine::Reshape(engine) => engine.process(&mut self.scanner, input, eof, out),
            Engine::Around(engine) => engine.process(&mut self.scanner, input, eof, out),
        }
    }
}

/// Widths from here on behave as no limit: no line reaches them.
const NO_LIMIT_FROM: usize = 1 << 62;

/// Tab stops further apart are taken this far apart: a terminal's size is a
/// 16-bit number, so none has a stop further on, and a tab written as spaces
/// (after a skip, in a kept end) stays a few pages long.
const MAX_TAB_WIDTH: usize = 1 << 16;

impl Engine {
    fn new(scanner: &mut Scanner, options: &Options) -> Self {
        let options = &Options {
            width: if options.width >= NO_LIMIT_FROM {
                0
            } else {
                options.width
            },
            tab_width: options.tab_width.clamp(1, MAX_TAB_WIDTH),
            ..options.clone()
        };
        let (marker, marker_width) = fit_marker(scanner, options);
        if let Some(pattern) = &options.around
            && options.width > marker_width
        {
            // The window's first marker is written before the rest of it.
            let window = &Options {
                width: options.width - marker_width,
                keep: KeepPart::Start,
                skip: 0,
                ..options.clone()
            };
            let (window_marker, window_marker_width) = fit_marker(scanner, window);
            return Engine::Around(Around::new(
                Finder::new(pattern.clone(), options.terminator),
                options.width,
                marker,
                marker_width,
                options.tab_width,
                options.terminator,
                Reshaper::new(window, window_marker, window_marker_width),
            ));
        }
        if options.keep == KeepPart::Start && options.skip == 0 {
            Engine::Start(KeepStart::new(
                options.width,
                marker,
                marker_width,
                options.tab_width,
                options.terminator,
            ))
        } else {
            Engine::Reshape(Reshaper::new(options, marker, marker_width))
        }
    }
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
        let next_col = unit.kind.advance(col, options.tab_width);
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
    fn around_is_at_a_line_start_until_a_line_is_taken() {
        let options = Options {
            width: 8,
            marker: "…".into(),
            around: Some(Pattern::new("x", false).unwrap()),
            ..Options::default()
        };
        let mut cutter = Cutter::new(options);
        let mut out = Vec::new();
        // A short start is left to come back with more.
        assert_eq!(cutter.process(b"aaaa", false, &mut out).unwrap(), 0);
        assert!(cutter.at_line_start());
        // A long one is taken in, kept until the look-ahead is full ...
        let long = vec![b'a'; MAX_UNDECIDED + 1];
        assert_eq!(cutter.process(&long, false, &mut out).unwrap(), long.len());
        assert!(!cutter.at_line_start());
        let rest = vec![b'a'; LOOK_AHEAD];
        let consumed = cutter.process(&rest, false, &mut out).unwrap();
        // ... then cut as it comes.
        assert!(consumed > 0 && !cutter.at_line_start());
        let end = [&rest[consumed..], b"x\n"].concat();
        assert_eq!(cutter.process(&end, false, &mut out).unwrap(), end.len());
        assert!(cutter.at_line_start());
        // A long line that ends, and the next, in one input.
        assert_eq!(cutter.process(&long, false, &mut out).unwrap(), long.len());
        let consumed = cutter.process(b"x\nxy\n", false, &mut out).unwrap();
        assert_eq!(consumed, 5);
        assert!(cutter.at_line_start());
        // A match just past the look-ahead is none.
        assert_eq!(cutter.process(&long, false, &mut out).unwrap(), long.len());
        let past = [&vec![b'a'; LOOK_AHEAD - long.len()][..], b"xa\n"].concat();
        assert_eq!(cutter.process(&past, false, &mut out).unwrap(), past.len());
        // A line longer than the look-ahead in one input, as a library
        // caller may hand it.
        let longer = [&vec![b'a'; LOOK_AHEAD + 10][..], b"x\n"].concat();
        let consumed = cutter.process(&longer, false, &mut out).unwrap();
        let rest = &longer[consumed..];
        assert_eq!(cutter.process(rest, true, &mut out).unwrap(), rest.len());
        let window = "…aaaaaax\nxy\n";
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("aaaaaaa…\n{window}aaaaaaa…\naaaaaaa…\n")
        );
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

    /// Colours set in the skipped columns are written again where the kept
    /// text starts; of more than 1 KiB of them with no reset, the latest.
    #[test]
    fn colours_replayed_after_a_skip_are_bounded() {
        let options = Options {
            width: 3,
            skip: 2,
            ..Options::default()
        };
        let line = format!("a{}bcdef\n", "\x1b[31m".repeat(300));
        let out = String::from_utf8(cut_with(options, line.as_bytes())).unwrap();
        // 204 sequences of 5 bytes fill 1020 bytes; the 205th starts anew.
        assert_eq!(out, format!("{}cde\x1b[0m\n", "\x1b[31m".repeat(96)));
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
