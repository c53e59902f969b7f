//! The man page and shell completions are generated from the clap definition and
//! checked in, so that packagers ship them as they are. These tests fail when a
//! checked-in file differs from what the current definition generates;
//! `SHORT_REGENERATE=1 cargo test --test generated` writes them anew.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;
use clap_mangen::Man;
use roff::{Roff, bold, italic, roman};

use short::cli::Cli;

/// The date of the version the man page describes, changed with it.
const RELEASE_DATE: &str = "2026-12-03";

fn man_page() -> Vec<u8> {
    let command = Cli::command();
    let man = Man::new(command.clone()).manual("User Commands");
    let mut page = Vec::new();
    page.extend_from_slice(title_name_and_synopsis(&command).as_bytes());
    man.render_description_section(&mut page).unwrap();
    man.render_options_section(&mut page).unwrap();
    page.extend_from_slice(sections_clap_does_not_know().as_bytes());
    man.render_version_section(&mut page).unwrap();
    escape_non_ascii(&String::from_utf8(page).unwrap()).into_bytes()
}

/// The title with the date where man(7) puts it, the name in the usual
/// lower-case form, and a synopsis that names each option's value.
fn title_name_and_synopsis(command: &clap::Command) -> String {
    let version = command.get_version().unwrap_or_default();
    let mut roff = Roff::new();
    roff.control(
        "TH",
        [
            "SHORT",
            "1",
            RELEASE_DATE,
            &format!("short {version}"),
            "User Commands",
        ],
    );
    roff.control("SH", ["NAME"]);
    let about = command
        .get_about()
        .map(ToString::to_string)
        .unwrap_or_default();
    let about = about.trim_end_matches('.');
    let mut chars = about.chars();
    let lower: String = chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect())
        .unwrap_or_default();
    roff.text([roman(format!("short - {lower}"))]);
    roff.control("SH", ["SYNOPSIS"]);
    let mut synopsis = vec![bold("short")];
    for arg in command.get_arguments() {
        if matches!(arg.get_id().as_str(), "help" | "version") {
            continue;
        }
        let value = arg
            .get_action()
            .takes_values()
            .then(|| arg.get_value_names().and_then(|names| names.first()))
            .flatten()
            .map(ToString::to_string);
        synopsis.push(roman(" ["));
        match (arg.get_short(), arg.get_long(), value) {
            (_, _, Some(value)) if arg.is_positional() => {
                synopsis.push(italic(value));
                synopsis.push(roman("..."));
            }
            (Some(short), _, value) => {
                synopsis.push(bold(format!("-{short}")));
                if let Some(value) = value {
                    synopsis.push(roman(" "));
                    synopsis.push(italic(value));
                }
            }
            (None, Some(long), value) => {
                synopsis.push(bold(format!("--{long}")));
                if let Some(value) = value {
                    synopsis.push(roman(" "));
                    synopsis.push(italic(value));
                }
            }
            _ => {}
        }
        synopsis.push(roman("]"));
    }
    roff.text(synopsis);
    roff.to_roff()
}

/// groff reads its input as Latin-1 unless told otherwise, so characters such
/// as "…" are written as the roff escape `\[u2026]`, which every groff and
/// mandoc renders.
fn escape_non_ascii(page: &str) -> String {
    page.chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                format!("\\[u{:04X}]", u32::from(c))
            }
        })
        .collect()
}

