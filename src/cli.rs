//! The command line. The doc comments are the help text, and the man page and
//! shell completions are generated from this definition.

#![forbid(unsafe_code)]

use std::ffi::OsString;
use std::path::PathBuf;

use clap::builder::{OsStringValueParser, TypedValueParser};
use clap::error::{Error, ErrorKind};
use clap::{CommandFactory, Parser, ValueHint};

use crate::cut::{ClusterWidth, KeepPart, Options, Pattern};

/// The marker that `--ellipsis` puts at the end of a cut line.
pub const ELLIPSIS: &str = "…";

/// Cut every line to fit the terminal.
///
/// Each line of the input is cut to the display width of the terminal, counting
/// columns as a terminal does: wide East Asian characters and emoji take two,
/// combining marks and escape sequences none, and a tab runs to the next tab
/// stop. Lines that fit are written unchanged, byte for byte; every line in
/// gives one line out.
#[derive(Debug, Parser)]
#[command(name = "short", version, max_term_width = 100, after_help = EXAMPLES)]
pub struct Cli {
    /// Maximum display width in columns; 0 means no limit [default: $COLUMNS,
    /// then the terminal's width, then 80; when stdout is a file, $COLUMNS,
    /// then 80]
    #[arg(
        short,
        long,
        value_name = "N",
        value_parser = parse_width,
        allow_negative_numbers = true,
        value_hint = ValueHint::Other
    )]
    pub width: Option<usize>,

    /// Mark cut lines with "…" (the marker counts toward the width)
    #[arg(short, long)]
    pub ellipsis: bool,

    /// Mark cut lines with STR instead of "…" (implies marking)
    #[arg(short, long, value_name = "STR", value_parser = parse_marker, value_hint = ValueHint::Other)]
    pub marker: Option<String>,

    /// Tab stops every N columns
    #[arg(
        short,
        long,
        value_name = "N",
        default_value_t = 8,
        value_parser = parse_tab_width,
        allow_negative_numbers = true,
        value_hint = ValueHint::Other
    )]
    pub tab_width: usize,

    /// Lines end with NUL instead of newline (as with grep -z, sort -z)
    #[arg(short, long)]
    pub zero_terminated: bool,

    /// East Asian ambiguous-width characters take two columns (as in CJK locales)
    #[arg(long)]
    pub cjk: bool,

    /// Which part of a cut line to keep: its start, its end (for paths and
    /// stack traces), or both ends with the marker between them
    #[arg(short, long, value_name = "PART", value_enum, default_value_t = Keep::Start)]
    pub keep: Keep,

    /// Drop the first N columns of every line, then cut to the width (scrolls
    /// right, as in a pager)
    #[arg(
        short,
        long,
        value_name = "N",
        default_value_t = 0,
        value_parser = parse_skip,
        allow_negative_numbers = true,
        value_hint = ValueHint::Other
    )]
    pub skip: usize,

    /// Show the part of a cut line around the first match of PATTERN (a
    /// regular expression, matched on the text without its colour codes), with
    /// "…" at each side where text was dropped; lines without a match are cut
    /// as usual
    #[arg(
        short,
        long,
        value_name = "PATTERN",
        conflicts_with = "skip",
        value_hint = ValueHint::Other
    )]
    pub around: Option<String>,

    /// Take the PATTERN of --around as a fixed string, not a regular expression
    #[arg(short = 'F', long, requires = "around")]
    pub fixed_strings: bool,

    /// How the terminal draws emoji sequences and other clusters of several
    /// code points: as one picture (whole: kitty, WezTerm, iTerm2, Ghostty,
    /// Windows Terminal), code point by code point (sum: tmux, screen, GNOME
    /// Terminal and other VTE terminals, Alacritty, xterm, the Linux
    /// console), or auto: from the environment, and the larger of the two
    /// where the terminal is not known [env: SHORT_CLUSTER_WIDTH] [default:
    /// auto]
    #[arg(long, value_name = "HOW", value_enum)]
    pub cluster_width: Option<ClusterMode>,

    /// Files to read in order; none, or -, means standard input
    #[arg(
        value_name = "FILE",
        value_parser = OsStringValueParser::new().map(PathBuf::from),
        value_hint = ValueHint::FilePath
    )]
    pub files: Vec<PathBuf>,
}

impl Cli {
    /// How to cut, once the width and how clusters are drawn are known; or
    /// the usage error of a pattern that cannot be used.
    pub fn options(&self, width: usize, cluster_widths: ClusterWidth) -> Result<Options, Error> {
        // A window into the middle of a line is marked unless told otherwise.
        let marker = match (&self.marker, self.ellipsis || self.around.is_some()) {
            (Some(marker), _) => marker.as_bytes().to_vec(),
            (None, true) => ELLIPSIS.as_bytes().to_vec(),
            (None, false) => Vec::new(),
        };
        let around = match &self.around {
            Some(_) if self.keep != Keep::Start => {
                return Err(Cli::command().error(
                    ErrorKind::ArgumentConflict,
                    "the argument '--around <PATTERN>' cannot be used with '--keep end' or \
                     '--keep middle'",
                ));
            }
            Some(pattern) => Some(Pattern::new(pattern, self.fixed_strings).map_err(|error| {
                Cli::command().error(
                    ErrorKind::ValueValidation,
                    format!("invalid value '{pattern}' for '--around <PATTERN>': {error}"),
                )
            })?),
            None => None,
        };
        Ok(Options {
            width,
            marker,
            tab_width: self.tab_width,
            terminator: if self.zero_terminated { b'\0' } else { b'\n' },
            cjk: self.cjk,
            keep: match self.keep {
                Keep::Start => KeepPart::Start,
                Keep::End => KeepPart::End,
                Keep::Middle => KeepPart::Middle,
            },
            skip: self.skip,
            cluster_widths,
            around,
        })
    }
}

