//! The cutting core on arbitrary bytes and options, every way of cutting: it
//! never panics, keeps every record, writes lines that fit unchanged (so
//! cutting twice changes nothing), gives the same output however the input
//! is split, and leaves a terminal as `cat` of the line would, or with the
//! modes the line switched back to their defaults, and never inside an
//! escape sequence or string.
//!
//! With `--around`, any pattern the regex crate takes.
//!
//! Widths, skips and tab widths reach from 0 to `usize::MAX`, weighted
//! toward the bounds (4 KiB, 16 KiB, 64 KiB, 1 MiB); the input may be
//! repeated up to 100 KiB to reach them. Run with `-max_len=102400`.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use short::{ClusterWidth, Cutter, KeepPart, Options, Pattern};

#[derive(Arbitrary, Debug)]
struct Case {
    width: Number,
    marker: Vec<u8>,
    tab_width: Number,
    zero_terminated: bool,
    cjk: bool,
    keep: u8,
    skip: Number,
    around: Option<String>,
    fixed_strings: bool,
    split: u32,
    repeat: u8,
    input: Vec<u8>,
}

/// A number near one of the edges that matter.
#[derive(Arbitrary, Debug)]
enum Number {
    Small(u8),
    NearBound { bound: u8, offset: i8 },
    NearMax(u8),
    Any(u64),
}

impl Number {
    fn value(&self) -> usize {
        match *self {
            Number::Small(n) => usize::from(n % 100),
            Number::NearBound { bound, offset } => {
                let bound: usize = [4096, 16 * 1024, 64 * 1024, 1024 * 1024][usize::from(bound % 4)];
                bound.saturating_add_signed(isize::from(offset))
            }
            Number::NearMax(k) => usize::MAX - usize::from(k),
            Number::Any(n) => n as usize,
        }
    }
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

/// What a terminal is reading, as the DEC parser (vt100.net) has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reading {
    Text,
    Escape,
    Sequence,
    String { osc: bool },
}

/// A small terminal: what it is reading, and the modes a line may switch.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Terminal {
    reading: Reading,
    /// DEC private and ANSI modes that are not at their defaults.
    modes: Vec<(bool, u32, bool)>,
    charsets: [u8; 4],
    shifted: bool,
    keypad: bool,
    region: bool,
}

