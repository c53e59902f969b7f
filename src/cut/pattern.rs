//! The pattern of `--around`, and where it first matches in the text a
//! reader sees of a line.

use std::fmt;
use std::ops::Range;

use memchr::memchr;
use regex::bytes::{Regex, RegexBuilder};
use regex_syntax::hir::{Look, LookSet};

use crate::text::escape::{ESC, Escape, parse};

/// A regular expression (the syntax of the `regex` crate) matched on the
/// bytes of a line's text, its escape sequences left out.
///
/// ```
/// use short::Pattern;
///
/// assert!(Pattern::new("error", false).is_ok());
/// assert!(Pattern::new("a*", false).is_err(), "matches the empty string");
/// assert!(Pattern::new("(", false).is_err());
/// assert!(Pattern::new("(", true).is_ok(), "a fixed string");
/// ```
#[derive(Clone, Debug)]
pub struct Pattern {
    regex: Regex,
}

/// Why a pattern was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatternError {
    /// Not a regular expression; the regex crate's message.
    Invalid(String),
    /// It matches the empty string, so it would match every line.
    MatchesEmpty,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternError::Invalid(message) => f.write_str(message),
            PatternError::MatchesEmpty => f.write_str(
                "the pattern can match the empty string, which is in every line; \
                 give one that matches some text",
            ),
        }
    }
}

impl std::error::Error for PatternError {}

impl Pattern {
    /// The regular expression `pattern`, or with `fixed` the literal string.
    pub fn new(pattern: &str, fixed: bool) -> Result<Self, PatternError> {
        let source = match fixed {
            true => regex::escape(pattern),
            false => pattern.to_owned(),
        };
        let regex =
            Regex::new(&source).map_err(|error| PatternError::Invalid(error.to_string()))?;
        // As the bytes API of the regex crate parses it.
        let syntax = regex_syntax::ParserBuilder::new()
            .utf8(false)
            .build()
            .parse(&source)
            .map_err(|error| PatternError::Invalid(error.to_string()))?;
        if syntax.properties().minimum_len() == Some(0) {
            return Err(PatternError::MatchesEmpty);
        }
        Ok(Pattern { regex })
    }

