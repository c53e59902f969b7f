//! The driver: reads input in large blocks (or maps a large file a window at
//! a time), hands them to the [`Cutter`], and keeps only the few bytes it
//! could not decide yet.

use std::fs::File;
use std::io::{self, ErrorKind, Read, Seek, SeekFrom, Write};
use std::sync::Once;

use memmap2::{Mmap, MmapOptions};

use crate::cut::{Cutter, MAX_UNDECIDED};

/// Reads of 256 KiB keep system calls few; the buffer never grows.
pub const BUFFER_LEN: usize = 256 * 1024;

const _: () = assert!(BUFFER_LEN > 2 * MAX_UNDECIDED);

/// A large file is mapped this much at a time: the bytes after a cut are then
/// scanned where they lie, without the copy a read makes, and the pages of one
/// window are all that is ever mapped in.
pub const MAP_WINDOW: usize = 2 * 1024 * 1024;

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
pub fn cut_stream<R: Read + ?Sized, W: Write + ?Sized>(
    cutter: &mut Cutter,
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
/// read as a stream.
pub fn cut_file<W: Write + ?Sized>(
    cutter: &mut Cutter,
    file: &mut File,
    buffer: &mut [u8],
    out: &mut W,
) -> Result<(), Error> {
    // Standard input may have been read before (`(head -n 1; short) < log`).
    let Ok(start) = file.stream_position() else {
        return cut_stream(cutter, file, buffer, out);
    };
    let mut at = start;
    loop {
        // The length is asked anew for every window: a file that grows is read to
        // its end as it is now, and one that shrank is not mapped past its end.
        let len = match file.metadata() {
            Ok(metadata) if metadata.is_file() => metadata.len(),
            _ => break,
        };
        if len < MAP_WINDOW as u64 || at >= len {
            break;
        }
        let window_len = (len - at).min(MAP_WINDOW as u64) as usize;
        let Ok(window) = map_window(file, at, window_len) else {
            break;
        };
        let eof = at + window_len as u64 == len;
        let consumed = cutter.process(&window, eof, out).map_err(Error::Write)?;
        at += consumed as u64;
        if eof {
            out.flush().map_err(Error::Write)?;
            // Whoever shares the file's position (a shell's standard input)
            // sees it read to the end, as after a read.
            file.seek(SeekFrom::Start(at)).map_err(Error::Read)?;
            return Ok(());
        }
    }
    if at > start {
        // What the cutter has not consumed is read again from where it starts.
        file.seek(SeekFrom::Start(at)).map_err(Error::Read)?;
    }
    cut_stream(cutter, file, buffer, out)
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