/// What the help text has no room for, written in the man page's own terms.
fn sections_clap_does_not_know() -> String {
    let mut roff = Roff::new();

    roff.control("SH", ["CUTTING"]);
    roff.text([roman(
        "A cut never splits a grapheme cluster (a letter and its combining marks, an emoji \
         sequence, a flag) or an escape sequence. A wide character that would straddle the \
         last column is left out whole, so the line may come out one column short. A tab \
         counts to the next tab stop and is left out when that stop lies beyond the width. \
         A carriage return followed by a newline is kept; a lone carriage return sends the \
         column back to 0, as on a terminal. Bytes that are not UTF-8 count one column each; \
         other control characters count none. Widths are those of the unicode-width \
         crate, but for the ambiguous letters with --cjk (Greek, Cyrillic, \u{e9}), which \
         that crate's CJK table counts one column and CJK terminals draw in two, \
         U+00AD SOFT HYPHEN, which terminals draw in one column (two with --cjk), a \
         regional indicator without its pair, which they draw in two whatever marks \
         follow it, a character that a VS16 after its marks makes an emoji, which they \
         draw in two as when the VS16 follows it at once, and the spacing \
         marks (such as U+09BE BENGALI VOWEL SIGN AA), punctuation and Prepend characters (such as \
         U+0D4E MALAYALAM LETTER DOT REPH) of no width to that crate, which they draw in \
         one besides the character they join, and a letter that crate folds into the one \
         before it (a Khmer subscript after U+17D2 KHMER SIGN COENG), which keeps its column.",
    )]);
    roff.control("PP", []);
    roff.text([
        roman(
            "Escape sequences take no columns and are always kept whole. When a cut line leaves \
         a colour (SGR) on, ",
        ),
        bold("short"),
        roman(
            " writes ESC[0m after the kept text, and closes an OSC 8 hyperlink left open, \
             so the colour does not bleed into the next line. An escape sequence that has \
             not ended after 4096 bytes is not one: its ESC takes no column, and the bytes \
             after it count as text.",
        ),
    ]);
    roff.control("PP", []);
    roff.text([roman(
        "A cut line leaves the terminal as cat of the line would, or with the modes it \
         switched back to their defaults, and never inside an escape sequence: after the \
         kept text come CAN (0x18) if a sequence broken off there could still be going on \
         (CAN and ST if one ran past 4096 bytes), the colour reset and link close, then \
         what switches back each mode the kept text left away from its default (DEC \
         private and ANSI modes such as the cursor, the alternate screen, the mouse, \
         insert and autowrap; the character sets of ESC ( 0 and Shift Out; the keypad; \
         the scroll region), then the marker.",
    )]);
    roff.control("PP", []);
    roff.text([
        roman("With "),
        bold("--keep end"),
        roman(", a cut line keeps its last columns after the marker; with "),
        bold("--keep middle"),
        roman(
            ", its first and last columns with the marker between them, the first part \
             getting the extra column when the width left is odd. ",
        ),
        bold("--skip N"),
        roman(
            " drops the first N columns of every line before it is cut; a wide character \
             or tab across that boundary leaves spaces for its columns past it. A tab in a \
             kept end, or after a skip, is written as the spaces it took in the line, since \
             the output's tab stops are not the line's. Colours and an OSC 8 link in force \
             where kept text resumes are written again there, and the marker is never in \
             the colour of the text. A lone carriage return in a kept end takes no column.",
        ),
    ]);
    roff.control("PP", []);
    roff.text([
        roman("With "),
        bold("--around PATTERN"),
        roman(
            ", a line that does not fit shows the window of the width around the first \
             match of PATTERN in its text, its escape sequences left out (so the colours \
             of grep --color=always do not hide a match): the match starts a third of the \
             width from the left, where the eye starts reading a line, with the marker \
             (\u{2026} unless -m gives another) at each side where text was dropped. The \
             window moves right so that the whole match shows when it fits between the \
             markers (else its start shows), and left so that it does not run past the \
             line's end; a window that would start before the line is its start, cut as \
             usual. When the width leaves no column between two markers, the window is at \
             the line's start or at its end. Colours and an OSC 8 link in force where the \
             window starts are written again after its first marker, as after --skip. \
             Lines that fit, and lines with no match in their first 1 MiB (1048576 \
             bytes), are cut as usual. PATTERN is a regular expression of the Rust regex \
             crate, matched on bytes: (?i) makes it ignore case, -F takes it as a fixed \
             string, and one that can match the empty string is refused. Since a line is \
             searched before any of it is written, with --around a line shows when it \
             ends (or when 1 MiB of it has come), not as it arrives.",
        ),
    ]);
    roff.control("PP", []);
    roff.text([roman(
        "Lines that fit are written unchanged, byte for byte. Every line in gives one line \
         out, and a missing final newline stays missing. Memory does not grow with the \
         length of a line: the cut part of a long line is read and dropped, never stored, \
         and memory stays under 8 MiB at any width. Files, pipes and terminals are all \
         read the same way, through one buffer of 256 KiB; a file that another program \
         truncates meanwhile is read as it now is, as cat reads it. Widths, skips and \
         tab widths of any size are taken: a width past what any line reaches is no \
         limit. At the end of what has been read so far, a last character with room to \
         spare is written at once, so a prompt shows whole before its answer. File \
         names in messages are quoted as GNU coreutils quote them.",
    )]);

    roff.control("SH", ["TERMINALS DRAW SOME CLUSTERS DIFFERENTLY"]);
    roff.text([roman(
        "Emoji sequences (a skin tone, a family joined by ZWJs, a flag, a keycap), Hangul \
         jamo and Indic conjuncts are one grapheme cluster each. Some terminals draw such \
         a cluster as one picture, in the width of the whole; others draw it code point \
         by code point, and a skin-tone emoji then takes four columns, a family six. \
         --cluster-width (or SHORT_CLUSTER_WIDTH) says which: whole, sum, or auto, the \
         default, which reads the environment as below, and takes the larger of the two \
         for each cluster where the terminal is not known, so that a line fits either \
         way (a column too many only cuts a line short). A cluster of one code point has \
         the same width in every mode.",
    )]);
    for (signs, how) in [
        (
            "TMUX, or TERM_PROGRAM=tmux, or TERM=tmux*",
            "sum (tmux draws the screen, whatever terminal it runs in)",
        ),
        ("STY, or TERM=screen*", "sum (GNU screen)"),
        (
            "KITTY_WINDOW_ID or TERM=xterm-kitty; TERM_PROGRAM=WezTerm, iTerm.app or ghostty; \
             TERM=xterm-ghostty; WT_SESSION",
            "whole (kitty, WezTerm, iTerm2, Ghostty, Windows Terminal)",
        ),
        (
            "VTE_VERSION; ALACRITTY_WINDOW_ID, ALACRITTY_SOCKET or TERM=alacritty; \
             XTERM_VERSION; TERM=linux",
            "sum (GNOME Terminal and other VTE terminals, Alacritty, xterm, the Linux console)",
        ),
        ("none of these", "the larger of whole and sum"),
    ] {
        tagged(&mut roff, signs, how);
    }
    roff.control("PP", []);
    roff.text([roman(
        "To set it for good, put export SHORT_CLUSTER_WIDTH=sum (or whole) in the shell's \
         startup file.",
    )]);

    roff.control("SH", ["ENVIRONMENT"]);
    tagged(
        &mut roff,
        "COLUMNS",
        "The width to cut to when no -w is given, if it is a positive whole number. Otherwise the \
         width of the terminal on standard output, standard error, standard input or \
         /dev/tty (the first that is a terminal) is used, and 80 when there is none; \
         when standard output is a regular file, no terminal is asked, and the width is \
         80. A width taken from a terminal follows its window: the lines that start \
         after the window is resized (tail -f log | short) fit its new width.",
    );

    tagged(
        &mut roff,
        "SHORT_CLUSTER_WIDTH",
        "auto, whole or sum: how the terminal draws clusters of several code points, when \
         --cluster-width is not given (see TERMINALS DRAW SOME CLUSTERS DIFFERENTLY).",
    );

    roff.control("SH", ["EXIT STATUS"]);
    for (status, meaning) in [
        (
            "0",
            "Every file was read and all output was written, or the reader of the output went away (a closed pipe, as in short big.log | head).",
        ),
        (
            "1",
            "A file could not be read or was the output file (the others are still cut), \
             or the output could not be written.",
        ),
        ("2", "The command line was wrong."),
    ] {
        tagged(&mut roff, status, meaning);
    }

    roff.control("SH", ["EXAMPLES"]);
    for (command, what) in [
        (
            "grep --color=always error app.log | short",
            "Search results, one screen line each, colours kept and reset at the cut.",
        ),
        (
            "grep -n foo bundle.js | short --around foo",
            "Minified code or one-line JSON: each line shows the columns around foo, \
             not the start of a line that could be a megabyte long.",
        ),
        (
            "tail -f /var/log/syslog | short -e",
            "Follow a log without wrapping, marking cut lines; each line shows as soon as \
             it arrives.",
        ),
        (
            "find . | short --keep end -e",
            "Long paths, each cut to its end so that the file name shows.",
        ),
        (
            "rg --color=always -n 'user_id=\\d+' logs/ | short --around 'user_id=\\d+'",
            "The window around a regular expression, in ripgrep's coloured output.",
        ),
        (
            "short -w 40 notes.txt",
            "The first 40 columns of each line.",
        ),
        (
            "git log --oneline --color=always | short -e",
            "One commit a line, with \u{2026} where a subject was cut.",
        ),
        (
            "ps aux | short",
            "Process lists with long command lines, without wrapping.",
        ),
        (
            "short -w 100 --tab-width 4 data.tsv",
            "Tab-separated columns with tab stops every 4 columns.",
        ),
    ] {
        tagged(&mut roff, command, what);
    }

    roff.control("SH", ["SEE ALSO"]);
    roff.text([
        bold("cut"),
        roman("(1), "),
        bold("colrm"),
        roman("(1), "),
        bold("fold"),
        roman("(1), "),
        bold("less"),
        roman("(1) with "),
        italic("-S"),
    ]);
    roff.to_roff()
}