    /// The pattern as the regex crate reads it.
    pub fn as_str(&self) -> &str {
        self.regex.as_str()
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Pattern {}

/// Finds a pattern in the text of lines, reusing its buffers.
#[derive(Debug)]
pub(super) struct Finder {
    pattern: Pattern,
    /// The pattern for many lines at once, where `^` matches after a line
    /// terminator: every match in a line alone is a match there too, as long
    /// as the pattern has no `$` (which a line's CR would stand before) and
    /// no `\A`. None if it has.
    across_lines: Option<Regex>,
    /// The text of the line, without its escape sequences.
    text: Vec<u8>,
    /// Where the text resumes after each escape sequence: its offset in the
    /// text and in the line.
    resumes: Vec<(usize, usize)>,
}

impl Finder {
    pub(super) fn new(pattern: Pattern, terminator: u8) -> Self {
        let source = pattern.as_str();
        let syntax = regex_syntax::ParserBuilder::new()
            .utf8(false)
            .multi_line(true)
            .line_terminator(terminator)
            .build()
            .parse(source);
        let anchored = |looks: LookSet| {
            [Look::Start, Look::End, Look::EndLF, Look::EndCRLF]
                .into_iter()
                .any(|look| looks.contains(look))
        };
        let across_lines = match syntax {
            Ok(syntax) if !anchored(syntax.properties().look_set()) => RegexBuilder::new(source)
                .multi_line(true)
                .line_terminator(terminator)
                .build()
                .ok(),
            _ => None,
        };
        Finder {
            pattern,
            across_lines,
            text: Vec::new(),
            resumes: Vec::new(),
        }
    }

    /// The bytes of `line` (a line's content, without its ending, or as much
    /// of it as is searched) that the first match in its text spans, the
    /// escape sequences inside the match included.
    pub(super) fn find(&mut self, line: &[u8]) -> Option<Range<usize>> {
        let regex = &self.pattern.regex;
        if memchr(ESC, line).is_none() {
            return regex.find(line).map(|found| found.range());
        }
        self.text.clear();
        self.resumes.clear();
        let mut text_from = 0;
        while let Some(offset) = memchr(ESC, &line[text_from..]) {
            let esc = text_from + offset;
            // As the scanner reads it: a broken sequence is swallowed as far
            // as it went, an unbounded one is the `ESC` alone.
            let len = match parse(&line[esc..], true) {
                Escape::Complete { len, .. } | Escape::Aborted { len } => len,
                // (A sequence read to the line's end is never incomplete.)
                Escape::Unbounded | Escape::Incomplete => 1,
            };
            self.text.extend_from_slice(&line[text_from..esc]);
            text_from = esc + len;
            self.resumes.push((self.text.len(), text_from));
        }
        self.text.extend_from_slice(&line[text_from..]);
        let found = regex.find(&self.text)?;
        // The match holds at least one byte.
        let start = self.in_line(found.start());
        let end = self.in_line(found.end() - 1) + 1;
        Some(start..end)
    }

    /// An offset in `lines` (line after line, as they come) before which no
    /// line without escape sequences has a match: where the first match could
    /// start.
    pub(super) fn first_candidate(&self, lines: &[u8]) -> usize {
        match &self.across_lines {
            Some(regex) => regex.find(lines).map_or(lines.len(), |found| found.start()),
            None => 0,
        }
    }

    /// The offset in the line of the byte at `offset` in its text.
    fn in_line(&self, offset: usize) -> usize {
        let after = self.resumes.partition_point(|&(text, _)| text <= offset);
        match after.checked_sub(1) {
            Some(resume) => {
                let (text, line) = self.resumes[resume];
                line + (offset - text)
            }
            None => offset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(pattern: &str, line: &str) -> Option<Range<usize>> {
        Finder::new(Pattern::new(pattern, false).unwrap(), b'\n').find(line.as_bytes())
    }

    #[test]
    fn escape_sequences_are_not_part_of_the_text() {
        let line = "a \x1b[01;31m\x1b[Kfo\x1b[mo\x1b[K b";
        let found = find("foo", line).unwrap();
        assert_eq!(&line[found], "fo\x1b[mo");
        assert_eq!(find("31", line), None);
        assert_eq!(find("^a fo", line), Some(0..15));
    }

    #[test]
    fn the_first_match_is_found() {
        assert_eq!(find("b+", "abbcbbb"), Some(1..3));
        assert_eq!(find("(?i)É", "xé"), Some(1..3));
        assert_eq!(find("x$", "x\x1b[0m"), Some(0..1));
        assert_eq!(find("x$", "xy"), None);
    }

    #[test]
    fn no_line_before_the_first_candidate_has_a_match() {
        let candidate = |pattern: &str, terminator, lines: &str| {
            Finder::new(Pattern::new(pattern, false).unwrap(), terminator)
                .first_candidate(lines.as_bytes())
        };
        assert_eq!(candidate("^b", b'\n', "ab\nb\n"), 3);
        assert_eq!(candidate("^b", b'\0', "ab\nb\0b"), 5);
        assert_eq!(candidate("\\bb", b'\n', "ab\nb\n"), 3);
        assert_eq!(candidate("x", b'\n', "ab\nb\n"), 5);
        // A line's CR stands before its end, the line's start before
        // everything: such patterns are looked for line by line.
        assert_eq!(candidate("b$", b'\n', "ab\r\nb\n"), 0);
        assert_eq!(candidate("\\Ab", b'\n', "a\nb\n"), 0);
        assert_eq!(candidate("(?-m)^b", b'\n', "a\nb\n"), 0);
    }

    #[test]
    fn patterns_that_match_nothing_are_refused() {
        for pattern in ["", "a?", "^", "\\b", "(a|)", "x*|y"] {
            assert_eq!(
                Pattern::new(pattern, false),
                Err(PatternError::MatchesEmpty),
                "{pattern}"
            );
        }
        assert_eq!(Pattern::new("", true), Err(PatternError::MatchesEmpty));
        let Err(PatternError::Invalid(message)) = Pattern::new("a(", false) else {
            panic!("an unclosed group is invalid");
        };
        assert!(message.contains("unclosed group"), "{message}");
        assert_eq!(Pattern::new("a.c", true).unwrap().as_str(), "a\\.c");
        assert!(message.contains("regex parse error"), "{message}");
        assert!(
            PatternError::MatchesEmpty
                .to_string()
                .contains("the empty string")
        );
        let error = PatternError::Invalid(message.clone());
        assert_eq!(error.to_string(), message);
        assert_eq!(Pattern::new("a", false), Pattern::new("a", false));
        assert_ne!(Pattern::new("a", false), Pattern::new("b", false));
    }
}
