//! The terminal modes that outlive a line: what the kept part of a cut line
//! switched, so that the cut can switch it back where the dropped part
//! would have (as SGR and OSC 8 are reset).

use std::io::{self, Write};

use super::escape::ESC;

/// Shift Out and Shift In: G1 or G0 as the character set in use.
pub(crate) const SHIFT_OUT: u8 = 0x0e;
pub(crate) const SHIFT_IN: u8 = 0x0f;

/// The modes tracked in one line; a line that switches more distinct modes
/// leaves the rest as it set them.
const MAX_MODES: usize = 32;

/// Cancel: ends an escape sequence a terminal is reading, and does nothing
/// otherwise (ECMA-48 8.3.6; the VT100 and the terminals that follow it
/// abort the sequence at it).
pub(crate) const CANCEL: &[u8] = b"\x18";

/// What ends a sequence or string of any kind: CAN aborts a sequence or an
/// OSC string, and the String Terminator after it ends a DCS, APC, PM or SOS
/// string, which some terminals (tmux) read CAN into; where nothing is
/// being read, both do nothing.
pub(crate) const CANCEL_ANY: &[u8] = b"\x18\x1b\\";

/// What a terminal is reading after an escape sequence broken off, as the
/// DEC parser (vt100.net) goes on from it: its own controls leave it where
/// it is, and text bytes end it only where they are final bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Reading {
    /// Text: nothing to end.
    #[default]
    Text,
    /// An `ESC`.
    Escape,
    /// An `ESC` and intermediates (`ESC (`).
    Intermediate,
    /// A CSI sequence's parameters.
    Sequence,
    /// A string (OSC, DCS, SOS, PM, APC), which only BEL (for OSC), ST or a
    /// cancel ends.
    String,
}

impl Reading {
    /// Where a terminal stands after `fragment`, a sequence broken off (it
    /// starts with `ESC`).
    pub(crate) fn of_fragment(fragment: &[u8]) -> Self {
        Reading::Escape.after(&fragment[1..])
    }

    /// Where a terminal that stood here stands after `bytes`.
    pub(crate) fn after(mut self, bytes: &[u8]) -> Self {
        for &b in bytes {
            if self == Reading::Text {
                // Only a new sequence leaves text, and it is read whole.
                return self;
            }
            self = match (self, b) {
                (_, 0x18 | 0x1a) => Reading::Text,
                (Reading::String, 0x07) => Reading::Text,
                (_, ESC) => Reading::Escape,
                (Reading::Escape, b'[') => Reading::Sequence,
                (Reading::Escape, b']' | b'P' | b'X' | b'^' | b'_') => Reading::String,
                (Reading::Escape | Reading::Intermediate, 0x20..=0x2f) => Reading::Intermediate,
                (Reading::Escape | Reading::Intermediate, 0x30..=0x7e)
                | (Reading::Sequence, 0x40..=0x7e) => Reading::Text,
                // Anything else leaves it where it is: a control (executed
                // within), a CSI's parameters and intermediates, a string's
                // bytes, and UTF-8 (which some terminals drop and read on).
                _ => self,
            };
        }
        self
    }

    /// What ends what the terminal is reading, before what a cut writes.
    pub(crate) fn ending(self) -> &'static [u8] {
        match self {
            Reading::Text => b"",
            Reading::Escape | Reading::Intermediate | Reading::Sequence => CANCEL,
            Reading::String => CANCEL_ANY,
        }
    }
}

/// A mode a sequence switches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// A DEC private mode (`ESC [ ? n h`) or an ANSI mode (`ESC [ n h`).
    Numbered { private: bool, number: u16 },
    /// The set designated to G0 to G3 (`ESC ( 0`), by its intermediate.
    Charset(u8),
    /// Shift Out (G1 in use) or Shift In.
    Shift,
    /// Application keypad (`ESC =`) or numeric (`ESC >`).
    Keypad,
    /// The scroll region (`ESC [ t ; b r`).
    ScrollRegion,
}

/// DEC private modes that terminals start with set: autowrap (7) and the
/// visible cursor (25). Every other mode starts reset.
const SET_AT_START: [u16; 2] = [7, 25];

/// The modes switched by the kept part of a line, each with the state it was
/// left in; a cut switches back to its default each one left otherwise.
#[derive(Clone, Debug, Default)]
pub(crate) struct Modes {
    /// Each mode, with its default setting and the last one (for a numbered
    /// mode, set or reset; for a character set, its final byte).
    switched: Vec<(Mode, u8, u8)>,
}

impl Modes {
    pub(crate) fn clear(&mut self) {
        self.switched.clear();
    }

    /// Notes what `sequence`, a unit whose effect is
    /// [`Effect::Mode`](super::escape::Effect::Mode), switches.
    pub(crate) fn record(&mut self, sequence: &[u8]) {
        match sequence {
            [SHIFT_OUT] => self.switch(Mode::Shift, SHIFT_IN, SHIFT_OUT),
            [SHIFT_IN] => self.switch(Mode::Shift, SHIFT_IN, SHIFT_IN),
            [ESC, b'='] => self.switch(Mode::Keypad, b'>', b'='),
            [ESC, b'>'] => self.switch(Mode::Keypad, b'>', b'>'),
            // The sets' defaults are ASCII, `B`.
            &[ESC, designate @ (b'(' | b')' | b'*' | b'+'), set] => {
                self.switch(Mode::Charset(designate), b'B', set);
            }
            [ESC, b'[', params @ .., b'r'] => {
                // No parameters, or 1 and the last line: the whole screen.
                let whole = params.is_empty() || params == b";" || params == b"1";
                self.switch(Mode::ScrollRegion, 0, u8::from(!whole));
            }
            [ESC, b'[', params @ .., last @ (b'h' | b'l')] => {
                let (private, numbers) = match params {
                    [b'?', rest @ ..] => (true, rest),
                    _ => (false, params),
                };
                for number in numbers.split(|&b| b == b';') {
                    let Some(number) = std::str::from_utf8(number)
                        .ok()
                        .and_then(|digits| digits.parse().ok())
                    else {
                        continue;
                    };
                    let default = if private && SET_AT_START.contains(&number) {
                        b'h'
                    } else {
                        b'l'
                    };
                    self.switch(Mode::Numbered { private, number }, default, *last);
                }
            }
            _ => {}
        }
    }

