//! Reading a mail file line by line with bounded memory, and cutting out its header block.
//!
//! A header ends at the first empty line (RFC 5322, section 2.1); LF and CRLF files both
//! occur, and the bytes are kept exactly as written, line endings included. Lines can be
//! huge (a base64 body without line breaks), so a line is consumed whole but only a
//! prefix of it is kept.

use std::io::{self, BufRead};

/// Bytes of a body line kept for the checks made on it (empty line, mbox `From ` line).
pub(super) const PEEK: usize = 256;

/// A reader that yields one line at a time, keeping at most a given number of its bytes.
pub(super) struct LineReader<R> {
    reader: R,
    /// The kept prefix of the current line, its line ending included when kept.
    pub line: Vec<u8>,
    /// Full length of the current line in bytes.
    pub len: usize,
}

impl<R: BufRead> LineReader<R> {
    pub fn new(reader: R) -> LineReader<R> {
        LineReader {
            reader,
            line: Vec::with_capacity(PEEK),
            len: 0,
        }
    }

    /// Reads the next line, keeping at most `keep` bytes. Returns false at the end.
    pub fn next_line(&mut self, keep: usize) -> io::Result<bool> {
        self.line.clear();
        self.len = 0;
        loop {
            let buffer = self.reader.fill_buf()?;
            if buffer.is_empty() {
                return Ok(self.len > 0);
            }
            let (taken, done) = match buffer.iter().position(|&b| b == b'\n') {
                Some(end) => (end + 1, true),
                None => (buffer.len(), false),
            };
            let room = keep.saturating_sub(self.line.len()).min(taken);
            self.line.extend_from_slice(&buffer[..room]);
            self.len += taken;
            self.reader.consume(taken);
            if done {
                return Ok(true);
            }
        }
    }

    /// True when the current line is empty: `\n` or `\r\n`.
    pub fn is_blank(&self) -> bool {
        self.line == b"\n" || self.line == b"\r\n"
    }
}

/// One message's header block.
#[derive(Debug, Default)]
pub(super) struct Header {
    /// The header lines, byte for byte, without the empty line that ends them. Empty when
    /// the header is larger than the limit.
    pub bytes: Vec<u8>,
    /// Full size of the header in bytes, also when it was too large to keep.
    pub len: usize,
}

impl Header {
    pub fn too_large(&self, max: usize) -> bool {
        self.len > max
    }
}

/// Reads header lines up to the empty line that ends them, or to the end of the input.
/// Keeps at most `max` bytes; a larger header is consumed and returned without bytes.
/// Starts with the line already in `lines` when `current` is true.
pub(super) fn read_header<R: BufRead>(
    lines: &mut LineReader<R>,
    max: usize,
    mut current: bool,
) -> io::Result<Header> {
    let mut header = Header::default();
    loop {
        if !current && !lines.next_line(max.saturating_sub(header.len).max(PEEK))? {
            break;
        }
        current = false;
        if lines.is_blank() {
            break;
        }
        header.len += lines.len;
        if header.len <= max {
            header.bytes.extend_from_slice(&lines.line);
        }
    }
    if header.too_large(max) {
        header.bytes = Vec::new();
    }
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_of(text: &[u8], max: usize) -> Header {
        let mut lines = LineReader::new(text);
        read_header(&mut lines, max, false).unwrap()
    }

    #[test]
    fn header_stops_at_blank_line() {
        let header = header_of(b"A: 1\r\nB: 2\r\n\r\nbody\r\n", 1000);
        assert_eq!(header.bytes, b"A: 1\r\nB: 2\r\n");
        assert_eq!(header.len, 12);
    }

    #[test]
    fn header_without_body_ends_at_eof() {
        let header = header_of(b"A: 1\nB: 2", 1000);
        assert_eq!(header.bytes, b"A: 1\nB: 2");
    }

    #[test]
    fn oversized_header_is_measured_not_kept() {
        let header = header_of(b"A: 123456789\nB: 2\n\nbody\n", 8);
        assert!(header.too_large(8));
        assert!(header.bytes.is_empty());
        assert_eq!(header.len, 18);
    }

    #[test]
    fn long_line_keeps_only_prefix() {
        let mut text = vec![b'x'; 100_000];
        text.extend_from_slice(b"\nnext\n");
        let mut lines = LineReader::new(io::BufReader::with_capacity(64, text.as_slice()));
        assert!(lines.next_line(PEEK).unwrap());
        assert_eq!(lines.len, 100_001);
        assert_eq!(lines.line.len(), PEEK);
        assert!(lines.next_line(PEEK).unwrap());
        assert_eq!(lines.line, b"next\n");
        assert!(!lines.next_line(PEEK).unwrap());
    }
}
