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
    fn start() -> Option<Tmux> {
        let socket = format!("short-test-{}", std::process::id());
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

fn scratch_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("terminal");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn quoted(path: &Path) -> String {
    format!("'{}'", path.display())
}

#[test]
fn a_cut_line_leaves_the_terminal_as_cat_does() {
    let Some(tmux) = Tmux::start() else {
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
    let dir = scratch_dir();
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