    fn switch(&mut self, mode: Mode, default: u8, now: u8) {
        if let Some((_, _, last)) = self.switched.iter_mut().find(|(known, ..)| *known == mode) {
            *last = now;
        } else if self.switched.len() < MAX_MODES {
            self.switched.push((mode, default, now));
        }
    }

    /// Writes what switches every mode left otherwise back to its default.
    pub(crate) fn restore<W: Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        for &(mode, before, now) in self.switched.iter().rev() {
            if before == now {
                continue;
            }
            match mode {
                Mode::Numbered { private, number } => {
                    let private = if private { "?" } else { "" };
                    write!(out, "\x1b[{private}{number}{}", char::from(before))?;
                }
                Mode::Charset(designate) => out.write_all(&[ESC, designate, before])?,
                Mode::Shift => out.write_all(&[before])?,
                Mode::Keypad => out.write_all(&[ESC, before])?,
                // Resetting the region homes the cursor: save and restore it
                // around.
                Mode::ScrollRegion => out.write_all(b"\x1b7\x1b[r\x1b8")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn restored(sequences: &[&[u8]]) -> String {
        let mut modes = Modes::default();
        for sequence in sequences {
            modes.record(sequence);
        }
        let mut out = Vec::new();
        modes.restore(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn each_mode_is_switched_back() {
        assert_eq!(restored(&[b"\x1b[?25l"]), "\x1b[?25h");
        assert_eq!(restored(&[b"\x1b[?1049h"]), "\x1b[?1049l");
        assert_eq!(restored(&[b"\x1b[?1000;1006h"]), "\x1b[?1006l\x1b[?1000l");
        assert_eq!(restored(&[b"\x1b[4h"]), "\x1b[4l");
        assert_eq!(restored(&[b"\x1b(0"]), "\x1b(B");
        assert_eq!(restored(&[b"\x1b)0", b"\x0e"]), "\x0f\x1b)B");
        assert_eq!(restored(&[b"\x1b="]), "\x1b>");
        assert_eq!(restored(&[b"\x1b[2;20r"]), "\x1b7\x1b[r\x1b8");
    }

    #[test]
    fn modes_switched_back_in_the_line_are_left() {
        assert_eq!(restored(&[b"\x1b[?25l", b"\x1b[?25h"]), "");
        // Switched to its default, a mode is left there.
        assert_eq!(restored(&[b"\x1b[?25h"]), "");
        assert_eq!(restored(&[b"\x1b[?7l"]), "\x1b[?7h");
        assert_eq!(restored(&[b"\x1b[?1049l"]), "");
        assert_eq!(restored(&[b"\x1b(0", b"\x1b(B"]), "");
        assert_eq!(restored(&[b"\x0e", b"\x0f"]), "");
        assert_eq!(restored(&[b"\x1b[2;20r", b"\x1b[r"]), "");
        assert_eq!(restored(&[b"\x1b[2;20r", b"\x1b[;r"]), "");
        assert_eq!(restored(&[b"\x1b[2;20r", b"\x1b[1r"]), "");
        let mut modes = Modes::default();
        modes.record(b"\x1b[?25l");
        modes.clear();
        let mut out = Vec::new();
        modes.restore(&mut out).unwrap();
        assert!(out.is_empty());
        assert_eq!(restored(&[b"\x1b(B"]), "");
    }

    #[test]
    fn a_broken_sequence_is_read_on_as_terminals_read_it() {
        let after = |fragment: &[u8], then: &[u8]| Reading::of_fragment(fragment).after(then);
        assert_eq!(after(b"\x1b", b""), Reading::Escape);
        assert_eq!(after(b"\x1b", "\u{e9}".as_bytes()), Reading::Escape);
        assert_eq!(after(b"\x1b", b"a"), Reading::Text);
        assert_eq!(after(b"\x1b", b"?"), Reading::Text);
        assert_eq!(after(b"\x1b", b"\x05]x"), Reading::String);
        assert_eq!(after(b"\x1b", b"-]"), Reading::Text);
        assert_eq!(after(b"\x1b[1", b";2"), Reading::Sequence);
        assert_eq!(after(b"\x1b[1", b"m"), Reading::Text);
        assert_eq!(after(b"\x1b[1", b"\x18"), Reading::Text);
        assert_eq!(after(b"\x1b]0;t", b"itle"), Reading::String);
        assert_eq!(after(b"\x1b]0;t", b"\x07x"), Reading::Text);
        assert_eq!(after(b"\x1b]0;t", b"\x1b\\"), Reading::Text);
        assert_eq!(after(b"\x1b]0;t", b"\x1bc"), Reading::Text);
        assert_eq!(Reading::String.ending(), CANCEL_ANY);
        assert_eq!(Reading::Sequence.ending(), CANCEL);
    }

    #[test]
    fn the_modes_a_line_tracks_are_bounded() {
        let many: Vec<Vec<u8>> = (0..100)
            .map(|n| format!("\x1b[?{}h", 2000 + n).into_bytes())
            .collect();
        let sequences: Vec<&[u8]> = many.iter().map(Vec::as_slice).collect();
        assert_eq!(restored(&sequences).matches('l').count(), MAX_MODES);
    }
}
