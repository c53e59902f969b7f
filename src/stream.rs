//! The driver: reads input in large blocks, hands them to the [`Cutter`], and
//! keeps only the few bytes it could not decide yet.

use std::io::{self, ErrorKind, Read, Write};

use crate::cut::{Cutter, MAX_UNDECIDED};

/// Reads of 256 KiB keep system calls few; the buffer never grows.
pub const BUFFER_LEN: usize = 256 * 1024;

const _: () = assert!(BUFFER_LEN > 2 * MAX_UNDECIDED);

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
