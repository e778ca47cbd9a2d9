//! Modified UTF-7 folder names (RFC 3501 5.1.3): printable ASCII stands for itself, `&` is
//! written `&-`, and other text is UTF-16BE in base64 (with `,` for `/`) between `&` and
//! `-`. A server lists `Entw&APw-rfe` and means `Entwürfe`.
//!
//! Decoding is strict: a name that is not valid modified UTF-7 is kept as the server sent
//! it, so it can still be selected byte for byte.

use base64::Engine;
use base64::alphabet::IMAP_MUTF7;
use base64::engine::{GeneralPurpose, GeneralPurposeConfig};

const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &IMAP_MUTF7,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone),
);

/// Encodes a UTF-8 folder name for the wire.
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut out, &mut pending);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut units = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut units));
        }
    }
    flush(&mut out, &mut pending);
    out
}

fn flush(out: &mut String, pending: &mut Vec<u16>) {
    if pending.is_empty() {
        return;
    }
    let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
    out.push('&');
    out.push_str(&ENGINE.encode(bytes));
    out.push('-');
    pending.clear();
}

/// Decodes a folder name as listed by the server, or returns `None` when it is not valid
/// modified UTF-7.
pub fn decode(wire: &str) -> Option<String> {
    let mut out = String::with_capacity(wire.len());
    let mut rest = wire;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after.find('-')?;
        let encoded = &after[..end];
        if encoded.is_empty() {
            out.push('&');
        } else {
            let bytes = ENGINE.decode(encoded).ok()?;
            if bytes.len() % 2 != 0 {
                return None;
            }
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                .collect();
            out.push_str(&String::from_utf16(&units).ok()?);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &[(&str, &str)] = &[
        ("INBOX", "INBOX"),
        ("Entwürfe", "Entw&APw-rfe"),
        ("Tom & Jerry", "Tom &- Jerry"),
        ("Отправленные", "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-"),
        ("日本語/受信", "&ZeVnLIqe-/&U9dP4Q-"),
        ("Archive \"2024\" \\ old", "Archive \"2024\" \\ old"),
    ];

    #[test]
    fn encodes_and_decodes_known_names() {
        for (utf8, wire) in CASES {
            assert_eq!(encode(utf8), *wire, "encoding {utf8:?}");
            assert_eq!(decode(wire).as_deref(), Some(*utf8), "decoding {wire:?}");
        }
    }

    #[test]
    fn rejects_broken_names() {
        assert_eq!(decode("bad&AP"), None);
        assert_eq!(decode("bad&*-"), None);
    }
}
