//! Tests of the scanner's reading of stretches, which meet the classes of
//! `simd` and the rules of `traits`.

use crate::simd::{MAX_LOOKAHEAD, StretchReaders};
use crate::testing::Random;
use crate::text::scanner::Scanner;
use crate::text::scanner::tests::run_agrees_with_units;
use crate::text::traits::{Traits, find_traits};

/// The characters that the stretch reader takes by their bytes are the
/// ones its classes name, with the traits it gives them.
#[test]
fn stretch_classes_are_the_rules() {
    let letter = |c| matches!(c, '\u{C0}'..='\u{2FF}' | '\u{400}'..='\u{47F}');
    let mark = |c| matches!(c, '\u{300}'..='\u{33F}') && c != '\u{338}';
    let wide = |c| {
        matches!(
            c,
            '\u{3000}'..='\u{30FF}'
                | '\u{3400}'..='\u{9FFF}'
                | '\u{AC00}'..='\u{D77F}'
                | '\u{FF01}'..='\u{FF60}'
        ) && !matches!(
            c,
            '\u{302A}'..='\u{302F}' | '\u{303F}' | '\u{3040}' | '\u{3097}'..='\u{309A}'
        )
    };
    let emoji = |c| {
        matches!(
            c,
            '\u{1F480}'..='\u{1F4BF}'
                | '\u{1F600}'..='\u{1F64F}'
                | '\u{1F680}'..='\u{1F6BF}'
                | '\u{1F980}'..='\u{1F9FF}'
                | '\u{1FA80}'..='\u{1FABF}'
        )
    };
    for c in ('\u{80}'..='\u{FFFF}').chain('\u{1F000}'..='\u{1FFFF}') {
        let mut chunk = [0; MAX_LOOKAHEAD];
        c.encode_utf8(&mut chunk);
        let named = [letter(c), mark(c), wide(c), emoji(c)].map(u32::from);
        for bits in StretchReaders::classify_each(&chunk) {
            let classes = [bits.letters, bits.marks, bits.wide, bits.emoji].map(|bits| bits & 1);
            assert_eq!(classes, named, "{c:?}");
        }
        let plain = find_traits(c, false);
        if letter(c) {
            assert!(
                plain.has(Traits::ALONE) && !plain.has(Traits::MARK),
                "{c:?}"
            );
            assert_eq!(plain.width(), 1, "{c:?}");
        }
        if mark(c) {
            assert!(plain.has(Traits::MARK), "{c:?}");
            assert_eq!(plain.width(), 0, "{c:?}");
        }
        if wide(c) || emoji(c) {
            for traits in [plain, find_traits(c, true)] {
                assert!(
                    traits.has(Traits::ALONE) && !traits.has(Traits::MARK),
                    "{c:?}"
                );
                assert_eq!(traits.width(), 2, "{c:?}");
            }
        }
    }
}

/// A scanner for each way of reading stretches that this processor has.
fn scanners(cjk: bool) -> Vec<Scanner> {
    StretchReaders::each()
        .into_iter()
        .map(|readers| Scanner::with_readers(cjk, readers))
        .collect()
}

/// Text read a stretch at a time gives the units that the segmentation
/// rules give, as far as the limit and no further, across the ends of
/// the 16-byte chunks and beside what ends a stretch: characters of no
/// class, characters that join the one before, and ill-formed bytes.
#[test]
fn stretch_text_is_read_as_units_would() {
    let narrow = [
        "\u{C0}", "\u{E9}", "\u{FF}", "\u{2B0}", "\u{2FF}", "\u{300}", "\u{301}", "\u{33F}",
        "\u{400}", "\u{44F}", "\u{47F}",
    ];
    let wide = [
        "\u{3000}",
        "\u{3002}",
        "\u{3041}",
        "\u{30A2}",
        "\u{30FB}",
        "\u{3400}",
        "\u{4E00}",
        "\u{65E5}",
        "\u{9FFF}",
        "\u{AC00}",
        "\u{B000}",
        "\u{D77F}",
        "\u{FF01}",
        "\u{FF0C}",
        "\u{FF60}",
        "\u{1F4AF}",
        "\u{1F600}",
        "\u{1F64F}",
        "\u{1F680}",
        "\u{1F9C0}",
        "\u{1FA80}",
    ];
    let others: [&[u8]; 25] = [
        "\u{340}".as_bytes(),
        "\u{338}".as_bytes(),
        "\u{480}".as_bytes(),
        "\u{483}".as_bytes(),
        "\u{302A}".as_bytes(),
        "\u{303F}".as_bytes(),
        "\u{3099}".as_bytes(),
        "\u{309B}".as_bytes(),
        "\u{D7A3}".as_bytes(),
        "\u{FF61}".as_bytes(),
        "\u{FE0F}".as_bytes(),
        "\u{200D}".as_bytes(),
        "\u{1F600}".as_bytes(),
        "\u{1F3FD}".as_bytes(),
        "\u{1F44D}".as_bytes(),
        "\u{1F650}".as_bytes(),
        "\u{1F6C0}".as_bytes(),
        b"\xf0\x9f\x98",
        b"\xe4\xb8",
        b"\xe3\x81",
        b"\xef\xbc",
        b"\xcc",
        b"\x80",
        b"\xed\xa0\x80",
        b"\x1b[0m",
    ];
    let mut random = Random::new(0x6a09_e667_f3bc_c908);
    for mut scanner in [false, true].into_iter().flat_map(scanners) {
        let cjk = scanner.cjk;
        // What a stretch takes, and then those with what ends one.
        let mut pieces: Vec<&[u8]> = vec![b"word", b" ", b"\t"];
        pieces.extend(wide.map(str::as_bytes));
        if !cjk {
            pieces.extend(narrow.map(str::as_bytes));
        }
        let taken_pieces = pieces.len();
        pieces.extend(others);
        for round in 0..4_000 {
            let only_taken = round % 2 == 0;
            let choices = if only_taken {
                taken_pieces
            } else {
                pieces.len()
            };
            let line: Vec<u8> = (0..random.below(40))
                .flat_map(|_| pieces[random.below(choices)])
                .copied()
                .collect();
            let limit = random.below(90);
            let taken = run_agrees_with_units(&mut scanner, &line, limit);
            if only_taken {
                let run = scanner.run(&line, 0, limit, 8, true);
                assert!(
                    run.full || taken == line.len(),
                    "{line:x?} to {limit}: {taken}"
                );
            }
        }
    }
}