/// Which part of a cut line to keep. The variants' comments are the help of
/// `--keep`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Keep {
    /// The first columns, then the marker
    Start,
    /// The marker, then the last columns
    End,
    /// The first and the last columns, the marker between them
    Middle,
}

/// `--cluster-width` and `SHORT_CLUSTER_WIDTH`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ClusterMode {
    Auto,
    Whole,
    Sum,
}

impl ClusterMode {
    /// How clusters are counted, `auto` from the variables `var` reads.
    pub fn widths(self, var: impl Fn(&str) -> Option<OsString>) -> ClusterWidth {
        match self {
            ClusterMode::Whole => ClusterWidth::Whole,
            ClusterMode::Sum => ClusterWidth::Sum,
            ClusterMode::Auto => crate::terminal::drawn_clusters(var),
        }
    }
}

/// The examples that end `--help`, as the man page's EXAMPLES begin.
pub const EXAMPLES: &str = "\
Examples:
  grep --color=always error app.log | short    Search results, one screen row each
  grep -n foo bundle.js | short --around foo   Minified code: show each match
  tail -f /var/log/syslog | short -e           Follow a log, marking cut lines
  find . | short --keep end -e                 Long paths: keep the file names";

/// A number of columns of any size: one past what any line reaches is as
/// good as no limit.
fn parse_columns(value: &str) -> Option<usize> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(value.parse().unwrap_or(usize::MAX))
}

fn parse_width(value: &str) -> Result<usize, String> {
    parse_columns(value)
        .ok_or_else(|| "expected a whole number of columns, 0 for no limit".to_owned())
}

fn parse_tab_width(value: &str) -> Result<usize, String> {
    parse_columns(value)
        .filter(|&columns| columns > 0)
        .ok_or_else(|| "expected a whole number of columns, at least 1".to_owned())
}

fn parse_skip(value: &str) -> Result<usize, String> {
    parse_columns(value).ok_or_else(|| "expected a whole number of columns".to_owned())
}

/// A marker is shown at the end of a line, so it may hold escape sequences
/// (colours) but no other control character: a tab or a newline in it would
/// break the width or the line count.
fn parse_marker(value: &str) -> Result<String, String> {
    match value.chars().find(|&c| c.is_control() && c != '\x1b') {
        Some(c) => Err(format!(
            "the marker may not contain control characters (found {:?})",
            c
        )),
        None => Ok(value.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn marker_implies_marking() {
        let cli = Cli::parse_from(["short", "-m", ">>"]);
        assert_eq!(cli.options(10, ClusterWidth::Whole).unwrap().marker, b">>");
        let cli = Cli::parse_from(["short", "-e"]);
        assert_eq!(
            cli.options(10, ClusterWidth::Whole).unwrap().marker,
            ELLIPSIS.as_bytes()
        );
        let cli = Cli::parse_from(["short", "--around", "x"]);
        assert_eq!(
            cli.options(10, ClusterWidth::Whole).unwrap().marker,
            ELLIPSIS.as_bytes()
        );
        let cli = Cli::parse_from(["short", "--around", "x", "-m", ""]);
        assert!(
            cli.options(10, ClusterWidth::Whole)
                .unwrap()
                .marker
                .is_empty()
        );
        let cli = Cli::parse_from(["short"]);
        assert!(
            cli.options(10, ClusterWidth::Whole)
                .unwrap()
                .marker
                .is_empty()
        );
    }

    #[test]
    fn marker_with_control_character_is_refused() {
        assert!(Cli::try_parse_from(["short", "-m", "a\tb"]).is_err());
        assert!(Cli::try_parse_from(["short", "-m", "\x1b[2m…\x1b[0m"]).is_ok());
    }

    #[test]
    fn tab_width_zero_is_refused() {
        assert!(Cli::try_parse_from(["short", "-t", "0"]).is_err());
    }

    #[test]
    fn numbers_are_whole_columns_of_any_size() {
        let cli = Cli::parse_from(["short", "-w", "99999999999999999999", "-s", "12"]);
        assert_eq!((cli.width, cli.skip), (Some(usize::MAX), 12));
        for args in [
            &["short", "-w", "-1"][..],
            &["short", "-w", "+5"],
            &["short", "-w", "5x"],
            &["short", "-w", ""],
            &["short", "-s", "-3"],
            &["short", "-t", "-8"],
        ] {
            let error = Cli::try_parse_from(args).unwrap_err().to_string();
            assert!(
                error.contains("expected a whole number of columns"),
                "{args:?}: {error}"
            );
        }
    }
}