/// A paragraph of `text` under a bold `tag`, as man pages list options.
fn tagged(roff: &mut Roff, tag: &str, text: &str) {
    roff.control("TP", []);
    roff.text([bold(tag)]);
    roff.text([roman(text)]);
}

fn completion(shell: Shell) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "short", &mut script);
    script
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Compares `path` with what was generated, or writes it when regenerating.
fn check_or_write(path: &Path, generated: &[u8]) {
    if env::var_os("SHORT_REGENERATE").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, generated).unwrap();
        return;
    }
    let checked_in = fs::read(path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{} is stale: run `SHORT_REGENERATE=1 cargo test --test generated` and commit it",
        path.display()
    );
}

#[test]
fn man_page_is_fresh() {
    check_or_write(&root().join("man/short.1"), &man_page());
}

#[test]
fn completions_are_fresh() {
    for (shell, name) in [
        (Shell::Bash, "short.bash"),
        (Shell::Zsh, "_short"),
        (Shell::Fish, "short.fish"),
        (Shell::Elvish, "short.elv"),
        (Shell::PowerShell, "_short.ps1"),
    ] {
        check_or_write(&root().join("completions").join(name), &completion(shell));
    }
}

#[test]
fn man_page_has_the_expected_sections() {
    let page = String::from_utf8(man_page()).unwrap();
    for section in [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "OPTIONS",
        "ENVIRONMENT",
        "\"EXIT STATUS\"",
        "EXAMPLES",
        "\"SEE ALSO\"",
    ] {
        assert!(
            page.contains(&format!(".SH {section}\n")),
            "missing section {section}"
        );
    }
}
