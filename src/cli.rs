//! The command line. The doc comments are the help text, and the man page and
//! shell completions are generated from this definition.

#![forbid(unsafe_code)]

use std::path::PathBuf;

use clap::Parser;

use crate::cut::{KeepPart, Options};

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
#[command(name = "short", version, max_term_width = 100)]
pub struct Cli {
    /// Maximum display width in columns; 0 means no limit [default: $COLUMNS,
    /// then the terminal's width, then 80]
    #[arg(short, long, value_name = "N")]
    pub width: Option<usize>,

    /// Mark cut lines with "…" (the marker counts toward the width)
    #[arg(short, long)]
    pub ellipsis: bool,

    /// Mark cut lines with STR instead of "…" (implies marking)
    #[arg(short, long, value_name = "STR", value_parser = parse_marker)]
    pub marker: Option<String>,

    /// Tab stops every N columns
    #[arg(
        short,
        long,
        value_name = "N",
        default_value_t = 8,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub tab_width: u64,

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
    #[arg(short, long, value_name = "N", default_value_t = 0)]
    pub skip: usize,

    /// Files to read in order; none, or -, means standard input
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

impl Cli {
    /// How to cut, once the width is known.
    pub fn options(&self, width: usize) -> Options {
        let marker = match (&self.marker, self.ellipsis) {
            (Some(marker), _) => marker.as_bytes().to_vec(),
            (None, true) => ELLIPSIS.as_bytes().to_vec(),
            (None, false) => Vec::new(),
        };
        Options {
            width,
            marker,
            tab_width: usize::try_from(self.tab_width).unwrap_or(usize::MAX),
            terminator: if self.zero_terminated { b'\0' } else { b'\n' },
            cjk: self.cjk,
            keep: match self.keep {
                Keep::Start => KeepPart::Start,
                Keep::End => KeepPart::End,
                Keep::Middle => KeepPart::Middle,
            },
            skip: self.skip,
        }
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
    use clap::CommandFactory;

    #[test]
    fn definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn marker_implies_marking() {
        let cli = Cli::parse_from(["short", "-m", ">>"]);
        assert_eq!(cli.options(10).marker, b">>");
        let cli = Cli::parse_from(["short", "-e"]);
        assert_eq!(cli.options(10).marker, ELLIPSIS.as_bytes());
        let cli = Cli::parse_from(["short"]);
        assert!(cli.options(10).marker.is_empty());
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
}
