//! A small cache of answers about short texts.

/// Answers about short texts, remembered. Text repeats its clusters of
/// several characters (accented letters, emoji sequences, conjuncts), and
/// measuring one, or asking the segmentation rules whether the next
/// character joins it, takes a walk through the crates' rules.
/// Direct-mapped, keyed by the whole text: a hit is always exact.
#[derive(Debug)]
pub(super) struct Memo {
    /// The text's bytes with its length in the last byte; 0 for none.
    keys: Vec<[u128; 2]>,
    answers: Vec<u8>,
}

impl Memo {
    pub(super) const SLOT_BITS: u32 = 12;
    pub(super) const SLOTS: usize = 1 << Self::SLOT_BITS;
    /// Long enough for a family of four joined by ZWJs.
    pub(super) const MAX_LEN: usize = 31;

    pub(super) fn new() -> Self {
        Memo {
            keys: vec![[0; 2]; Self::SLOTS],
            answers: vec![0; Self::SLOTS],
        }
    }

    /// The answer about `text`: remembered, or found by `answer` (and
    /// remembered if the text is short and the answer fits in a byte).
    pub(super) fn get(&mut self, text: &str, answer: impl FnOnce() -> usize) -> usize {
        let bytes = text.as_bytes();
        if bytes.len() > Self::MAX_LEN {
            return answer();
        }
        let mut packed = [0; Self::MAX_LEN + 1];
        packed[..bytes.len()].copy_from_slice(bytes);
        packed[Self::MAX_LEN] = bytes.len() as u8;
        let mut key = [0; 2];
        for (word, chunk) in key.iter_mut().zip(packed.as_chunks::<16>().0) {
            *word = u128::from_le_bytes(*chunk);
        }
        let folded = key[0] ^ key[1].rotate_left(64);
        let mixed = (folded as u64 ^ (folded >> 64) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let slot = (mixed >> (u64::BITS - Self::SLOT_BITS)) as usize;
        if self.keys[slot] == key {
            return usize::from(self.answers[slot]);
        }
        let found = answer();
        if let Ok(short) = u8::try_from(found) {
            self.keys[slot] = key;
            self.answers[slot] = short;
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::width::cluster_width;

    /// Remembered widths are the widths: clusters of every length up to and
    /// past the cached ones, more of them than the cache holds, met again in
    /// another order.
    #[test]
    fn cached_cluster_widths_are_exact() {
        let bases = [
            "a",
            "<",
            "\u{AD}",
            "\u{1F1EF}",
            "\u{4E00}",
            "\u{1F44D}",
            "\u{627}",
            "\u{1100}",
        ];
        let tails = [
            "\u{301}",
            "\u{338}",
            "\u{FE0F}",
            "\u{FE0E}",
            "\u{1F3FD}",
            "\u{1F1F5}",
            "\u{200D}\u{1F308}",
            "\u{644}",
            "\u{1161}\u{11A8}",
            "\u{20E3}",
        ];
        let mut clusters = Vec::new();
        for base in bases {
            for first in tails {
                for second in [
                    "",
                    "\u{300}",
                    "\u{308}\u{327}",
                    "\u{FE0F}\u{200D}\u{2640}\u{FE0F}",
                ] {
                    for marks in 0..16 {
                        clusters.push(format!("{base}{first}{second}{}", "\u{302}".repeat(marks)));
                    }
                }
            }
        }
        assert!(clusters.len() > Memo::SLOTS);
        let lengths = |len| clusters.iter().any(|c| c.len() == len);
        assert!(lengths(Memo::MAX_LEN) && lengths(Memo::MAX_LEN + 1));
        for cjk in [false, true] {
            let mut widths = Memo::new();
            for round in 0..3 {
                // 7 is prime to the count of clusters: each round meets all of them.
                let order = (0..clusters.len()).map(|i| (i * 7 + round * 13) % clusters.len());
                for cluster in order.map(|i| &clusters[i]) {
                    assert_eq!(
                        widths.get(cluster, || cluster_width(cluster, cjk)),
                        cluster_width(cluster, cjk),
                        "{cluster:?}"
                    );
                }
            }
        }
    }
}
