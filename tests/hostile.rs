//! Input no one would write on purpose: gigabyte lines, endless streams,
//! escape sequences that never end, files the user may not read.

use std::fs;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::thread;

mod common;

use common::{bash, run_with_input, short, spawn_piped};

/// Starts `short -w 80 path` and returns it with its output pipe and the first
/// byte of its output, which comes when its output buffer fills: short then
/// waits on the pipe, partway through the file, until the test reads on.
fn start_until_first_output(path: &Path) -> (Child, ChildStdout, Vec<u8>) {
    let mut child = short()
        .args(["-w", "80"])
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut output = vec![0; 1];
    stdout.read_exact(&mut output).unwrap();
    (child, stdout, output)
}

/// The most memory the process has used so far, in KiB.
fn peak_rss(pid: u32) -> usize {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

const GIB: usize = 1 << 30;

/// A line of 1 GiB with no newline, generated while short reads it: the output
/// is its first 80 columns, and short's memory does not grow with the line.
#[test]
fn gigabyte_line_without_newline() {
    let mut child = spawn_piped(&["-w", "80"]);
    let mut stdin = child.stdin.take().unwrap();
    let pid = child.id();
    let writer = thread::spawn(move || -> io::Result<(usize, usize)> {
        // Mixed text, so that the line is cut inside a wide character.
        let block = "ab日本\t".repeat(1 << 14).into_bytes();
        let mut written = 0;
        let mut early_peak = 0;
        while written < GIB {
            stdin.write_all(&block)?;
            written += block.len();
            if early_peak == 0 && written > GIB / 16 {
                early_peak = peak_rss(pid);
            }
        }
        // Still running: it has not seen the end of its input.
        Ok((early_peak, peak_rss(pid)))
    });
    let mut output = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut output)
        .unwrap();
    let status = child.wait().unwrap();
    let (early_peak, late_peak) = writer.join().unwrap().unwrap();
    assert!(status.success());
    let expected = "ab日本\t".repeat(16);
    let expected = &expected[..expected.char_indices().nth(10 * 5).unwrap().0];
    assert_eq!(String::from_utf8_lossy(&output), expected);
    assert!(late_peak < 8 * 1024, "peak RSS {late_peak} KiB");
    // A page or two may come and go; a line kept in memory would be hundreds of MiB.
    assert!(
        late_peak < early_peak + 256,
        "memory grew from {early_peak} KiB to {late_peak} KiB"
    );
}

/// A file with a line of 1 GiB is mapped a window at a time: short's memory
/// does not grow with the file. The line is mostly a hole (a sparse file), so
/// the test writes little to the disk.
#[test]
fn gigabyte_line_in_a_file() {
    let path = std::env::temp_dir().join(format!("short-gigabyte-{}", std::process::id()));
    let mut file = fs::File::create(&path).unwrap();
    file.write_all("ab日本\t".repeat(100).as_bytes()).unwrap();
    file.seek(SeekFrom::Start(GIB as u64)).unwrap();
    // Enough short lines after the long one that short blocks writing them, and
    // can still be asked how much memory it took.
    let short_lines = "x\n".repeat(1 << 20);
    file.write_all(short_lines.as_bytes()).unwrap();
    drop(file);

    // The first output comes after the long line.
    let (mut child, mut stdout, mut output) = start_until_first_output(&path);
    let peak = peak_rss(child.id());
    stdout.read_to_end(&mut output).unwrap();
    let status = child.wait().unwrap();
    fs::remove_file(&path).unwrap();
    assert!(status.success());
    let expected = "ab日本\t".repeat(16);
    let expected = &expected[..expected.char_indices().nth(10 * 5).unwrap().0];
    assert!(output.starts_with(format!("{expected}\n").as_bytes()));
    // The first "x" ends the long line.
    assert!(output[expected.len() + 1..] == short_lines.as_bytes()[2..]);
    assert!(peak < 8 * 1024, "peak RSS {peak} KiB");
}

