//! In a real terminal (tmux): after `short -w 20` of a line, the terminal is
//! left as `cat` of the line leaves it, and the next line is shown.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

/// A tmux server of this test's own, ended when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(test: &str) -> Option<Tmux> {
        let socket = format!("short-{test}-{}", std::process::id());
        // A session that lasts the whole test keeps the server up: one that
        // lost its last session would be exiting as the next one starts.
        let started = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "keeper",
            ])
            .args(["sleep", "600"])
            .status()
            .is_ok_and(|status| status.success());
        started.then_some(Tmux { socket })
    }

    fn tmux(&self, args: &[&str]) -> String {
        let output = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("run tmux");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs `command` in a window of `columns` and `rows`, and returns the
    /// rows it filled and the lines it wrote (a line that wrapped fills more
    /// than one row).
    fn rows_and_lines(&self, name: &str, columns: u16, rows: u16, command: &str) -> (usize, usize) {
        let (screen, joined) = self.screen(name, columns, rows, command);
        (screen.len(), joined.len())
    }

    /// Runs `command` in a window of `columns` and `rows`, and returns the
    /// rows it filled, and the same joined where a line wrapped.
    fn screen(
        &self,
        name: &str,
        columns: u16,
        rows: u16,
        command: &str,
    ) -> (Vec<String>, Vec<String>) {
        let script = format!("{command}; printf 'done'; sleep 60");
        let (columns, rows) = (columns.to_string(), rows.to_string());
        self.tmux(&[
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            &columns,
            "-y",
            &rows,
            "sh",
            "-c",
            &script,
        ]);
        let start = Instant::now();
        let mut screen = String::new();
        while start.elapsed() < Duration::from_secs(10) && !screen.contains("done") {
            thread::sleep(Duration::from_millis(50));
            screen = self.tmux(&["capture-pane", "-p", "-t", name]);
        }
        let joined = self.tmux(&["capture-pane", "-p", "-J", "-t", name]);
        self.tmux(&["kill-session", "-t", name]);
        let written = |text: &str| -> Vec<String> {
            text.lines()
                .take_while(|line| !line.starts_with("done"))
                .map(str::to_owned)
                .collect()
        };
        (written(&screen), written(&joined))
    }

    /// Runs `command` in a new 80-column window, then prints `next`; returns
    /// the pane's modes and whether `next` was shown as text on a line of
    /// its own.
    fn run(&self, name: &str, command: &str) -> (String, bool) {
        let script = format!("{command}; printf 'next\\n'; sleep 60");
        self.tmux(&[
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            "80",
            "-y",
            "24",
            "sh",
            "-c",
            &script,
        ]);
        let start = Instant::now();
        let mut shown = false;
        while start.elapsed() < Duration::from_secs(10) && !shown {
            thread::sleep(Duration::from_millis(50));
            let screen = self.tmux(&["capture-pane", "-p", "-t", name]);
            shown = screen.lines().any(|line| line == "next");
        }
        let modes = self.tmux(&[
            "display",
            "-p",
            "-t",
            name,
            "#{cursor_flag} #{alternate_on} #{mouse_any_flag} #{insert_flag} \
             #{keypad_flag} #{wrap_flag} #{origin_flag}",
        ]);
        self.tmux(&["kill-session", "-t", name]);
        (modes, shown)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("terminal")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn quoted(path: &Path) -> String {
    format!("'{}'", path.display())
}

#[test]
fn a_cut_line_leaves_the_terminal_as_cat_does() {
    let Some(tmux) = Tmux::start("modes") else {
        eprintln!("skipped: tmux is not installed");
        return;
    };
    let text = "x".repeat(60);
    let long = "y".repeat(5000);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("cursor", format!("\x1b[?25l{text}\x1b[?25h").into()),
        ("alternate", format!("\x1b[?1049h{text}\x1b[?1049l").into()),
        (
            "mouse",
            format!("\x1b[?1000;1006h{text}\x1b[?1000;1006l").into(),
        ),
        ("insert", format!("\x1b[4h{text}\x1b[4l").into()),
        ("keypad", format!("\x1b={text}\x1b>").into()),
        ("wrap", format!("\x1b[?7l{text}\x1b[?7h").into()),
        ("origin", format!("\x1b[?6h{text}\x1b[?6l").into()),
        ("scroll", format!("\x1b[2;20r{text}\x1b[r").into()),
        ("charset", format!("\x1b(0{text}\x1b(B").into()),
        ("shift", format!("\x1b)0\x0e{text}\x0f").into()),
        ("title", format!("\x1b]0;{long}\x07{text}").into()),
        (
            "link",
            format!("\x1b]8;;http://e.x/{long}\x1b\\link\x1b]8;;\x1b\\{text}").into(),
        ),
        ("dcs", format!("\x1bP{long}\x1b\\{text}").into()),
        ("apc", format!("\x1b_{long}\x1b\\{text}").into()),
        (
            "params",
            format!("\x1b[{}m{text}\x1b[m", "1;".repeat(2500)).into(),
        ),
        (
            "fragment",
            format!("abcdefghijklmnopqrs\x1b\u{e9}{text}").into(),
        ),
        (
            "broken",
            format!("abcdefghijklmnopqrs\x1b[1\u{e9}{text}").into(),
        ),
    ];
    let dir = scratch_dir("modes");
    let short = env!("CARGO_BIN_EXE_short");
    for (name, line) in cases {
        let path = dir.join(name);
        let mut bytes = line.clone();
        bytes.push(b'\n');
        fs::write(&path, bytes).unwrap();
        let (cat_modes, cat_shown) =
            tmux.run(&format!("{name}-cat"), &format!("cat {}", quoted(&path)));
        let (short_modes, short_shown) = tmux.run(
            &format!("{name}-short"),
            &format!("'{short}' -w 20 {}", quoted(&path)),
        );
        assert!(cat_shown, "{name}: the next line after cat");
        assert!(short_shown, "{name}: the next line after short");
        assert_eq!(
            short_modes, cat_modes,
            "{name}: the modes after short and after cat"
        );
    }
}

/// Emoji sequences as Unicode's emoji-test.txt lists them: each skin tone on
/// people and hands, and families and other sequences joined by ZWJs.
fn emoji_test_lines() -> Vec<String> {
    let tones = [
        '\u{1F3FB}',
        '\u{1F3FC}',
        '\u{1F3FD}',
        '\u{1F3FE}',
        '\u{1F3FF}',
    ];
    let bases = [
        '\u{1F44D}',
        '\u{270B}',
        '\u{1F469}',
        '\u{1F9D1}',
        '\u{1F44B}',
        '\u{1F64F}',
    ];
    let mut lines = Vec::new();
    for base in bases {
        for tone in tones {
            let code_points = format!("{:04X} {:04X}", u32::from(base), u32::from(tone));
            lines.push(format!(
                "{code_points} ; fully-qualified # {base}{tone} E1.0 with a skin tone"
            ));
        }
    }
    for sequence in [
        "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}",
        "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}",
        "\u{1F469}\u{1F3FD}\u{200D}\u{1F4BB}",
        "\u{1F3F3}\u{FE0F}\u{200D}\u{1F308}",
        "\u{1F9D1}\u{1F3FF}\u{200D}\u{1F91D}\u{200D}\u{1F9D1}\u{1F3FB}",
    ] {
        let code_points: Vec<String> = sequence
            .chars()
            .map(|c| format!("{:04X}", u32::from(c)))
            .collect();
        lines.push(format!(
            "{} ; fully-qualified # {sequence} E2.0 joined",
            code_points.join(" ")
        ));
    }
    lines
}

/// In tmux, which draws a skin-tone emoji as its two parts, the default
/// (auto, which finds tmux) wraps no row at any width.
#[test]
fn emoji_sequences_wrap_no_row_in_tmux() {
    let Some(tmux) = Tmux::start("emoji") else {
        eprintln!("skipped: tmux is not installed");
        return;
    };
    let dir = scratch_dir("emoji");
    let path = dir.join("emoji-test.txt");
    let lines = emoji_test_lines();
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    let short = env!("CARGO_BIN_EXE_short");
    for columns in [20, 30, 45] {
        let command = format!("'{short}' {}", quoted(&path));
        let (rows, lines_shown) =
            tmux.rows_and_lines(&format!("emoji-{columns}"), columns, 60, &command);
        assert_eq!(lines_shown, lines.len(), "{columns} columns: lines shown");
        assert_eq!(
            rows,
            lines.len(),
            "{columns} columns: rows filled (a line wrapped)"
        );
    }
}

/// Minified code as `grep --color=always -n` shows it, the match anywhere
/// in lines of a few hundred to a few thousand columns, among CJK and emoji.
fn minified_lines() -> Vec<String> {
    let code = "n.d=function(e,t,r){n.o(e,t)||Object.defineProperty(e,t,{enumerable:!0,get:r})};";
    let prose = "\u{691c}\u{7d22}\u{7d50}\u{679c} \u{1F44D}\u{1F3FD} caf\u{e9} ";
    (1..=12)
        .map(|i| {
            let before = format!("{}{}", code.repeat(i * 3), prose.repeat(i % 4));
            let after = format!("{}{}", prose.repeat(i % 3), code.repeat(40 / i));
            format!("{before}renderWidget(e,{i}){after}")
        })
        .collect()
}

/// `grep --color=always -n PATTERN | short --around PATTERN` in tmux: one
/// row a line, each showing the match, at every width.
#[test]
fn around_shows_each_match_in_tmux() {
    let Some(tmux) = Tmux::start("around") else {
        eprintln!("skipped: tmux is not installed");
        return;
    };
    let dir = scratch_dir("around");
    let path = dir.join("bundle.js");
    let lines = minified_lines();
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    let short = env!("CARGO_BIN_EXE_short");
    for columns in [24, 40, 80, 132] {
        let command = format!(
            "grep --color=always -n renderWidget {} | '{short}' --around renderWidget",
            quoted(&path)
        );
        let (rows, joined) = tmux.screen(&format!("around-{columns}"), columns, 60, &command);
        assert_eq!(joined.len(), lines.len(), "{columns} columns: lines shown");
        assert_eq!(rows.len(), lines.len(), "{columns} columns: a line wrapped");
        for row in &rows {
            assert!(row.contains("renderWidget"), "{columns} columns: {row:?}");
            assert!(
                row.starts_with('\u{2026}') && row.trim_end().ends_with('\u{2026}'),
                "{row:?}"
            );
        }
    }
}
