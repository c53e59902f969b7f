//! Which width applies: the flag, `COLUMNS`, the terminal, or 80; and the
//! terminal to ask again when its window is resized.

#![forbid(unsafe_code)]

use std::ffi::{OsStr, OsString};

use crate::cut::ClusterWidth;
use std::fs::File;
#[cfg(unix)]
use std::os::fd::AsFd as AsTerminal;
#[cfg(windows)]
use std::os::windows::io::AsHandle as AsTerminal;

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

/// How the terminal in use draws clusters of several code points, from the
/// variables it (or a multiplexer in it) sets, read by `var`: tmux and GNU
/// screen draw the screen the user sees whatever terminal they run in, so
/// they come first; then the terminals known to draw one picture; then
/// those known to draw code points; the larger of the two otherwise.
pub fn drawn_clusters(var: impl Fn(&str) -> Option<OsString>) -> ClusterWidth {
    let text = |name: &str| var(name).map(|value| value.to_string_lossy().into_owned());
    let set = |name: &str| var(name).is_some_and(|value| !value.is_empty());
    let term = text("TERM").unwrap_or_default();
    let program = text("TERM_PROGRAM").unwrap_or_default();
    if set("TMUX") || program == "tmux" || term.starts_with("tmux") {
        return ClusterWidth::Sum;
    }
    if set("STY") || term.starts_with("screen") {
        return ClusterWidth::Sum;
    }
    if set("KITTY_WINDOW_ID")
        || term == "xterm-kitty"
        || program == "WezTerm"
        || program == "iTerm.app"
        || program == "ghostty"
        || term == "xterm-ghostty"
        || set("WT_SESSION")
    {
        return ClusterWidth::Whole;
    }
    if set("VTE_VERSION")
        || set("ALACRITTY_WINDOW_ID")
        || set("ALACRITTY_SOCKET")
        || set("ALACRITTY_LOG")
        || term == "alacritty"
        || set("XTERM_VERSION")
        || term == "linux"
    {
        return ClusterWidth::Sum;
    }
    ClusterWidth::Larger
}

/// The terminal whose window gave the width, kept to be asked again: a
/// window can be resized while lines are still coming (`tail -f log | short`).
#[derive(Debug)]
pub enum Terminal {
    Stdout,
    Stderr,
    Stdin,
    /// The controlling terminal, `/dev/tty`.
    Controlling(File),
}

impl Terminal {
    /// The first of stdout, stderr, stdin and the controlling terminal that is
    /// a terminal and knows its width, with that width: `short | less` still
    /// fits the window the user is looking at.
    pub fn find() -> Option<(Terminal, usize)> {
        for terminal in [Terminal::Stdout, Terminal::Stderr, Terminal::Stdin] {
            if let Some(columns) = terminal.columns() {
                return Some((terminal, columns));
            }
        }
        let controlling = Terminal::Controlling(File::open("/dev/tty").ok()?);
        let columns = controlling.columns()?;
        Some((controlling, columns))
    }

    /// The width of its window now, if it still has one.
    pub fn columns(&self) -> Option<usize> {
        match self {
            Terminal::Stdout => columns_of(std::io::stdout()),
            Terminal::Stderr => columns_of(std::io::stderr()),
            Terminal::Stdin => columns_of(std::io::stdin()),
            Terminal::Controlling(tty) => columns_of(tty),
        }
    }
}

/// The columns of the terminal on `terminal`, if it is one and knows them. A
/// pseudo-terminal whose columns were set but not its rows (`stty cols 100`
/// under `script`) still has a width, as `ls` and `stty` take it.
#[cfg(unix)]
fn columns_of(terminal: impl AsTerminal) -> Option<usize> {
    let size = rustix::termios::tcgetwinsize(terminal).ok()?;
    (size.ws_col > 0).then_some(usize::from(size.ws_col))
}

#[cfg(windows)]
fn columns_of(terminal: impl AsTerminal) -> Option<usize> {
    let (terminal_size::Width(columns), _) = terminal_size::terminal_size_of(terminal)?;
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

    fn drawn_in(vars: &[(&str, &str)]) -> ClusterWidth {
        drawn_clusters(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| OsString::from(value))
        })
    }

    #[test]
    fn clusters_are_drawn_as_the_terminal_in_use_draws_them() {
        for (vars, expected) in [
            (
                &[
                    ("TMUX", "/tmp/tmux-0/default,1,0"),
                    ("TERM", "tmux-256color"),
                ][..],
                ClusterWidth::Sum,
            ),
            (
                &[("TERM", "xterm-kitty"), ("TMUX", "/tmp/t,1,0")],
                ClusterWidth::Sum,
            ),
            (
                &[("STY", "123.pts-0"), ("TERM", "screen")],
                ClusterWidth::Sum,
            ),
            (
                &[("VTE_VERSION", "7600"), ("TERM", "xterm-256color")],
                ClusterWidth::Sum,
            ),
            (
                &[("ALACRITTY_WINDOW_ID", "1"), ("TERM", "alacritty")],
                ClusterWidth::Sum,
            ),
            (&[("XTERM_VERSION", "XTerm(379)")], ClusterWidth::Sum),
            (&[("TERM", "linux")], ClusterWidth::Sum),
            (
                &[("TERM", "xterm-kitty"), ("KITTY_WINDOW_ID", "1")],
                ClusterWidth::Whole,
            ),
            (&[("TERM_PROGRAM", "WezTerm")], ClusterWidth::Whole),
            (&[("TERM_PROGRAM", "iTerm.app")], ClusterWidth::Whole),
            (
                &[("TERM", "xterm-ghostty"), ("TERM_PROGRAM", "ghostty")],
                ClusterWidth::Whole,
            ),
            (&[("WT_SESSION", "0c1a")], ClusterWidth::Whole),
            (&[("TERM", "xterm-256color")], ClusterWidth::Larger),
            (&[], ClusterWidth::Larger),
        ] {
            assert_eq!(drawn_in(vars), expected, "{vars:?}");
        }
    }

    #[test]
    fn terminal_then_fallback() {
        assert_eq!(resolve(None, None, || Some(40)), 40);
        assert_eq!(resolve(None, None, no_terminal), FALLBACK_WIDTH);
    }
}
