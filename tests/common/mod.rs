//! Helpers shared by the integration tests.

// Each test file is a crate of its own and uses only some of these.
#![allow(dead_code)]

use std::io::{self, Read, Write};
use std::process::{Child, Command, Output, Stdio};
use std::thread;

/// The built binary, with no `COLUMNS` from the environment of the test run,
/// and clusters drawn whole whatever terminal runs the tests.
pub fn short() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_short"));
    command
        .env_remove("COLUMNS")
        .env("SHORT_CLUSTER_WIDTH", "whole");
    command
}

/// `bash -c script`, with the built binary in `$SHORT` and no `COLUMNS`.
pub fn bash(script: &str) -> Command {
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(script)
        .env("SHORT", env!("CARGO_BIN_EXE_short"))
        .env("SHORT_CLUSTER_WIDTH", "whole")
        .env_remove("COLUMNS");
    command
}

/// Starts short with `args`, its stdin and stdout piped to the test.
pub fn spawn_piped(args: &[&str]) -> Child {
    short()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run short")
}

/// Runs `command` with `input` on its stdin, written while it runs.
pub fn run_with_input(command: &mut Command, input: &[u8]) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run short");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().expect("wait for short");
    let _ = writer.join();
    output
}

/// A reader that hands out its input in reads of the given sizes, in turn.
pub struct Chunked<'a> {
    input: &'a [u8],
    sizes: Vec<usize>,
    turn: usize,
}

impl<'a> Chunked<'a> {
    pub fn new(input: &'a [u8], sizes: Vec<usize>) -> Self {
        assert!(sizes.iter().all(|&size| size > 0));
        Chunked {
            input,
            sizes,
            turn: 0,
        }
    }
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let size = self.sizes[self.turn % self.sizes.len()];
        self.turn += 1;
        let len = size.min(buf.len()).min(self.input.len());
        buf[..len].copy_from_slice(&self.input[..len]);
        self.input = &self.input[len..];
        Ok(len)
    }
}
