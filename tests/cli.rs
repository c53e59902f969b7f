//! The binary as a user meets it: terminals, pipes that stay open, files that
//! cannot be read, outputs that go away.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

mod common;

use common::{bash, run_with_input, short, spawn_piped};
use nix::pty::{OpenptyResult, Winsize, openpty};

fn scratch_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs short with its stdout and stderr on a pseudo-terminal of `columns`
/// columns, and returns what the terminal received.
fn on_terminal(columns: u16, args: &[&str], input: &[u8]) -> String {
    on_terminal_of_size(24, columns, args, input)
}

/// A pseudo-terminal of `rows` and `columns`.
fn terminal(rows: u16, columns: u16) -> OpenptyResult {
    let size = Winsize {
        ws_row: rows,
        ws_col: columns,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    openpty(&size, None).expect("a pseudo-terminal")
}

fn on_terminal_of_size(rows: u16, columns: u16, args: &[&str], input: &[u8]) -> String {
    let pty = terminal(rows, columns);
    let mut child = short()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(pty.slave.try_clone().unwrap())
        .stderr(pty.slave.try_clone().unwrap())
        .spawn()
        .expect("run short");
    drop(pty.slave);
    child.stdin.take().unwrap().write_all(input).unwrap();
    let mut master = File::from(pty.master);
    let mut screen = Vec::new();
    // Linux ends a read on the master with EIO once the last slave is closed.
    let mut chunk = [0; 4096];
    while let Ok(len) = master.read(&mut chunk) {
        if len == 0 {
            break;
        }
        screen.extend_from_slice(&chunk[..len]);
    }
    assert!(child.wait().unwrap().success());
    // The terminal turns each newline into CR LF.
    String::from_utf8(screen).unwrap().replace("\r\n", "\n")
}

#[test]
fn width_comes_from_the_terminal() {
    let line = "0123456789".repeat(10) + "\n";
    let screen = on_terminal(37, &[], line.as_bytes());
    assert_eq!(screen, format!("{}\n", &line[..37]));
}

/// A terminal that knows its columns but reports no rows (`stty cols 37`
/// under `script`) still gives the width, as it does to `ls`.
#[test]
fn terminal_without_rows_still_gives_its_width() {
    let line = "0123456789".repeat(10) + "\n";
    let screen = on_terminal_of_size(0, 37, &[], line.as_bytes());
    assert_eq!(screen, format!("{}\n", &line[..37]));
}

/// A terminal that reports no columns gives no width: the next one asked
/// does.
#[test]
fn terminal_of_no_columns_is_passed_over() {
    let no_columns = terminal(24, 0);
    let stderr = terminal(24, 20);
    let output = short()
        .stdin(Stdio::piped())
        .stdout(no_columns.slave.try_clone().unwrap())
        .stderr(stderr.slave.try_clone().unwrap())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(&[b'y'; 50])?;
            child.wait()
        })
        .unwrap();
    assert!(output.success());
    drop(no_columns.slave);
    let mut screen = Vec::new();
    let mut chunk = [0; 4096];
    let mut master = File::from(no_columns.master);
    while let Ok(len) = master.read(&mut chunk) {
        if len == 0 {
            break;
        }
        screen.extend_from_slice(&chunk[..len]);
    }
    assert_eq!(screen, [b'y'; 20]);
}

#[test]
fn width_flag_beats_the_terminal() {
    let screen = on_terminal(37, &["-w", "5", "-e"], "日本語テキスト\n".as_bytes());
    assert_eq!(screen, "日本…\n");
}

#[test]
fn columns_beats_the_terminal() {
    let pty = terminal(24, 37);
    let output = short()
        .env("COLUMNS", "12")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(pty.slave.try_clone().unwrap())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(&[b'x'; 50])?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(output.stdout, [b'x'; 12]);
}

#[test]
fn stderr_terminal_sets_the_width_of_a_pipe() {
    // `short | less`: stdout is a pipe, the user still looks at the terminal.
    let pty = terminal(24, 20);
    let output = short()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(pty.slave.try_clone().unwrap())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(&[b'y'; 50])?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(output.stdout, [b'y'; 20]);
}

