//! The driver: reads input in large blocks (or maps a large file a window at
//! a time), hands them to the [`Cutter`], and keeps only the few bytes it
//! could not decide yet.

use std::fs::File;
use std::io::{self, ErrorKind, Read, Seek, SeekFrom, Write};
use std::sync::{Arc, Once};
use std::thread;

use memmap2::{Mmap, MmapOptions};

use crate::cut::{Cutter, MAX_UNDECIDED};
use crate::helper::Helper;
use crate::width::Terminal;

/// Reads of 256 KiB keep system calls few; the buffer never grows.
pub const BUFFER_LEN: usize = 256 * 1024;

const _: () = assert!(BUFFER_LEN > 2 * MAX_UNDECIDED);

/// A large file is mapped this much at a time: the bytes after a cut are then
/// scanned where they lie, without the copy a read makes, and the pages of one
/// window are all that is ever mapped in.
pub const MAP_WINDOW: usize = 1024 * 1024;

const _: () = assert!(MAP_WINDOW > 2 * MAX_UNDECIDED);

/// Which side of the filter an I/O error came from.
#[derive(Debug)]
pub enum Error {
    Read(io::Error),
    Write(io::Error),
}

/// Cuts every line of `input` to `out`. The output is flushed before every read,
/// so that a line is shown as soon as it has arrived (`tail -f log | short`).
/// After a read error, what was read is still cut and written.
///
/// With a `terminal` to follow, its width is asked for after every read, and
/// a new one applies from the next line that starts: a window resized while
/// lines are coming is fitted from then on.
pub fn cut_stream<R: Read + ?Sized, W: Write + ?Sized>(
    cutter: &mut Cutter,
    terminal: Option<&Terminal>,
    input: &mut R,
    buffer: &mut [u8],
    out: &mut W,
) -> Result<(), Error> {
    debug_assert!(buffer.len() > MAX_UNDECIDED);
    let mut filled = 0;
    loop {
        out.flush().map_err(Error::Write)?;
        let read = loop {
            match input.read(&mut buffer[filled..]) {
                Err(error) if error.kind() == ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        let (len, read_error) = match read {
            Ok(len) => (len, None),
            Err(error) => (0, Some(error)),
        };
        filled += len;
        let eof = len == 0;
        if let Some(columns) = terminal.and_then(Terminal::columns)
            && columns != cutter.width()
            && cutter.at_line_start()
        {
            cutter.set_width(columns);
        }
        let consumed = cutter
            .process(&buffer[..filled], eof, out)
            .map_err(Error::Write)?;
        buffer.copy_within(consumed..filled, 0);
        filled -= consumed;
        if eof {
            out.flush().map_err(Error::Write)?;
            return match read_error {
                Some(error) => Err(Error::Read(error)),
                None => Ok(()),
            };
        }
    }
}

/// Cuts every line of `file`, from where it stands, to `out`. A regular file
/// of at least [`MAP_WINDOW`] bytes is mapped a window at a time, and left
/// standing at its end; anything else, or a file the system will not map, is
/// read as a stream, following the `terminal`'s width as [`cut_stream`] does.
pub fn cut_file<W: Write + ?Sized>(
    cutter: &mut Cutter,
    terminal: Option<&Terminal>,
    file: &mut File,
    buffer: &mut [u8],
    out: &mut W,
) -> Result<(), Error> {
    // Standard input may have been read before (`(head -n 1; short) < log`).
    let Ok(start) = file.stream_position() else {
        return cut_stream(cutter, terminal, file, buffer, out);
    };
    let mut at = start;
    let mapped = thread::scope(|scope| cut_mapped(scope, cutter, file, &mut at, out))?;
    if mapped {
        out.flush().map_err(Error::Write)?;
        // Whoever shares the file's position (a shell's standard input) sees
        // it read to the end, as after a read.
        file.seek(SeekFrom::Start(at)).map_err(Error::Read)?;
        return Ok(());
    }
    if at > start {
        // What the cutter has not consumed is read again from where it starts.
        file.seek(SeekFrom::Start(at)).map_err(Error::Read)?;
    }
    cut_stream(cutter, terminal, file, buffer, out)
}

/// A mapped window of a file.
struct Window {
    map: Arc<Mmap>,
    /// The file ends with the window.
    eof: bool,
    /// Where the window's lines are split with a helper thread, which was
    /// sent its share when the window was mapped.
    split: Option<Split>,
}

/// The caller cuts a window's lines up to `helper_from`, the helper from there
/// to `helper_to`; both follow a terminator, or `helper_to` is the end of the
/// file. What follows is the start of the next window.
#[derive(Clone, Copy, Debug)]
struct Split {
    helper_from: usize,
    helper_to: usize,
}

/// A share smaller than this is not worth handing over.
const MIN_SHARE: usize = 128 * 1024;

/// How far a terminator is looked for, to end a window.
const MAX_END_SEARCH: usize = 64 * 1024;

/// A window is split only if this many lines end in the [`SPLIT_SAMPLE`]
/// bytes after where it would be split (lines of 512 bytes on average, or
/// shorter).
/// Longer lines are mostly skipped, at the speed of memory, which a second
/// thread does not raise: it only costs the handing over (200 MB of 5 to 50
/// KB lines: 29 ms on one thread, 32 ms on two; 100 MB of 500-byte lines:
/// 23 and 24 ms).
const MIN_LINES_IN_SAMPLE: usize = 32;
const SPLIT_SAMPLE: usize = 16 * 1024;

/// Cuts `file` from `*at` a mapped window at a time, while windows can be
/// mapped, moving `*at` past what was cut. Returns whether the file was cut
/// to its end.
fn cut_mapped<'scope, W: Write + ?Sized>(
    scope: &'scope thread::Scope<'scope, '_>,
    cutter: &mut Cutter,
    file: &File,
    at: &mut u64,
    out: &mut W,
) -> Result<bool, Error> {
    let Some((map, eof)) = map_next(file, *at) else {
        return Ok(false);
    };
    let mut sharer = Sharer {
        scope,
        helper: None,
        // Mapped windows hold whole lines that can be cut without waiting for
        // input, so a second core, if there is one, cuts about half of those
        // of short lines.
        spare_core: thread::available_parallelism().is_ok_and(|cores| cores.get() > 1),
        caller_share: SHARE_STEPS / 2,
    };
    let mut window = sharer.share(map, eof, cutter)?;
    loop {
        let Window { map, eof, split } = window;
        let mut next = None;
        // The next window's share is sent before this one is cut, so that the
        // helper goes on without waiting.
        if let Some(split) = split
            && !eof
            && let Some((next_map, next_eof)) = map_next(file, *at + split.helper_to as u64)
        {
            next = Some(sharer.share(next_map, next_eof, cutter)?);
        }
        match (split, &sharer.helper) {
            (Some(split), Some(helper)) => {
                cutter
                    .process(&map[..split.helper_from], true, out)
                    .map_err(Error::Write)?;
                let waited = helper.write_next(out).map_err(Error::Write)?;
                sharer.balance(waited);
                *at += split.helper_to as u64;
            }
            _ => {
                *at += cutter.process(&map, eof, out).map_err(Error::Write)? as u64;
            }
        }
        if eof {
            return Ok(true);
        }
        // Unmapped before the next window is mapped, unless that one was
        // mapped ahead for the helper.
        drop(map);
        window = match next {
            Some(next) => next,
            None => match map_next(file, *at) {
                Some((map, eof)) => sharer.share(map, eof, cutter)?,
                None => return Ok(false),
            },
        };
    }
}

/// Shares the windows of a file with a helper thread.
struct Sharer<'scope, 'env> {
    scope: &'scope thread::Scope<'scope, 'env>,
    /// Started at the first window whose lines can be split: a file of lines
    /// too long to split needs none, and a thread, even idle, makes every
    /// unmapping interrupt its core.
    helper: Option<Helper>,
    /// There is a core to spare, and the helper could be started.
    spare_core: bool,
    /// The part of a window the caller cuts, in [`SHARE_STEPS`]ths.
    caller_share: usize,
}

/// The caller's share of a window moves by this fraction of it, up to a
/// quarter of the way either side of the middle.
const SHARE_STEPS: usize = 128;
const SHARE_RANGE: std::ops::RangeInclusive<usize> = SHARE_STEPS / 4..=SHARE_STEPS * 3 / 4;

impl Sharer<'_, '_> {
    /// Splits a mapped window's lines with the helper, if there is a core for
    /// it and the window's lines are short enough, and sends the helper its
    /// share.
    fn share(&mut self, map: Mmap, eof: bool, cutter: &Cutter) -> Result<Window, Error> {
        let map = Arc::new(map);
        let mut split = None;
        let split_near = map.len() / SHARE_STEPS * self.caller_share;
        if self.spare_core
            && let Some(lines) = split_lines(&map, eof, cutter.terminator(), split_near)
        {
            if self.helper.is_none() {
                self.helper = Helper::start(self.scope, cutter);
                self.spare_core = self.helper.is_some();
            }
            if let Some(helper) = &self.helper {
                helper
                    .send(&map, lines.helper_from..lines.helper_to)
                    .map_err(Error::Write)?;
                split = Some(lines);
            }
        }
        Ok(Window { map, eof, split })
    }

    /// Moves the split of the windows to come towards where both threads
    /// finish their shares together.
    fn balance(&mut self, caller_waited: bool) {
        self.caller_share = balanced(self.caller_share, caller_waited);
    }
}

/// The caller's share of the next window, after a window in which it
/// waited for the helper or not: the caller, which also maps, unmaps and
/// writes, needs a smaller share than the helper, by how much depends on the
/// text and the machine. Cutting TSV on two cores, the helper waited 10 ms
/// a run when the caller took half of each window, the caller 5 ms when it
/// took 45 %, and either of them 1 to 3 ms at 47 %.
fn balanced(caller_share: usize, caller_waited: bool) -> usize {
    let share = if caller_waited {
        caller_share + 1
    } else {
        caller_share - 1
    };
    if SHARE_RANGE.contains(&share) {
        share
    } else {
        caller_share
    }
}

/// Maps the next window of `file`, from `at`, if it is still a file large
/// enough to map; and whether the file ends with it.
fn map_next(file: &File, at: u64) -> Option<(Mmap, bool)> {
    // The length is asked anew for every window: a file that grows is read
    // to its end as it is now, and one that shrank is not mapped past its end.
    let len = match file.metadata() {
        Ok(metadata) if metadata.is_file() => metadata.len(),
        _ => return None,
    };
    if len < MAP_WINDOW as u64 || at >= len {
        return None;
    }
    let window_len = (len - at).min(MAP_WINDOW as u64) as usize;
    let map = map_window(file, at, window_len).ok()?;
    Some((map, at + window_len as u64 == len))
}

/// Where to split a window's lines, at the first line end after `near`, if
/// lines there are short and the window's end is close enough to a
/// terminator; at the end of the file, its end is the window's.
fn split_lines(window: &[u8], eof: bool, terminator: u8, near: usize) -> Option<Split> {
    let len = window.len();
    let end = if eof {
        len
    } else {
        let from = len.saturating_sub(MAX_END_SEARCH);
        from + memchr::memrchr(terminator, &window[from..])? + 1
    };
    let sample = window.get(near..end.min(near + SPLIT_SAMPLE))?;
    let mut line_ends = memchr::memchr_iter(terminator, sample);
    let helper_from = near + line_ends.next()? + 1;
    if line_ends.take(MIN_LINES_IN_SAMPLE - 1).count() < MIN_LINES_IN_SAMPLE - 1 {
        return None;
    }
    (helper_from < end && end - helper_from >= MIN_SHARE).then_some(Split {
        helper_from,
        helper_to: end,
    })
}

#[allow(unsafe_code)]
fn map_window(file: &File, offset: u64, len: usize) -> io::Result<Mmap> {
    report_truncation();
    // SAFETY: the map is only read, and only while `file` is open. Another
    // program may still change the file under it: bytes rewritten in place are
    // read as they are now, like a read would, and a file truncated past the
    // window raises SIGBUS, which `report_truncation` has just made an error
    // (the length is checked before every window to keep that race short).
    unsafe { MmapOptions::new().offset(offset).len(len).map(file) }
}

/// Makes SIGBUS, which the system raises when a mapped file is truncated by
/// another program while short reads it, end short with a message and
/// status 1, as a read error would, rather than with a core dump. What was
/// already written stays written; what was buffered is lost.
#[cfg(unix)]
#[allow(unsafe_code)]
fn report_truncation() {
    extern "C" fn on_sigbus(_: libc::c_int) {
        const MESSAGE: &[u8] = b"short: a file was truncated while short was reading it\n";
        // SAFETY: write and _exit are async-signal-safe, and the message is
        // static.
        unsafe {
            libc::write(libc::STDERR_FILENO, MESSAGE.as_ptr().cast(), MESSAGE.len());
            libc::_exit(1);
        }
    }
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        // SAFETY: the action is zeroed and then filled as sigaction(2) wants;
        // the handler only calls async-signal-safe functions. Nothing else in
        // short handles SIGBUS.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigbus as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&raw mut action.sa_mask);
            libc::sigaction(libc::SIGBUS, &raw const action, std::ptr::null_mut());
        }
    });
}

