#![forbid(unsafe_code)]

use std::env;
use std::fs::File;
use std::io::{self, BufWriter, ErrorKind, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;

use short::cli::{Cli, ClusterMode};
use short::terminal::{self, Terminal};
use short::{BUFFER_LEN, Cutter, Error, cut_stream};

use short::files::{self, Output, quote};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let output = Output::identify();
    // A width that came from a terminal follows its window. A file written
    // by a script does not take the width of whoever runs it.
    let mut terminal = None;
    let width = terminal::resolve(cli.width, env::var_os("COLUMNS").as_deref(), || {
        if output.is_file() {
            return None;
        }
        let (found, columns) = Terminal::find()?;
        terminal = Some(found);
        Some(columns)
    });
    let window_width = || terminal.as_ref().and_then(Terminal::columns);
    let Some(mode) = cluster_mode(&cli) else {
        complain("SHORT_CLUSTER_WIDTH: expected auto, whole or sum");
        return ExitCode::from(2);
    };
    let cluster_widths = mode.widths(|name| env::var_os(name));
    let options = cli
        .options(width, cluster_widths)
        .unwrap_or_else(|error| error.exit());
    let mut cutter = Cutter::new(options);
    let mut out = BufWriter::with_capacity(BUFFER_LEN, io::stdout().lock());
    let mut buffer = vec![0; BUFFER_LEN];
    let stdin = [Path::new("-").to_path_buf()];
    let files = if cli.files.is_empty() {
        &stdin[..]
    } else {
        &cli.files
    };
    let mut status = ExitCode::SUCCESS;
    for path in files {
        let result = if path.as_os_str() == "-" {
            let stdin = io::stdin();
            if output.is_read_by(&stdin) {
                Err(Error::Read(files::input_is_output()))
            } else {
                cut_stream(
                    &mut cutter,
                    &mut stdin.lock(),
                    &mut buffer,
                    &mut out,
                    window_width,
                )
            }
        } else {
            File::open(path)
                .and_then(|file| match output.is_read_by(&file) {
                    true => Err(files::input_is_output()),
                    false => Ok(file),
                })
                .map_err(Error::Read)
                .and_then(|mut file| {
                    cut_stream(&mut cutter, &mut file, &mut buffer, &mut out, window_width)
                })
        };
        match result {
            Ok(()) => {}
            Err(Error::Read(error)) => {
                complain(&format!("{}: {}", quote(path.as_os_str()), reason(&error)));
                status = ExitCode::FAILURE;
            }
            // The reader of our output has gone (`short big.log | head -1`): nothing
            // is left to do, and nothing to say.
            Err(Error::Write(error)) if error.kind() == ErrorKind::BrokenPipe => return status,
            Err(Error::Write(error)) => {
                complain(&format!("write error: {}", reason(&error)));
                return ExitCode::FAILURE;
            }
        }
    }
    status
}

/// `--cluster-width`, else `SHORT_CLUSTER_WIDTH`, else auto; `None` for a
/// variable that names no mode.
fn cluster_mode(cli: &Cli) -> Option<ClusterMode> {
    use clap::ValueEnum;
    if let Some(mode) = cli.cluster_width {
        return Some(mode);
    }
    match env::var("SHORT_CLUSTER_WIDTH") {
        Ok(value) if !value.is_empty() => ClusterMode::from_str(&value, true).ok(),
        _ => Some(ClusterMode::Auto),
    }
}

fn complain(message: &str) {
    // Nothing is left to tell if stderr is closed too.
    let _ = writeln!(io::stderr(), "short: {message}");
}

/// The system's message, in the form coreutils print it: "no such file or
/// directory", without Rust's "(os error 2)".
fn reason(error: &io::Error) -> String {
    let message = error.to_string();
    let message = match message.rfind(" (os error ") {
        Some(at) => &message[..at],
        None => &message,
    };
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
