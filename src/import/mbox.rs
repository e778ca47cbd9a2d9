//! Streaming the header blocks out of an mbox file.
//!
//! An mbox is messages one after another, each starting with a postmark line such as
//! `From alice@example.org Thu Mar  7 09:15:02 2024`. Writers escape body lines that
//! start with `From ` as `>From ` (mboxo, mboxrd), but not all do, so a new message
//! starts only at a `From ` line that follows an empty line and carries a time
//! (`hh:mm`) and a four-digit year, as postmarks do. Bodies are read past, never kept,
//! so a large mbox needs memory for one header at a time.
//!
//! mail-parser's `mailbox::mbox` reader splits at every line that starts with `From `,
//! even inside a body, and returns whole messages, so it is not used here.

use std::io::{self, BufRead};

use super::lines::{Header, LineReader, PEEK, read_header};

/// One message of an mbox: its position (1 for the first) and header.
#[derive(Debug)]
pub(super) struct MboxMessage {
    pub number: u64,
    pub header: Header,
}

/// Iterates over the header blocks of an mbox.
pub(super) struct MboxReader<R> {
    lines: LineReader<R>,
    max_header: usize,
    number: u64,
    /// The current line is the postmark of the next message.
    at_postmark: bool,
    finished: bool,
}

impl<R: BufRead> MboxReader<R> {
    /// Starts reading; fails when the input does not begin with a postmark line.
    pub fn new(reader: R, max_header: usize) -> io::Result<MboxReader<R>> {
        let mut lines = LineReader::new(reader);
        let mut found = false;
        while lines.next_line(PEEK)? {
            if lines.is_blank() {
                continue;
            }
            found = lines.line.starts_with(b"From ");
            break;
        }
        if !found && lines.len > 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "not an mbox file: the first line does not start with `From `",
            ));
        }
        Ok(MboxReader {
            lines,
            max_header,
            number: 0,
            at_postmark: found,
            finished: !found,
        })
    }

    fn read_message(&mut self) -> io::Result<MboxMessage> {
        self.number += 1;
        let header = read_header(&mut self.lines, self.max_header, false)?;
        self.skip_body()?;
        Ok(MboxMessage {
            number: self.number,
            header,
        })
    }

    /// Reads body lines up to the next postmark or the end of the file.
    fn skip_body(&mut self) -> io::Result<()> {
        // The header's closing empty line counts as the line before the first body line.
        let mut previous_blank = true;
        while self.lines.next_line(PEEK)? {
            if previous_blank && is_postmark(&self.lines.line) {
                self.at_postmark = true;
                return Ok(());
            }
            previous_blank = self.lines.is_blank();
        }
        self.finished = true;
        Ok(())
    }
}

impl<R: BufRead> Iterator for MboxReader<R> {
    type Item = io::Result<MboxMessage>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished || !self.at_postmark {
            return None;
        }
        self.at_postmark = false;
        let message = self.read_message();
        if message.is_err() {
            self.finished = true;
        }
        Some(message)
    }
}

/// True for a postmark line: `From `, a sender, then a date with `hh:mm` and a year.
fn is_postmark(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let mut words = rest
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty());
    if words.next().is_none() {
        return false;
    }
    let (mut time, mut year) = (false, false);
    for word in words {
        time |= word.len() >= 5 && word[2] == b':' && word[..2].iter().all(u8::is_ascii_digit);
        year |= word.len() == 4 && word.iter().all(u8::is_ascii_digit);
    }
    time && year
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(text: &[u8]) -> Vec<Vec<u8>> {
        MboxReader::new(text, 1 << 20)
            .unwrap()
            .map(|m| m.unwrap().header.bytes)
            .collect()
    }

    #[test]
    fn postmark_needs_time_and_year() {
        assert!(is_postmark(
            b"From a@example.org Thu Mar  7 09:15:02 2024\n"
        ));
        assert!(is_postmark(
            b"From MAILER-DAEMON Fri Jul  8 12:08:34 2011\r\n"
        ));
        assert!(!is_postmark(b"From there we walked home.\n"));
        assert!(!is_postmark(b"From: a@example.org\n"));
        assert!(!is_postmark(b"From \n"));
    }

    #[test]
    fn body_from_lines_do_not_split() {
        let text = b"From a@example.org Thu Mar  7 09:15:02 2024\nSubject: one\n\nhello\nFrom here on, text.\n\nFrom there we walked.\n>From quoted\n\nFrom b@example.org Thu Mar  7 10:00:00 2024\nSubject: two\n\nbye\n";
        let found = headers(text);
        assert_eq!(
            found,
            vec![b"Subject: one\n".to_vec(), b"Subject: two\n".to_vec()]
        );
    }

    #[test]
    fn crlf_mbox_keeps_bytes() {
        let text = b"From a@example.org Thu Mar  7 09:15:02 2024\r\nA: 1\r\nB: 2\r\n\r\nbody\r\n\r\nFrom b@example.org Thu Mar  7 10:00:00 2024\r\nC: 3\r\n";
        let found = headers(text);
        assert_eq!(
            found,
            vec![b"A: 1\r\nB: 2\r\n".to_vec(), b"C: 3\r\n".to_vec()]
        );
    }

    #[test]
    fn empty_file_has_no_messages() {
        assert!(headers(b"").is_empty());
    }

    #[test]
    fn non_mbox_is_rejected() {
        assert!(MboxReader::new(&b"Subject: hi\n\nbody\n"[..], 100).is_err());
    }
}