#[test]
fn no_terminal_means_80_columns() {
    // A session of its own has no controlling terminal to ask.
    let mut detached = Command::new("setsid");
    detached
        .arg("--wait")
        .arg(env!("CARGO_BIN_EXE_short"))
        .env_remove("COLUMNS");
    let output = run_with_input(&mut detached, &[b'z'; 100]);
    assert_eq!(output.stdout, [b'z'; 80]);
}

#[test]
fn a_line_is_shown_before_the_input_ends() {
    // `tail -f log | short`: the pipe stays open after the line.
    for (args, expected) in [
        (&["-w", "4"][..], "firs\n"),
        (&["-w", "8", "--around", "line"], "\u{2026}st line\n"),
    ] {
        let mut child = spawn_piped(args);
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        stdin.write_all(b"first line\n").unwrap();
        stdin.flush().unwrap();
        let (sender, receiver) = mpsc::channel();
        thread::spawn(move || {
            let mut chunk = [0; 64];
            let len = stdout.read(&mut chunk).unwrap_or(0);
            let _ = sender.send(chunk[..len].to_vec());
        });
        // Generous: this only fails when the line never comes.
        let shown = receiver.recv_timeout(Duration::from_secs(20));
        drop(stdin);
        child.wait().unwrap();
        let shown = shown.expect("the line while the pipe is open");
        assert_eq!(String::from_utf8_lossy(&shown), expected, "{args:?}");
    }
}

/// A prompt (`read -p`, a download's percentage) shows whole in a terminal
/// before its line ends, as it does with cat.
#[test]
fn a_prompt_shows_whole_before_its_newline() {
    let pty = terminal(24, 80);
    let mut child = short()
        .stdin(Stdio::piped())
        .stdout(pty.slave.try_clone().unwrap())
        .stderr(pty.slave.try_clone().unwrap())
        .spawn()
        .unwrap();
    drop(pty.slave);
    let mut stdin = child.stdin.take().unwrap();
    let mut master = File::from(pty.master);
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let mut screen = Vec::new();
        let mut chunk = [0; 256];
        while let Ok(len) = master.read(&mut chunk) {
            if len == 0 {
                break;
            }
            screen.extend_from_slice(&chunk[..len]);
            let _ = sender.send(screen.clone());
        }
    });
    let mut shown = Vec::new();
    for prompt in ["Continue [y/N]:", "y\nDownloading 45%"] {
        stdin.write_all(prompt.as_bytes()).unwrap();
        stdin.flush().unwrap();
        let wanted = if prompt.starts_with('y') {
            "Downloading 45%"
        } else {
            "Continue [y/N]:"
        };
        // Generous: this only fails when the prompt never comes whole.
        let start = std::time::Instant::now();
        while !String::from_utf8_lossy(&shown).contains(wanted)
            && start.elapsed() < Duration::from_secs(20)
        {
            if let Ok(screen) = receiver.recv_timeout(Duration::from_millis(100)) {
                shown = screen;
            }
        }
        assert!(
            String::from_utf8_lossy(&shown).contains(wanted),
            "{shown:?}"
        );
    }
    drop(stdin);
    child.wait().unwrap();
}

/// Written to a file, lines take `COLUMNS` or 80 columns, whatever the
/// window of whoever runs short: a script's output does not change with it.
#[test]
fn a_file_is_cut_to_columns_or_80() {
    let dir = scratch_dir("file-width");
    for (columns, expected) in [(None, 80), (Some("30"), 30)] {
        let pty = terminal(24, 20);
        let path = dir.join("out.txt");
        let mut command = short();
        if let Some(columns) = columns {
            command.env("COLUMNS", columns);
        }
        let status = command
            .stdin(Stdio::piped())
            .stdout(File::create(&path).unwrap())
            .stderr(pty.slave.try_clone().unwrap())
            .spawn()
            .and_then(|mut child| {
                child.stdin.take().unwrap().write_all(&[b'z'; 100])?;
                child.wait()
            })
            .unwrap();
        assert!(status.success());
        assert_eq!(
            fs::read(&path).unwrap(),
            vec![b'z'; expected],
            "{columns:?}"
        );
    }
}