/// Windows refuses to truncate a file while it is mapped.
#[cfg(not(unix))]
fn report_truncation() {}

#[cfg(test)]
mod tests {
    use super::*;

    /// A full window of lines of `line_len` bytes, the last one cut off.
    fn window_of_lines(line_len: usize) -> Vec<u8> {
        let line = format!("{}\n", "x".repeat(line_len - 1));
        let mut window = line.repeat(MAP_WINDOW / line_len + 1).into_bytes();
        window.truncate(MAP_WINDOW);
        window
    }

    #[test]
    fn short_lines_are_split_after_the_middle_and_end_with_the_last_line() {
        let window = window_of_lines(100);
        let split = split_lines(&window, false, b'\n', window.len() / 2).unwrap();
        let half = window.len() / 2;
        assert!((half + 1..=half + 100).contains(&split.helper_from));
        assert_eq!(window[split.helper_from - 1], b'\n');
        assert!((window.len() - 99..=window.len()).contains(&split.helper_to));
        assert_eq!(window[split.helper_to - 1], b'\n');
        // At the end of the file, the last line is the helper's too.
        let split = split_lines(&window, true, b'\n', window.len() / 2).unwrap();
        assert_eq!(split.helper_to, window.len());
    }

    #[test]
    fn lines_are_split_after_where_the_share_ends() {
        let window = window_of_lines(100);
        let split = split_lines(&window, false, b'\n', 300_050).unwrap();
        assert_eq!(split.helper_from, 300_100);
    }

    #[test]
    fn shares_move_towards_the_slower_thread_within_their_range() {
        let mut share = SHARE_STEPS / 2;
        share = balanced(share, true);
        assert_eq!(share, SHARE_STEPS / 2 + 1);
        for _ in 0..SHARE_STEPS {
            share = balanced(share, false);
        }
        assert_eq!(share, *SHARE_RANGE.start());
        for _ in 0..SHARE_STEPS {
            share = balanced(share, true);
        }
        assert_eq!(share, *SHARE_RANGE.end());
    }

    #[test]
    fn long_lines_are_not_split() {
        assert!(split_lines(&window_of_lines(400), false, b'\n', MAP_WINDOW / 2).is_some());
        assert!(split_lines(&window_of_lines(600), false, b'\n', MAP_WINDOW / 2).is_none());
        assert!(split_lines(&window_of_lines(40_000), false, b'\n', MAP_WINDOW / 2).is_none());
    }
}
