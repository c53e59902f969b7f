//! UTF-8 decoding that knows where a line may still go on: a character
//! cut off by the end of a read is waited for, and invalid bytes are taken
//! one maximal invalid subpart at a time, as `String::from_utf8_lossy`
//! replaces them.

/// The code point of a well-formed UTF-8 sequence of two to four bytes at the
/// start of `bytes`, and its length.
#[inline]
pub(super) fn decode_well_formed(bytes: &[u8]) -> Option<(u32, usize)> {
    let is_continuation = |b: u8| b & 0xc0 == 0x80;
    let bits = |b: u8| u32::from(b & 0x3f);
    match *bytes {
        [lead @ 0xc2..=0xdf, b1, ..] if is_continuation(b1) => {
            Some(((u32::from(lead & 0x1f) << 6) | bits(b1), 2))
        }
        [lead @ 0xe0..=0xef, b1, b2, ..] if is_continuation(b1) && is_continuation(b2) => {
            let code = (u32::from(lead & 0x0f) << 12) | (bits(b1) << 6) | bits(b2);
            // Overlong forms and surrogates are not characters.
            (code >= 0x800 && !(0xd800..0xe000).contains(&code)).then_some((code, 3))
        }
        [lead @ 0xf0..=0xf4, b1, b2, b3, ..]
            if is_continuation(b1) && is_continuation(b2) && is_continuation(b3) =>
        {
            let code =
                (u32::from(lead & 0x07) << 18) | (bits(b1) << 12) | (bits(b2) << 6) | bits(b3);
            (0x10000..=u32::from(char::MAX))
                .contains(&code)
                .then_some((code, 4))
        }
        _ => None,
    }
}

pub(super) enum Decoded {
    Char(char, usize),
    /// A maximal invalid subpart, as `String::from_utf8_lossy` replaces it.
    Invalid(usize),
}

/// The character at the start of `bytes`, or `None` when it is cut off by the
/// end of `bytes` and more may follow (`complete` is false).
pub(super) fn decode(bytes: &[u8], complete: bool) -> Option<Decoded> {
    if bytes[0].is_ascii() {
        return Some(Decoded::Char(char::from(bytes[0]), 1));
    }
    if let Some((code, len)) = decode_well_formed(bytes)
        && let Some(c) = char::from_u32(code)
    {
        return Some(Decoded::Char(c, len));
    }
    let window = &bytes[..bytes.len().min(4)];
    let valid = match std::str::from_utf8(window) {
        Ok(valid) => valid,
        Err(error) => match error.error_len() {
            _ if error.valid_up_to() > 0 => {
                std::str::from_utf8(&window[..error.valid_up_to()]).unwrap_or_default()
            }
            Some(len) => return Some(Decoded::Invalid(len)),
            None if complete => return Some(Decoded::Invalid(window.len())),
            None => return None,
        },
    };
    let c = valid.chars().next()?;
    Some(Decoded::Char(c, c.len_utf8()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The decoder agrees with the standard library on every sequence of two
    /// and three bytes, and on four-byte ones with every lead byte.
    #[test]
    fn decoding_agrees_with_std() {
        let check = |bytes: &[u8]| {
            let valid = match std::str::from_utf8(bytes) {
                Ok(text) => text,
                Err(error) => std::str::from_utf8(&bytes[..error.valid_up_to()]).unwrap(),
            };
            let expected = valid
                .chars()
                .next()
                .filter(|c| !c.is_ascii())
                .map(|c| (u32::from(c), c.len_utf8()));
            assert_eq!(decode_well_formed(bytes), expected, "{bytes:x?}");
        };
        for high in 0..=255u8 {
            for low in 0..=255u8 {
                check(&[high, low]);
                for third in [0x00, 0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xff] {
                    check(&[high, low, third]);
                    check(&[high, low, third, 0x80]);
                    check(&[high, low, 0x80, third]);
                }
            }
        }
    }
}