#[test]
fn a_resized_window_is_fitted_from_the_next_line() {
    let line = "0123456789".repeat(10);
    assert_eq!(
        shown_while_resizing(&[], &line),
        [&line[..30], &line[..12], &line[..45]]
    );
    // The window of --around at the line's end, after its marker.
    let ends = [
        "\u{2026}".to_owned() + &line[71..],
        "\u{2026}".to_owned() + &line[89..],
        "\u{2026}".to_owned() + &line[56..],
    ];
    assert_eq!(shown_while_resizing(&["--around", "89$"], &line), ends);
}

/// The lines shown of `line` three times over, by `short args` in a
/// terminal of 30 columns, then 12, then 45.
fn shown_while_resizing(args: &[&str], line: &str) -> Vec<String> {
    // `tail -f log | short` in a window that the user makes narrower, then
    // wider: the terminal is on stderr here, so that stdout can be read back.
    let pty = terminal(24, 30);
    let mut child = short()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(pty.slave.try_clone().unwrap())
        .spawn()
        .expect("run short");
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let _ = sender.send(line.unwrap());
        }
    });
    let mut shown = Vec::new();
    for columns in [30, 12, 45] {
        if columns != 30 {
            let resized = rustix::termios::Winsize {
                ws_row: 24,
                ws_col: columns,
                ws_xpixel: 0,
                ws_ypixel: 0,
            };
            rustix::termios::tcsetwinsize(&pty.master, resized).unwrap();
        }
        stdin.write_all(format!("{line}\n").as_bytes()).unwrap();
        // Generous: this only fails when the line never comes.
        shown.push(receiver.recv_timeout(Duration::from_secs(20)).unwrap());
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
    shown
}

#[test]
fn unreadable_files_are_reported_and_the_rest_still_cut() {
    let dir = scratch_dir("unreadable");
    let good = dir.join("good.txt");
    fs::write(&good, "good file line\n").unwrap();
    let missing = dir.join("missing.txt");
    let output = run_with_input(
        short()
            .args(["-w", "4"])
            .arg(&missing)
            .arg(&dir)
            .arg("-")
            .arg(&good),
        b"from stdin\n",
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout, b"from\ngood\n");
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        format!(
            "short: {}: no such file or directory\nshort: {}: is a directory\n",
            missing.display(),
            dir.display()
        )
    );
}

#[test]
fn files_are_read_in_order_each_from_its_own_first_line() {
    let dir = scratch_dir("in-order");
    let first = dir.join("first");
    let second = dir.join("second");
    fs::write(&first, "abcdef\nno newline at the end").unwrap();
    fs::write(&second, "second file\n").unwrap();
    let output = short()
        .args(["-w", "3"])
        .arg(&first)
        .arg(&second)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(output.stdout, b"abc\nno sec\n");
}

/// A large file is cut exactly as the same bytes read from a pipe, whatever
/// falls on the edges of the reads: characters, escape sequences, CRLFs, and
/// a line longer than the buffer.
#[test]
fn large_file_is_cut_as_its_stream() {
    let pieces: [&[u8]; 10] = [
        b"plain words ",
        "日本語".as_bytes(),
        "e\u{301}".as_bytes(),
        b"\x1b[1;31mred\x1b[0m ",
        b"\t",
        "👩\u{200d}🔬".as_bytes(),
        "🇫🇷".as_bytes(),
        b"\x1b]8;;https://example.com\x1b\\link\x1b]8;;\x1b\\",
        b"\r\n",
        b"\n",
    ];
    let mut text = Vec::new();
    let mut seed = 0x2545_f491_u32;
    let mut add_pieces = |text: &mut Vec<u8>, until: usize| {
        while text.len() < until {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            text.extend_from_slice(pieces[seed as usize % pieces.len()]);
        }
    };
    add_pieces(&mut text, 5 << 20);
    text.extend("長".repeat(2 << 20).as_bytes());
    add_pieces(&mut text, 14 << 20);
    let dir = scratch_dir("large-file");
    let path = dir.join("large.txt");
    fs::write(&path, &text).unwrap();
    for args in [
        &["-w", "80"][..],
        &["-w", "7", "-e"],
        &["-w", "30", "-k", "end"],
        &["-w", "20", "-s", "5"],
    ] {
        let from_file = short().args(args).arg(&path).output().unwrap();
        let from_pipe = run_with_input(short().args(args), &text);
        assert!(from_file.status.success(), "{args:?}");
        assert!(
            from_file.stdout == from_pipe.stdout,
            "{args:?}: the file and the pipe were cut differently"
        );
    }
}

