//! Which width applies: the flag, `COLUMNS`, the terminal, or 80.

use std::ffi::OsStr;
use std::fs::File;

use terminal_size::{Width, terminal_size_of};

/// The width when nothing says otherwise, as for a classic terminal.
pub const FALLBACK_WIDTH: usize = 80;

/// The first that applies: `flag`; `columns` (the `COLUMNS` variable) when it
/// holds a positive integer; `terminal()`; [`FALLBACK_WIDTH`].
pub fn resolve(
    flag: Option<usize>,
    columns: Option<&OsStr>,
    terminal: impl FnOnce() -> Option<usize>,
) -> usize {
    flag.or_else(|| columns.and_then(positive_integer))
        .or_else(terminal)
        .unwrap_or(FALLBACK_WIDTH)
}

fn positive_integer(value: &OsStr) -> Option<usize> {
    let value = value.to_str()?;
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok().filter(|&n| n > 0)
}

/// The width of the terminal on stdout, stderr, stdin, or else the controlling
/// terminal: `short | less` still fits the window the user is looking at.
pub fn terminal_width() -> Option<usize> {
    let size = terminal_size_of(std::io::stdout())
        .or_else(|| terminal_size_of(std::io::stderr()))
        .or_else(|| terminal_size_of(std::io::stdin()))
        .or_else(|| terminal_size_of(File::open("/dev/tty").ok()?))?;
    let (Width(columns), _) = size;
    Some(usize::from(columns))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_terminal() -> Option<usize> {
        None
    }

    #[test]
    fn flag_comes_first() {
        assert_eq!(resolve(Some(5), Some(OsStr::new("30")), || Some(40)), 5);
        assert_eq!(resolve(Some(0), Some(OsStr::new("30")), || Some(40)), 0);
    }

    #[test]
    fn columns_when_a_positive_integer() {
        assert_eq!(resolve(None, Some(OsStr::new("30")), || Some(40)), 30);
        for ignored in [
            "0",
            "-3",
            "abc",
            "",
            " 30",
            "+30",
            "99999999999999999999999",
        ] {
            assert_eq!(resolve(None, Some(OsStr::new(ignored)), || Some(40)), 40);
        }
    }

    #[test]
    fn terminal_then_fallback() {
        assert_eq!(resolve(None, None, || Some(40)), 40);
        assert_eq!(resolve(None, None, no_terminal), FALLBACK_WIDTH);
    }
}
