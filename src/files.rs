//! What the command line needs to know of its files: whether an input is
//! the output, and how a file's name is shown in a message.

#![forbid(unsafe_code)]

use std::ffi::OsStr;
use std::io;

#[cfg(unix)]
use std::os::fd::AsFd;

/// The error of an input that is the output: reading it while writing to it
/// would never end.
pub fn input_is_output() -> io::Error {
    io::Error::other("input file is output file")
}

/// Standard output, if it is a regular file.
#[derive(Debug)]
pub struct Output {
    #[cfg(unix)]
    file: Option<(u64, u64)>,
}

impl Output {
    pub fn identify() -> Self {
        #[cfg(unix)]
        {
            use rustix::fs::{FileType, fstat};
            let file = fstat(io::stdout()).ok().and_then(|stat| {
                (FileType::from_raw_mode(stat.st_mode) == FileType::RegularFile)
                    .then_some((stat.st_dev, stat.st_ino))
            });
            Output { file }
        }
        #[cfg(not(unix))]
        Output {}
    }

    /// Whether standard output is a regular file.
    pub fn is_file(&self) -> bool {
        #[cfg(unix)]
        return self.file.is_some();
        #[cfg(not(unix))]
        return false;
    }

    /// Whether `input` is the output file with bytes left to read, as GNU
    /// cat judges it: an empty file may be both.
    #[cfg(unix)]
    pub fn is_read_by(&self, input: &impl AsFd) -> bool {
        use rustix::fs::{SeekFrom, fstat, seek};
        let Some(output) = self.file else {
            return false;
        };
        let Ok(stat) = fstat(input) else {
            return false;
        };
        let position = seek(input, SeekFrom::Current(0)).unwrap_or(0);
        (stat.st_dev, stat.st_ino) == output && position < stat.st_size as u64
    }

    #[cfg(not(unix))]
    pub fn is_read_by<T>(&self, _: &T) -> bool {
        false
    }
}

/// `name` as GNU coreutils show a file's name in a message: as it is when
/// it holds nothing a shell would read otherwise, else in single quotes,
/// with control characters and bytes that are not UTF-8 written as `$'...'`
/// escapes. A name can then neither send a terminal an escape sequence nor
/// forge a line of its own.
pub fn quote(name: &OsStr) -> String {
    let bytes = name.as_encoded_bytes();
    if bytes.is_empty() {
        return "''".to_owned();
    }
    let chunks = || bytes.utf8_chunks();
    let plain = chunks()
        .all(|chunk| chunk.invalid().is_empty() && chunk.valid().chars().all(|c| !needs_quotes(c)))
        && !matches!(bytes[0], b'#' | b'~');
    if plain {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let mut quoted = String::from("'");
    let mut escaping = false;
    for chunk in chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                let mut encoded = [0; 4];
                for &byte in c.encode_utf8(&mut encoded).as_bytes() {
                    push_escaped(&mut quoted, &mut escaping, byte);
                }
                continue;
            }
            if escaping {
                quoted.push_str("''");
                escaping = false;
            }
            if c == '\'' {
                quoted.push_str("'\\''");
            } else {
                quoted.push(c);
            }
        }
        for &byte in chunk.invalid() {
            push_escaped(&mut quoted, &mut escaping, byte);
        }
    }
    quoted.push('\'');
    quoted
}

/// Appends `byte` in the `$'...'` form, opening one if `escaping` is not.
fn push_escaped(quoted: &mut String, escaping: &mut bool, byte: u8) {
    if !*escaping {
        quoted.push_str("'$'");
        *escaping = true;
    }
    match byte {
        0x07 => quoted.push_str("\\a"),
        0x08 => quoted.push_str("\\b"),
        0x0c => quoted.push_str("\\f"),
        b'\n' => quoted.push_str("\\n"),
        b'\r' => quoted.push_str("\\r"),
        b'\t' => quoted.push_str("\\t"),
        0x0b => quoted.push_str("\\v"),
        _ => quoted.push_str(&format!("\\{byte:03o}")),
    }
}

/// Characters that a shell reads as more than themselves, and the colon that
/// separates a name from the message.
fn needs_quotes(c: char) -> bool {
    c.is_control() || " !\"$&'()*;<=>?[\\^`|:".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(name: &[u8]) -> String {
        #[cfg(unix)]
        let name = std::os::unix::ffi::OsStrExt::from_bytes(name);
        #[cfg(not(unix))]
        let name = OsStr::new(std::str::from_utf8(name).unwrap());
        quote(name)
    }

    /// The forms GNU cat gives the same names.
    #[test]
    fn names_are_quoted_as_coreutils_quote_them() {
        for (name, expected) in [
            (&b"plain.txt"[..], "plain.txt"),
            ("\u{e9}".as_bytes(), "\u{e9}"),
            (b"a b", "'a b'"),
            (b"", "''"),
            (b"x~", "x~"),
            (b"~x", "'~x'"),
            (b"a{b", "a{b"),
            (b"x\x1b", "'x'$'\\033'"),
            (b"x\xffy", "'x'$'\\377''y'"),
            (
                b"evil\x1b]0;PWNED\x07\x1b[2J\nshort: fake: line",
                "'evil'$'\\033'']0;PWNED'$'\\a\\033''[2J'$'\\n''short: fake: line'",
            ),
        ] {
            assert_eq!(
                quoted(name),
                expected,
                "{:?}",
                name.escape_ascii().to_string()
            );
        }
    }
}