/// A large file redirected to standard input is cut from where the shell's
/// position stands, as a read would, and is left read to its end.
#[test]
fn large_file_on_stdin_is_cut_from_its_position() {
    let dir = scratch_dir("large-stdin");
    let path = dir.join("large.txt");
    let line = format!("{}\n", "x".repeat(120));
    let text = format!("abcdefghij\n{}last line\n", line.repeat(30_000));
    fs::write(&path, &text).unwrap();
    // dd reads exactly three bytes; what short leaves is counted after it.
    let output = bash(r#"{ dd bs=3 count=1 of=/dev/null 2>/dev/null; "$SHORT" -w 5; echo "left: $(wc -c)"; } < "$FILE""#)
        .env("FILE", &path)
        .output()
        .unwrap();
    let from_pipe = run_with_input(short().args(["-w", "5"]), &text.as_bytes()[3..]);
    let mut expected = from_pipe.stdout;
    expected.extend(b"left: 0\n");
    assert!(output.status.success(), "{output:?}");
    assert!(output.stdout.starts_with(b"defgh\nxxxxx\n"));
    assert!(
        output.stdout == expected,
        "stdin and the pipe were cut differently"
    );
}

/// A named pipe cannot be sought in: it is read as a stream.
#[test]
fn named_pipe_is_read_as_a_stream() {
    let dir = scratch_dir("named-pipe");
    let fifo = dir.join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let writer = {
        let fifo = fifo.clone();
        thread::spawn(move || fs::write(fifo, "abcdef\nghi\n"))
    };
    let output = short().args(["-w", "2"]).arg(&fifo).output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(output.stdout, b"ab\ngh\n");
}

#[test]
fn bad_usage_exits_2() {
    for args in [
        &["-w", "x"][..],
        &["--no-such-option"],
        &["-t", "0"],
        &["-w"],
        &["--around", "("],
        &["--around", "x*"],
        &["--around", "x", "--keep", "end"],
        &["--around", "x", "-k", "middle"],
        &["--around", "x", "--skip", "1"],
        &["-F"],
    ] {
        let output = short().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("error:"));
    }
}

/// The lines that the closed-pipe and full-disk tests cut: long enough to be
/// cut at 10 columns, and in a file, enough of them to fill many reads.
const LINE_TO_CUT: &[u8] = b"a line that is long enough to be cut\n";

fn large_file_to_cut(name: &str) -> PathBuf {
    let path = scratch_dir(name).join("large.txt");
    fs::write(&path, LINE_TO_CUT.repeat(200_000)).unwrap();
    path
}

/// Reads the first bytes `child` writes, closes its output, and checks that
/// it ends quietly.
fn assert_ends_quietly_when_output_closes(mut child: Child) {
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0; 6];
    stdout.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"a line");
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn closed_output_pipe_ends_quietly() {
    let mut child = short()
        .args(["-w", "10"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = thread::spawn(move || {
        let lines = LINE_TO_CUT.repeat(1000);
        // Ends with an error once short has gone.
        while stdin.write_all(&lines).is_ok() {}
    });
    assert_ends_quietly_when_output_closes(child);
    writer.join().unwrap();
}

#[test]
fn closed_output_pipe_ends_a_large_file_quietly() {
    let child = short()
        .args(["-w", "10"])
        .arg(large_file_to_cut("closed-pipe"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert_ends_quietly_when_output_closes(child);
}

#[test]
fn full_disk_is_an_error() {
    for file in [PathBuf::from("Cargo.toml"), large_file_to_cut("full-disk")] {
        let output = short()
            .args(["-w", "10"])
            .arg(&file)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{}", file.display());
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            "short: write error: no space left on device\n"
        );
    }
}
