//! What the unit tests share.

#![forbid(unsafe_code)]

/// Xorshift numbers: the same on every run, with no dependency.
pub(crate) struct Random(u64);

impl Random {
    pub(crate) fn new(seed: u64) -> Self {
        Random(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `bound`.
    pub(crate) fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

/// `count` rounds of a randomised test, or a few dozen under Miri, which
/// runs each a hundred thousand times slower.
pub(crate) fn rounds(count: usize) -> usize {
    if cfg!(miri) { count.min(40) } else { count }
}