/// A large file of lines that all fit, cut by two threads where there are
/// two cores: the lines come out as they went in, and memory stays small,
/// although each thread's share of a window is one run of lines to copy. A
/// named pipe after the file holds short, once the file is cut, while its
/// peak memory is read.
#[test]
fn large_file_of_lines_that_fit() {
    let dir = std::env::temp_dir().join(format!("short-fitting-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let path = dir.join("fitting.txt");
    let text = format!("{}\n", "x".repeat(49)).repeat((64 << 20) / 50);
    fs::write(&path, &text).unwrap();
    let fifo = dir.join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let mut child = short()
        .args(["-w", "1000"])
        .arg(&path)
        .arg(&fifo)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut output = vec![0; text.len()];
    stdout.read_exact(&mut output).unwrap();
    // All of the file is out: short flushed it and waits for the pipe.
    let peak = peak_rss(child.id());
    drop(fs::File::create(&fifo).unwrap());
    let status = child.wait().unwrap();
    fs::remove_dir_all(&dir).unwrap();
    assert!(status.success());
    assert!(output == text.as_bytes());
    assert!(peak < 8 * 1024, "peak RSS {peak} KiB");
}

/// A file truncated by another program while short reads it: short reads
/// it as it now is, like `cat`, and ends well: every line it wrote is cut
/// as it should be (the last may be the start of one, where the read that
/// found the new end stopped), and it writes no byte the file no longer holds.
#[test]
fn file_truncated_while_read() {
    let path = std::env::temp_dir().join(format!("short-truncated-{}", std::process::id()));
    let line = format!("{}\n", "x".repeat(99));
    let lines = (32 << 20) / line.len();
    fs::write(&path, line.repeat(lines)).unwrap();
    // Short waits on the pipe partway through the file.
    let (child, mut stdout, mut output) = start_until_first_output(&path);
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(0)
        .unwrap();
    stdout.read_to_end(&mut output).unwrap();
    let result = child.wait_with_output().unwrap();
    fs::remove_file(&path).unwrap();
    assert!(result.status.success(), "{result:?}");
    assert!(result.stderr.is_empty(), "{result:?}");
    let cut_line = format!("{}\n", "x".repeat(80));
    let mut lines_out = output.chunks(cut_line.len()).peekable();
    while let Some(line) = lines_out.next() {
        if lines_out.peek().is_some() {
            assert_eq!(line, cut_line.as_bytes());
        } else {
            assert!(cut_line.as_bytes().starts_with(line));
        }
    }
    assert!(output.len() < lines * cut_line.len());
}

/// Widths, skips and tab stops of any size: a width no line reaches is no
/// limit, and no sum of columns wraps (the tests run a build that checks).
#[test]
fn numbers_of_any_size() {
    let max = u64::MAX.to_string();
    let near_max = (u64::MAX - 1).to_string();
    let input = "abc\tdef 日本語 e\u{301}\x1b[31mred\x1b[0m\r\n\tx\n";
    for width in [&max[..], &near_max, "4611686018427387904"] {
        for mode in [&[][..], &["-e"], &["-k", "end"], &["-k", "middle", "-e"]] {
            for tabs in [&["-t", &max[..]][..], &["-t", "8"]] {
                let mut args = vec!["-w", width];
                args.extend(mode);
                args.extend(tabs);
                let output = run_with_input(short().args(&args), input.as_bytes());
                assert!(output.status.success(), "{args:?}: {output:?}");
                assert_eq!(output.stdout, input.as_bytes(), "{args:?}");
            }
        }
    }
    for args in [
        &["-s", &max[..]][..],
        &["-s", &near_max, "-w", &near_max],
        &["-s", &near_max, "-w", "5", "-k", "end"],
        &["-s", "2", "-w", &max, "-t", &max],
    ] {
        let output = run_with_input(short().args(args), input.as_bytes());
        assert!(output.status.success(), "{args:?}: {output:?}");
        assert_eq!(output.stdout.iter().filter(|&&b| b == b'\n').count(), 2);
    }
    let output = run_with_input(short().env("COLUMNS", &near_max), input.as_bytes());
    assert!(output.status.success(), "{output:?}");
    assert_eq!(output.stdout, input.as_bytes());
}

/// An input that is also the output would grow without end: like GNU cat,
/// short refuses it and goes on with the other files.
#[test]
fn input_that_is_the_output_is_refused() {
    let dir = std::env::temp_dir().join(format!("short-input-output-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("log"), "a line\n").unwrap();
    fs::write(dir.join("other"), "other\n").unwrap();
    fs::write(dir.join("empty"), "").unwrap();
    for (script, expected_log) in [
        (r#""$SHORT" log >> log"#, "a line\n"),
        (r#""$SHORT" other log >> log"#, "a line\nother\n"),
        (r#""$SHORT" < log >> log"#, "a line\n"),
    ] {
        fs::write(dir.join("log"), "a line\n").unwrap();
        let output = bash(script).current_dir(&dir).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{script}");
        let name = if script.contains('<') { "-" } else { "log" };
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            format!("short: {name}: input file is output file\n"),
            "{script}"
        );
        assert_eq!(fs::read_to_string(dir.join("log")).unwrap(), expected_log);
    }
    // Nothing to read: nothing grows.
    let output = bash(r#""$SHORT" empty >> empty"#)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    fs::remove_dir_all(&dir).unwrap();
}

/// A name is shown in a message as GNU tools show it: it can neither send
/// the terminal an escape sequence nor forge a line of its own.
#[test]
fn names_in_messages_are_quoted() {
    let name = "evil\x1b]0;PWNED\x07\x1b[2J\nshort: fake: line";
    let output = short().arg(name).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "short: 'evil'$'\\033'']0;PWNED'$'\\a\\033''[2J'$'\\n''short: fake: line': \
         no such file or directory\n"
    );
}

/// /dev/null is output, however it was opened: for writing by a shell, or
/// for reading and writing as Python's subprocess.DEVNULL and Rust's
/// runtime open it (the latter where a standard stream was closed, which
/// short cannot tell from it).
#[test]
fn dev_null_is_output_however_opened() {
    for script in [
        r#"echo hi | "$SHORT" > /dev/null"#,
        r#"echo hi | "$SHORT" 1<> /dev/null"#,
        r#""$SHORT" 0<> /dev/null"#,
    ] {
        let output = bash(script).output().unwrap();
        assert!(output.status.success(), "{script}");
        assert!(output.stderr.is_empty(), "{script}");
    }
}

/// Runs `short args` on `line` and a newline, and returns the output and
/// the peak memory (KiB) measured once the line has been read.
fn cut_measured(args: &[&str], line: &[u8]) -> (Vec<u8>, usize) {
    let mut child = spawn_piped(args);
    let mut stdout = child.stdout.take().unwrap();
    let reader = thread::spawn(move || {
        let mut output = Vec::new();
        stdout.read_to_end(&mut output).map(|_| output)
    });
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(line).unwrap();
    let peak = peak_rss(child.id());
    stdin.write_all(b"\n").unwrap();
    drop(stdin);
    assert!(child.wait().unwrap().success(), "{args:?}");
    (reader.join().unwrap().unwrap(), peak)
}

/// The ways of cutting that hold part of a line back keep memory bounded at
/// every width, and a line that fits comes out as it came, however many
/// bytes it holds within the width.
#[test]
fn held_back_text_is_bounded_and_lines_that_fit_are_kept() {
    let digits: Vec<u8> = (0..10_000_000).map(|i| b'0' + (i % 10) as u8).collect();
    for args in [
        &["-w", "1000000", "-k", "end"][..],
        &["-w", "1000000", "-k", "middle", "-e"],
        &["-w", "1000000000", "-k", "end"],
        &["-w", "1000000000", "-k", "middle", "-e"],
        &["-w", "1000000000", "-s", "3", "-e"],
    ] {
        let (output, peak) = cut_measured(args, &digits);
        assert!(peak < 8 * 1024, "{args:?}: peak RSS {peak} KiB");
        let width: usize = args[1].parse().unwrap();
        if args.contains(&"-s") {
            assert_eq!(output[..], [&digits[3..], b"\n"].concat()[..], "{args:?}");
        } else if width > digits.len() {
            assert_eq!(output[..], [&digits[..], b"\n"].concat()[..], "{args:?}");
        } else {
            // The marker is three bytes of one column.
            let marker = if args.contains(&"-e") { 2 } else { 0 };
            assert_eq!(output.len(), width + marker + 1, "{args:?}");
        }
    }
    let progress: Vec<u8> = (0..2000)
        .map(|i| format!("[{:<74}{:>3}%]", "=".repeat(i % 70) + ">", i % 100))
        .collect::<Vec<_>>()
        .join("\r")
        .into_bytes();
    let bells = [&b"a"[..], &[7; 3_000_000], b"b"].concat();
    let tail_window = vec![b'x'; 16_385];
    for (args, line) in [
        (&["-w", "80", "-e"][..], &progress),
        (&["-w", "80", "-k", "end", "-e"], &progress),
        (&["-w", "80", "-k", "middle", "-e"], &progress),
        (&["-w", "80", "-e"], &bells),
        (&["-w", "80", "-k", "end"], &bells),
        (&["-w", "80", "-k", "middle", "-e"], &bells),
        (&["-w", "20000", "-k", "end"], &tail_window),
        (&["-w", "20000", "-k", "middle", "-e"], &tail_window),
    ] {
        let (output, peak) = cut_measured(args, line);
        assert!(peak < 8 * 1024, "{args:?}: peak RSS {peak} KiB");
        assert!(
            output == [&line[..], b"\n"].concat(),
            "{args:?}: a line that fits was changed"
        );
    }
}

/// `--around` searches the first MiB of a line: a match there shows its
/// window however long the line, one past it is no match, and memory stays
/// bounded while the line streams on (the bound of the other ways of
/// cutting, and the look-ahead).
#[test]
fn around_searches_the_first_mebibyte() {
    const LOOK_AHEAD: usize = 1 << 20;
    let line = |before: usize, after: usize| {
        [&vec![b'a'; before][..], b"needle", &vec![b'b'; after]].concat()
    };
    let args = ["-w", "20", "--around", "needle"];
    // The match starts a third of the width in: 6 columns, the marker's one.
    let window = "\u{2026}aaaaaneedlebbbbbbb\u{2026}\n";
    for (line, expected) in [
        (line(LOOK_AHEAD - 6, 10_000_000), window.to_owned()),
        (line(10_000_000, 5), format!("{}\u{2026}\n", "a".repeat(19))),
        (
            line(LOOK_AHEAD - 5, 5),
            format!("{}\u{2026}\n", "a".repeat(19)),
        ),
        (
            line(5, 10_000_000),
            "aaaaaneedlebbbbbbbb\u{2026}\n".to_owned(),
        ),
    ] {
        let (output, peak) = cut_measured(&args, &line);
        assert!(peak < 9 * 1024, "peak RSS {peak} KiB");
        assert_eq!(String::from_utf8_lossy(&output), expected);
    }
    // From a file, read 256 KiB at a time: the whole look-ahead is searched.
    let path = std::env::temp_dir().join(format!("short-around-{}", std::process::id()));
    fs::write(
        &path,
        [line(LOOK_AHEAD - 6, 1_000_000), b"\n".to_vec()].concat(),
    )
    .unwrap();
    let output = short().args(args).arg(&path).output().unwrap();
    fs::remove_file(&path).unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), window);
    // A line that fits is written as it came, however long.
    let long = line(3_000_000, 3_000_000);
    let (output, peak) = cut_measured(&["-w", "1000000000", "--around", "needle"], &long);
    assert!(peak < 9 * 1024, "peak RSS {peak} KiB");
    assert!(
        output == [&long[..], b"\n"].concat(),
        "a line that fits was changed"
    );
}

/// Endless input whose reader stops early: short ends quietly.
#[test]
fn endless_input_cut_by_head() {
    // Each script prints the byte count, then short's exit status.
    for script in [
        r#""$SHORT" -w 5 < /dev/zero | head -c 100000 | wc -c; echo ${PIPESTATUS[0]}"#,
        r#""$SHORT" -z -w 5 < /dev/zero | head -c 100000 | wc -c; echo ${PIPESTATUS[0]}"#,
        r#"yes 'a long line of text' | "$SHORT" -w 5 | head -c 100000 | wc -c; echo ${PIPESTATUS[1]}"#,
    ] {
        let output = bash(script).output().expect("run bash");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "100000\n0\n",
            "{script}"
        );
        assert!(output.stderr.is_empty(), "{script}: {output:?}");
    }
}

/// Zero-width bytes never fill a line, so a line of them is all kept.
#[test]
fn zero_width_stream_passes_through() {
    let output = bash(r#"head -c 50000000 /dev/zero | "$SHORT" -w 5 -e | wc -c"#)
        .output()
        .expect("run bash");
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "50000000");
}

/// An escape sequence that never ends is given up after 4096 bytes: the ESC
/// takes no column, what follows is text, and the next line is untouched.
#[test]
fn unending_escape_does_not_swallow_the_rest() {
    let mut input = b"\x1b]0;".to_vec();
    input.extend(b"x".repeat(10_000));
    input.extend(b"\nnext line\n");
    let output = run_with_input(short().args(["-w", "10"]), &input);
    // Cut, the string is cancelled (CAN, and ST for the terminals that read
    // CAN into a string), or the terminal would swallow the next line.
    assert_eq!(output.stdout, b"\x1b]0;xxxxxxx\x18\x1b\\\nnext line\n");
}

/// A file the user may not read, among good ones. Permissions do not bind
/// root, so the test drops to an unprivileged user when it runs as root.
#[test]
fn file_without_read_permission() {
    // Under the system's temporary directory, which the unprivileged user can
    // reach whoever owns the checkout.
    let dir = std::env::temp_dir().join(format!("short-no-permission-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good");
    let secret = dir.join("secret");
    fs::write(&good, "good file\n").unwrap();
    fs::write(&secret, "secret\n").unwrap();
    let set_mode = |path: &PathBuf, mode| {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    };
    set_mode(&dir, 0o755);
    set_mode(&good, 0o644);
    set_mode(&secret, 0o000);

    let mut command = if nix::unistd::geteuid().is_root() {
        let mut command = Command::new("setpriv");
        command.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
        command.arg(env!("CARGO_BIN_EXE_short"));
        command
    } else {
        Command::new(env!("CARGO_BIN_EXE_short"))
    };
    let output = command
        .args(["-w", "4"])
        .arg(&secret)
        .arg(&good)
        .env_remove("COLUMNS")
        .output()
        .unwrap();
    fs::remove_dir_all(&dir).unwrap();
    if output.status.code() == Some(127) || output.stderr.starts_with(b"setpriv:") {
        eprintln!("skipped: setpriv cannot drop root's privileges here");
        return;
    }
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout, b"good\n");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!("short: {}: permission denied\n", secret.display())
    );
}
