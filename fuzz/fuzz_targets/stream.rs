//! The streaming driver over a reader that returns arbitrary read sizes: the
//! output is the same as when the whole input arrives at once.
#![no_main]

use std::io::{self, Read};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use short::{BUFFER_LEN, Cutter, KeepPart, Options, cut_stream};

#[derive(Arbitrary, Debug)]
struct Case {
    width: u32,
    ellipsis: bool,
    keep_end: bool,
    sizes: Vec<u8>,
    input: Vec<u8>,
}

struct Chunked<'a> {
    input: &'a [u8],
    sizes: &'a [u8],
    turn: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let size = match self.sizes {
            [] => buf.len(),
            sizes => usize::from(sizes[self.turn % sizes.len()]).max(1),
        };
        self.turn += 1;
        let len = size.min(buf.len()).min(self.input.len());
        buf[..len].copy_from_slice(&self.input[..len]);
        self.input = &self.input[len..];
        Ok(len)
    }
}

fuzz_target!(|case: Case| {
    let options = Options {
        // Small widths mostly, and the bounds of what is held back.
        width: match case.width >> 24 {
            0..=200 => (case.width % 100) as usize,
            _ => (case.width & 0x1f_ffff) as usize,
        },
        marker: if case.ellipsis {
            "…".into()
        } else {
            Vec::new()
        },
        keep: if case.keep_end {
            KeepPart::End
        } else {
            KeepPart::Start
        },
        ..Options::default()
    };
    let mut whole = Vec::new();
    Cutter::new(options.clone())
        .process(&case.input, true, &mut whole)
        .unwrap();

    let mut streamed = Vec::new();
    let mut buffer = vec![0; BUFFER_LEN];
    let mut reader = Chunked {
        input: &case.input,
        sizes: &case.sizes,
        turn: 0,
    };
    cut_stream(
        &mut Cutter::new(options),
        &mut reader,
        &mut buffer,
        &mut streamed,
        || None,
    )
    .unwrap();
    assert_eq!(streamed, whole);
});
