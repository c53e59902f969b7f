//! The cutting core on arbitrary bytes and options, every way of cutting: it
//! never panics, keeps every record, writes lines that fit unchanged (so
//! cutting twice changes nothing), and gives the same output however the input
//! is split.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use short::{Cutter, KeepPart, Options};

#[derive(Arbitrary, Debug)]
struct Case {
    width: u8,
    marker: Vec<u8>,
    tab_width: u8,
    zero_terminated: bool,
    cjk: bool,
    keep: u8,
    skip: u8,
    split: u16,
    input: Vec<u8>,
}

fn cut(options: &Options, pieces: &[&[u8]]) -> Vec<u8> {
    let mut cutter = Cutter::new(options.clone());
    let mut out = Vec::new();
    let mut pending = Vec::new();
    for (i, piece) in pieces.iter().enumerate() {
        pending.extend_from_slice(piece);
        let eof = i + 1 == pieces.len();
        let consumed = cutter.process(&pending, eof, &mut out).unwrap();
        assert!(consumed <= pending.len());
        pending.drain(..consumed);
    }
    assert!(pending.is_empty(), "input left at the end");
    out
}

fuzz_target!(|case: Case| {
    // The command line refuses control characters in a marker but ESC.
    let marker: Vec<u8> = case
        .marker
        .into_iter()
        .filter(|&b| b >= 0x20 || b == 0x1b)
        .collect();
    if std::str::from_utf8(&marker).is_err() {
        return;
    }
    let options = Options {
        width: usize::from(case.width % 100),
        marker,
        tab_width: usize::from(case.tab_width % 16).max(1),
        terminator: if case.zero_terminated { b'\0' } else { b'\n' },
        cjk: case.cjk,
        keep: match case.keep % 3 {
            0 => KeepPart::Start,
            1 => KeepPart::End,
            _ => KeepPart::Middle,
        },
        skip: usize::from(case.skip % 20),
    };
    let input = &case.input;
    let once = cut(&options, &[input]);

    let records = |bytes: &[u8]| bytes.iter().filter(|&&b| b == options.terminator).count();
    assert_eq!(records(&once), records(input), "records lost or added");

    let split = usize::from(case.split) % (input.len() + 1);
    let (head, tail) = input.split_at(split);
    assert_eq!(cut(&options, &[head, tail]), once, "split at {split}");

    // Skipping again would drop more columns.
    if options.skip == 0 {
        assert_eq!(
            cut(&options, &[&once]),
            once,
            "cutting twice changed the output"
        );
    }
});
