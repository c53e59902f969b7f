//! `short` cuts every line of its input to fit the terminal, counting columns as
//! a terminal displays them.
//!
//! The pieces, from the bottom up: [`ansi`] recognises escape sequences,
//! [`mod@unit`] splits a line into the units a cut never divides, [`cut`] is
//! the pure cutting core (and [`keep`] its other ways of cutting), [`stream`]
//! drives it over a reader with a fixed buffer or over a file mapped a window
//! at a time (whose lines a second thread helps to cut), [`width`] decides
//! the width, and [`cli`] is the command line.

#![deny(unsafe_code)]

pub mod ansi;
mod block;
pub mod cli;
pub mod cut;
mod helper;
pub mod keep;
pub mod stream;
mod swar;
#[cfg(test)]
mod testing;
pub mod unit;
pub mod width;

pub use cut::{Cutter, Options};
pub use keep::KeepPart;
