//! Micro-benchmarks of the cutting core on each kind of text, for profiling:
//! `cargo bench`. Whole-process comparisons with cat and cut are made by
//! `benches/compare.sh`.

use std::io;

use divan::counter::BytesCount;
use divan::{Bencher, black_box};
use short::{Cutter, Options};

fn main() {
    divan::main();
}

/// About 4 MiB of text made of `line`, varied by a counter so that lines differ.
fn corpus(line: impl Fn(usize) -> String) -> Vec<u8> {
    let mut text = String::new();
    let mut n = 0;
    while text.len() < 4 << 20 {
        text.push_str(&line(n));
        text.push('\n');
        n += 1;
    }
    text.into_bytes()
}

fn log_line(n: usize) -> String {
    let message = "GET /api/v1/items?page=2 HTTP/1.1 200 user-agent=curl/8.5.0 ".repeat(n % 4);
    format!(
        "2026-11-25T10:{:02}:{:02}Z INFO worker-{n} {message}",
        n % 60,
        n % 59
    )
}

fn cjk_line(n: usize) -> String {
    let words = [
        "日本語の文章",
        "한국어 문장",
        "中文句子",
        "crème brûlée",
        "e\u{301}te\u{301}",
        "👍🏽",
        "🇯🇵",
    ];
    (0..12)
        .map(|i| words[(n + i) % words.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

fn ansi_line(n: usize) -> String {
    let word = format!("\x1b[1;31mmatch{n}\x1b[0m");
    format!("\x1b[35msrc/lib.rs\x1b[0m:\x1b[32m{n}\x1b[0m: fn {word}() {{ {word} }}").repeat(3)
}

fn tsv_line(n: usize) -> String {
    (0..20)
        .map(|i| format!("{}", n * 31 + i * 7))
        .collect::<Vec<_>>()
        .join("\t")
}

fn long_line(n: usize) -> String {
    "x".repeat(5_000 + n % 1_000)
}

fn cut(bencher: Bencher, input: &[u8], marker: &str) {
    bencher
        .counter(BytesCount::of_slice(input))
        .bench_local(|| {
            let mut cutter = Cutter::new(Options {
                width: 80,
                marker: marker.as_bytes().to_vec(),
                ..Options::default()
            });
            cutter
                .process(black_box(input), true, &mut io::sink())
                .unwrap()
        });
}

#[divan::bench(args = ["", "…"])]
fn logs(bencher: Bencher, marker: &str) {
    cut(bencher, &corpus(log_line), marker);
}

#[divan::bench(args = ["", "…"])]
fn cjk(bencher: Bencher, marker: &str) {
    cut(bencher, &corpus(cjk_line), marker);
}

#[divan::bench(args = ["", "…"])]
fn ansi(bencher: Bencher, marker: &str) {
    cut(bencher, &corpus(ansi_line), marker);
}

#[divan::bench(args = ["", "…"])]
fn tsv(bencher: Bencher, marker: &str) {
    cut(bencher, &corpus(tsv_line), marker);
}

#[divan::bench(args = ["", "…"])]
fn long(bencher: Bencher, marker: &str) {
    cut(bencher, &corpus(long_line), marker);
}
