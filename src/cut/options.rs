//! What a [`Cutter`](super::Cutter) does to each line.

/// Which part of a cut line is kept.
///
/// ```
/// use short::{Cutter, KeepPart, Options};
///
/// let options = Options { width: 6, marker: "…".into(), keep: KeepPart::End, ..Options::default() };
/// let mut out = Vec::new();
/// Cutter::new(options).process(b"/usr/share/doc/short\n", true, &mut out).unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(), "…short\n");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeepPart {
    /// The first columns, then the marker.
    #[default]
    Start,
    /// The marker, then the last columns.
    End,
    /// The first and the last columns, the marker between them.
    Middle,
}

pub use super::pattern::{Pattern, PatternError};
pub use crate::text::ClusterWidth;

/// What a [`Cutter`](super::Cutter) does to each line.
///
/// ```
/// use short::{KeepPart, Options};
///
/// let options = Options { width: 40, keep: KeepPart::End, ..Options::default() };
/// assert_eq!(options.tab_width, 8);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The display width to cut to; 0 means no limit.
    pub width: usize,
    /// Written after the text of a cut line; empty for none.
    pub marker: Vec<u8>,
    /// Columns between tab stops (at least 1).
    pub tab_width: usize,
    /// The byte that ends a line: `\n`, or NUL for `-z`.
    pub terminator: u8,
    /// East Asian ambiguous-width characters take two columns.
    pub cjk: bool,
    /// Which part of a cut line is kept.
    pub keep: KeepPart,
    /// Columns dropped from the start of every line before it is cut.
    pub skip: usize,
    /// How the terminal draws clusters of several code points.
    pub cluster_widths: ClusterWidth,
    /// A cut line shows the window around the first match of this pattern
    /// in its text, with the marker at each side where text was dropped;
    /// `keep` and `skip` are then not used.
    pub around: Option<Pattern>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            width: 80,
            marker: Vec::new(),
            tab_width: 8,
            terminator: b'\n',
            cjk: false,
            keep: KeepPart::Start,
            skip: 0,
            cluster_widths: ClusterWidth::Whole,
            around: None,
        }
    }
}