impl Terminal {
    fn new() -> Self {
        Terminal {
            reading: Reading::Text,
            modes: Vec::new(),
            charsets: [b'B'; 4],
            shifted: false,
            keypad: false,
            region: false,
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        let mut sequence = Vec::new();
        for &b in bytes {
            match (self.reading, b) {
                (_, 0x18 | 0x1a) => self.reading = Reading::Text,
                (Reading::String { osc: true }, 0x07) => self.reading = Reading::Text,
                // An ESC ends the string: with `\` the two are ST, and
                // with anything else it starts a sequence of its own.
                (Reading::String { .. }, 0x1b) => {
                    self.reading = Reading::Escape;
                    sequence = vec![b];
                }
                (Reading::String { .. }, _) => {}
                (_, 0x1b) => {
                    self.reading = Reading::Escape;
                    sequence = vec![b];
                }
                (Reading::Text, 0x0e) => self.shifted = true,
                (Reading::Text, 0x0f) => self.shifted = false,
                (_, 0x00..=0x1f) => {}
                (Reading::Text, _) => {}
                // Right after the ESC only: after an intermediate, these
                // are final bytes like any other.
                (Reading::Escape, b'[') if sequence.len() == 1 => {
                    self.reading = Reading::Sequence;
                    sequence.push(b);
                }
                (Reading::Escape, b']' | b'P' | b'X' | b'^' | b'_') if sequence.len() == 1 => {
                    self.reading = Reading::String { osc: b == b']' }
                }
                // After ESC, intermediates go on and 0x30..=0x7E ends it;
                // in a CSI, parameters and intermediates go on.
                (Reading::Escape, 0x20..=0x2f) | (Reading::Sequence, 0x20..=0x3f) => {
                    sequence.push(b)
                }
                (Reading::Escape, 0x30..=0x7e) | (Reading::Sequence, 0x40..=0x7e) => {
                    sequence.push(b);
                    self.apply(&sequence);
                    self.reading = Reading::Text;
                }
                // Terminals differ on other bytes in a sequence: tmux drops
                // them and reads on.
                (Reading::Escape | Reading::Sequence, _) => {}
            }
        }
    }

    fn apply(&mut self, sequence: &[u8]) {
        match sequence {
            [0x1b, b'='] => self.keypad = true,
            [0x1b, b'>'] => self.keypad = false,
            &[0x1b, g @ (b'(' | b')' | b'*' | b'+'), set] => {
                self.charsets[usize::from(g - b'(')] = set;
            }
            [0x1b, b'[', params @ .., b'r'] if params.iter().all(|b| b.is_ascii_digit() || *b == b';') => {
                self.region = !matches!(params, b"" | b";" | b"1");
            }
            [0x1b, b'[', params @ .., last @ (b'h' | b'l')] => {
                let (private, numbers) = match params {
                    [b'?', rest @ ..] => (true, rest),
                    _ => (false, params),
                };
                if !numbers.iter().all(|b| b.is_ascii_digit() || *b == b';') {
                    return;
                }
                for number in numbers.split(|&b| b == b';') {
                    let Some(number) = std::str::from_utf8(number).ok().and_then(|n| n.parse::<u16>().ok()) else {
                        continue;
                    };
                    let default = private && (number == 7 || number == 25);
                    let on = *last == b'h';
                    self.modes.retain(|&(p, n, _)| (p, n) != (private, u32::from(number)));
                    if on != default {
                        self.modes.push((private, u32::from(number), on));
                    }
                }
            }
            _ => {}
        }
    }
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
        width: case.width.value(),
        marker,
        tab_width: case.tab_width.value().max(1),
        terminator: if case.zero_terminated { b'\0' } else { b'\n' },
        cjk: case.cjk,
        keep: match case.keep % 3 {
            0 => KeepPart::Start,
            1 => KeepPart::End,
            _ => KeepPart::Middle,
        },
        skip: case.skip.value(),
        cluster_widths: match case.keep / 3 % 3 {
            0 => ClusterWidth::Whole,
            1 => ClusterWidth::Sum,
            _ => ClusterWidth::Larger,
        },
        around: None,
    };
    // The command line refuses --around with another part kept or a skip.
    let around = case
        .around
        .and_then(|pattern| Pattern::new(&pattern, case.fixed_strings).ok());
    let options = match around {
        Some(pattern) => Options {
            keep: KeepPart::Start,
            skip: 0,
            around: Some(pattern),
            ..options
        },
        None => options,
    };
    let repeat = usize::from(case.repeat).min(102_400 / case.input.len().max(1)).max(1);
    let input = &case.input.repeat(repeat);
    let once = cut(&options, &[input]);

    let records = |bytes: &[u8]| bytes.iter().filter(|&&b| b == options.terminator).count();
    assert_eq!(records(&once), records(input), "records lost or added");

    let split = case.split as usize % (input.len() + 1);
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

    // Each line cut (from the start, as a pager shows it) leaves the terminal
    // reading text, with each mode as the whole line leaves it or at its
    // default.
    if options.keep == KeepPart::Start && options.skip == 0 && !options.marker.contains(&0x1b) {
        let lines_in = input.split(|&b| b == options.terminator);
        let lines_out = once.split(|&b| b == options.terminator);
        for (line_in, line_out) in lines_in.zip(lines_out) {
            if line_in == line_out {
                continue;
            }
            let mut after_cat = Terminal::new();
            after_cat.feed(line_in);
            let mut after_short = Terminal::new();
            after_short.feed(line_out);
            assert_eq!(after_short.reading, Reading::Text, "{line_out:?} ends in a sequence");
            for (mode, cat, short) in [
                ("shift", after_cat.shifted, after_short.shifted),
                ("keypad", after_cat.keypad, after_short.keypad),
                ("region", after_cat.region, after_short.region),
            ] {
                assert!(short == cat || !short, "{mode} left on by {line_out:?}");
            }
            for (g, &set) in after_short.charsets.iter().enumerate() {
                assert!(set == after_cat.charsets[g] || set == b'B', "G{g} left by {line_out:?}");
            }
            for mode in &after_short.modes {
                assert!(after_cat.modes.contains(mode), "{mode:?} left by {line_out:?}");
            }
        }
    }
});
