//! Golden cases: `tests/golden/NAME/` holds `args` (one argument a line),
//! `input`, the expected `output` byte for byte, and optionally `env`
//! (`NAME=value` lines). Each case runs through the binary, and through the
//! library with the input split into reads in every way that matters.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::Path;

mod common;

use clap::Parser;
use common::{Chunked, run_with_input, short};
use short::cli::Cli;
use short::cli::ClusterMode;
use short::terminal;
use short::{BUFFER_LEN, Cutter, cut_stream};

struct Case {
    name: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    input: Vec<u8>,
    output: Vec<u8>,
}

fn cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut cases: Vec<Case> = fs::read_dir(&root)
        .expect("tests/golden")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_dir())
        .map(|dir| {
            let read = |file: &str| fs::read(dir.join(file));
            let lines = |bytes: Vec<u8>| -> Vec<String> {
                String::from_utf8(bytes)
                    .expect("args and env are UTF-8")
                    .lines()
                    .map(str::to_owned)
                    .collect()
            };
            Case {
                name: dir.file_name().unwrap().to_string_lossy().into_owned(),
                args: lines(read("args").expect("args")),
                env: read("env")
                    .map(lines)
                    .unwrap_or_default()
                    .iter()
                    .map(|line| {
                        let (key, value) = line.split_once('=').expect("NAME=value");
                        (key.to_owned(), value.to_owned())
                    })
                    .collect(),
                input: read("input").expect("input"),
                output: read("output").expect("output"),
            }
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(cases.len() > 40, "the golden cases are missing");
    cases
}

fn mismatch(case: &Case, how: &str, got: &[u8]) -> String {
    format!(
        "{} ({how}):\n  args:     {:?}\n  input:    {}\n  expected: {}\n  got:      {}\n",
        case.name,
        case.args,
        case.input.escape_ascii(),
        case.output.escape_ascii(),
        got.escape_ascii()
    )
}

#[test]
fn golden_cases_through_the_binary() {
    let mut failures = String::new();
    for case in cases() {
        let result = run_with_input(
            short()
                .args(&case.args)
                .envs(case.env.iter().map(|(k, v)| (k, v))),
            &case.input,
        );
        if !result.status.success() || !result.stderr.is_empty() {
            failures += &format!(
                "{}: status {}, stderr {}\n",
                case.name,
                result.status,
                String::from_utf8_lossy(&result.stderr)
            );
        } else if result.stdout != case.output {
            failures += &mismatch(&case, "binary", &result.stdout);
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

fn cutter_for(case: &Case) -> Cutter {
    let cli =
        Cli::try_parse_from(std::iter::once("short").chain(case.args.iter().map(String::as_str)))
            .expect("valid arguments");
    let columns = case
        .env
        .iter()
        .find(|(key, _)| key == "COLUMNS")
        .map(|(_, value)| OsStr::new(value));
    // As through the binary: the case's own variables, and clusters drawn
    // whole unless it says otherwise.
    let var = |name: &str| {
        case.env
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| OsString::from(value))
    };
    let mode = cli.cluster_width.unwrap_or_else(|| {
        var("SHORT_CLUSTER_WIDTH")
            .and_then(|value| clap::ValueEnum::from_str(&value.to_string_lossy(), true).ok())
            .unwrap_or(ClusterMode::Whole)
    });
    let width = terminal::resolve(cli.width, columns, || None);
    Cutter::new(
        cli.options(width, mode.widths(var))
            .expect("usable arguments"),
    )
}

fn cut_in_reads(case: &Case, sizes: Vec<usize>) -> Vec<u8> {
    let mut reader = Chunked::new(&case.input, sizes);
    let mut out = Vec::new();
    let mut buffer = vec![0; BUFFER_LEN];
    cut_stream(
        &mut cutter_for(case),
        &mut reader,
        &mut buffer,
        &mut out,
        || None,
    )
    .expect("in memory");
    out
}

#[test]
fn golden_cases_in_every_split() {
    let mut failures = String::new();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for case in cases() {
        let len = case.input.len().max(1);
        let mut splits = vec![
            ("one read".to_owned(), vec![len]),
            ("1-byte reads".to_owned(), vec![1]),
        ];
        for at in 1..case.input.len() {
            splits.push((format!("split at {at}"), vec![at, len]));
        }
        for round in 0..20 {
            let sizes = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    1 + (seed % 7) as usize
                })
                .collect();
            splits.push((format!("random reads {round}"), sizes));
        }
        for (how, sizes) in splits {
            let got = cut_in_reads(&case, sizes);
            if got != case.output {
                failures += &mismatch(&case, &how, &got);
                break;
            }
        }
    }
    assert!(failures.is_empty(), "{failures}");
}
