//! A second thread for a mapped file, on a machine with more than one core:
//! it cuts the lines of the second half of each window while the caller cuts
//! those of the first, and hands its output back, in order, to be written.
//!
//! Its share of a window starts after a terminator and ends with one (or at
//! the end of the file), so its cutter starts every share at the start of a
//! line, and no state passes between the two threads but the output.

use std::io::{self, ErrorKind, Write};
use std::mem;
use std::ops::Range;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvError, Sender, SyncSender, TryRecvError};
use std::thread::{self, Scope};
use std::time::{Duration, Instant};

use memmap2::Mmap;

use crate::cut::Cutter;
use crate::stream::BUFFER_LEN;

/// The helper's output goes back in chunks of this many bytes, as large as
/// the writer's buffer so that the writer passes them on without a copy.
const CHUNK_LEN: usize = BUFFER_LEN;

/// The caller's end of the helper thread.
#[derive(Debug)]
pub(crate) struct Helper {
    jobs: SyncSender<Job>,
    messages: Receiver<Message>,
    empty_chunks: Sender<Vec<u8>>,
}

/// Whole lines of a window, to cut as the last input.
struct Job {
    window: Arc<Mmap>,
    lines: Range<usize>,
}

enum Message {
    /// Output of the oldest job not done, in order.
    Chunk(Vec<u8>),
    /// The oldest job not done is done.
    Done(io::Result<()>),
}

impl Helper {
    /// Starts a helper thread in `scope` with a cutter like `cutter`, unless
    /// the system refuses a thread.
    pub(crate) fn start<'scope>(scope: &'scope Scope<'scope, '_>, cutter: &Cutter) -> Option<Self> {
        // The caller sends the next window's share before it cuts the current
        // one, so the helper goes from one share to the next without waiting.
        // Only after the helper is done with a share does the caller send the
        // one after the next, so two places are enough.
        let (jobs, job_queue) = mpsc::sync_channel(2);
        // Four messages in flight let the helper cut the next share while the
        // caller writes the output of one that fits in a chunk (a chunk and
        // `Done` each), and bound what it holds.
        let (message_sender, messages) = mpsc::sync_channel(4);
        let (empty_chunks, empty_queue) = mpsc::channel();
        let twin = cutter.twin();
        thread::Builder::new()
            .name("short-helper".into())
            .spawn_scoped(scope, move || {
                serve(twin, &job_queue, &message_sender, &empty_queue);
            })
            .ok()?;
        Some(Helper {
            jobs,
            messages,
            empty_chunks,
        })
    }

    /// Hands over `window[lines]`: whole lines, after which the window's
    /// input ends or a line starts.
    pub(crate) fn send(&self, window: &Arc<Mmap>, lines: Range<usize>) -> io::Result<()> {
        let job = Job {
            window: Arc::clone(window),
            lines,
        };
        self.jobs.send(job).map_err(|_| stopped())
    }

    /// Writes the output of the oldest share not yet written, waiting for the
    /// helper to finish it; and whether there was any waiting.
    pub(crate) fn write_next<W: Write + ?Sized>(&self, out: &mut W) -> io::Result<bool> {
        let mut waited = false;
        loop {
            let message = match self.messages.try_recv() {
                Ok(message) => message,
                Err(TryRecvError::Empty) => {
                    waited = true;
                    recv_soon(&self.messages).map_err(|_| stopped())?
                }
                Err(TryRecvError::Disconnected) => return Err(stopped()),
            };
            match message {
                Message::Chunk(mut chunk) => {
                    out.write_all(&chunk)?;
                    chunk.clear();
                    // The helper may have ended, and with it the need for it.
                    let _ = self.empty_chunks.send(chunk);
                }
                Message::Done(result) => return result.map(|()| waited),
            }
        }
    }
}

fn stopped() -> io::Error {
    io::Error::other("the helper thread stopped")
}

/// How long a thread that waits for the other looks again and again before
/// it sleeps. The two meet at every window, and with their shares balanced
/// one of them waits a little each time; one that sleeps must be woken by a
/// system call of the other, and on a virtual machine it only runs again
/// tens of microseconds later (TSV on two cores: 240 sleeps a run without
/// this, 50 with it).
const SPIN: Duration = Duration::from_micros(50);

/// The next message from `receiver`, looked for without sleeping for
/// [`SPIN`] first.
fn recv_soon<T>(receiver: &Receiver<T>) -> Result<T, RecvError> {
    let start = Instant::now();
    while start.elapsed() < SPIN {
        match receiver.try_recv() {
            Ok(message) => return Ok(message),
            Err(TryRecvError::Disconnected) => return Err(RecvError),
            Err(TryRecvError::Empty) => std::hint::spin_loop(),
        }
    }
    receiver.recv()
}

/// The helper thread: cuts the jobs until the caller drops its end.
fn serve(
    mut cutter: Cutter,
    jobs: &Receiver<Job>,
    messages: &SyncSender<Message>,
    empty_chunks: &Receiver<Vec<u8>>,
) {
    let mut chunks = ChunkSender {
        chunk: Vec::new(),
        messages,
        empty_chunks,
    };
    while let Ok(Job { window, lines }) = recv_soon(jobs) {
        let result = cutter
            .process(&window[lines], true, &mut chunks)
            .and_then(|_| chunks.flush());
        // The caller unmaps the window as soon as it is done with it.
        drop(window);
        if messages.send(Message::Done(result)).is_err() {
            return;
        }
    }
}

/// The helper's output, sent a chunk at a time; the caller sends each chunk
/// back empty to be filled again.
struct ChunkSender<'a> {
    chunk: Vec<u8>,
    messages: &'a SyncSender<Message>,
    empty_chunks: &'a Receiver<Vec<u8>>,
}

impl ChunkSender<'_> {
    fn send(&mut self) -> io::Result<()> {
        let empty = self
            .empty_chunks
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(CHUNK_LEN));
        let full = mem::replace(&mut self.chunk, empty);
        // The caller is gone only after a write error of its own.
        self.messages
            .send(Message::Chunk(full))
            .map_err(|_| io::Error::from(ErrorKind::BrokenPipe))
    }
}

impl Write for ChunkSender<'_> {
    /// Takes what fills the chunk: a run of lines that fit is written at once,
    /// and would otherwise make a chunk as large as the helper's share.
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let taken = bytes.len().min(CHUNK_LEN - self.chunk.len());
        self.chunk.extend_from_slice(&bytes[..taken]);
        if self.chunk.len() == CHUNK_LEN {
            self.send()?;
        }
        Ok(taken)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        self.send()
    }
}
