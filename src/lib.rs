//! `short` cuts every line of its input to fit the terminal, counting columns as
//! a terminal displays them.
//!
//! The library's API is [`Cutter`] (with its [`Options`], [`KeepPart`] and
//! [`Pattern`]),
//! which cuts bytes in memory, and [`cut_stream`], which drives it over a
//! reader. The modules, from the bottom up: `simd` sorts bytes into classes
//! many at a time (the one module that opts out of the compiler's memory
//! checks), `text` knows what a terminal draws (decoding, escape sequences,
//! widths, the units a cut never divides), `cut` holds the ways of cutting,
//! `input` the read loop, and `terminal`, `files` and `cli` what the
//! command line needs.

mod cut;
mod input;
mod simd;
#[cfg(test)]
mod testing;

#[doc(hidden)]
pub mod cli;
#[doc(hidden)]
pub mod files;
#[doc(hidden)]
pub mod terminal;
#[doc(hidden)]
pub mod text;

pub use cut::{
    ClusterWidth, Cutter, KeepPart, LOOK_AHEAD, MAX_UNDECIDED, Options, Pattern, PatternError,
};
pub use input::{BUFFER_LEN, Error, cut_stream};
