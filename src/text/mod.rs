//! Text as a terminal shows it: UTF-8 decoding, escape sequences, the
//! columns of each grapheme cluster, and the scanner that splits a line into
//! the units a cut never divides. Pure functions of bytes, no I/O.
//!
//! Public only for the property tests, which hold the scanner to a model;
//! not part of the crate's API.

#![forbid(unsafe_code)]

mod decode;
pub(crate) mod escape;
mod memo;
pub(crate) mod modes;
pub(crate) mod plain;
pub(crate) mod scanner;
mod segment;
#[cfg(test)]
mod tests;
mod traits;
pub(crate) mod width;

pub use escape::Effect;
pub use scanner::{Kind, Run, Scanner, Unit};
pub use width::{ClusterWidth, is_ambiguous_letter};
