//! The one read loop: every input, file, pipe or terminal, is read into a
//! fixed buffer and handed to the [`Cutter`], which leaves at most
//! [`MAX_UNDECIDED`] bytes of it to be read again with more input.

#![forbid(unsafe_code)]

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

/// Cuts every line of `input` to `out`, reading into `buffer` (which must
/// hold more than [`MAX_UNDECIDED`] bytes; [`BUFFER_LEN`] is a good size).
/// The output is flushed before every read, so that a line is shown as soon
/// as it has arrived (`tail -f log | short`). After a read error, what was
/// read is still cut and written.
///
/// `window_width` is asked for the width after every read: when it gives a
/// new one, that width applies from the next line that starts, so a window
/// resized while lines are coming is fitted from then on. `|| None` keeps
/// the cutter's width.
///
/// ```
/// use short::{Cutter, Options, cut_stream, BUFFER_LEN};
///
/// let mut cutter = Cutter::new(Options { width: 4, ..Options::default() });
/// let mut buffer = vec![0; BUFFER_LEN];
/// let mut out = Vec::new();
/// let mut input: &[u8] = b"a line\nok\n";
/// cut_stream(&mut cutter, &mut input, &mut buffer, &mut out, || None).unwrap();
/// assert_eq!(out, b"a li\nok\n");
/// ```
pub fn cut_stream<R: Read + ?Sized, W: Write + ?Sized>(
    cutter: &mut Cutter,
    input: &mut R,
    buffer: &mut [u8],
    out: &mut W,
    mut window_width: impl FnMut() -> Option<usize>,
) -> Result<(), Error> {
    assert!(buffer.len() > MAX_UNDECIDED, "the buffer is too small");
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
        if let Some(columns) = window_width()
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
