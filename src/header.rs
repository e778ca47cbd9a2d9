//! Splits a message's header block into fields (RFC 5322 §2.2), without decoding them.
//!
//! Reading stops at the first empty line, so a whole `.eml` file can be passed and its body
//! is never looked at. Lines end in LF or CRLF; a line that starts with a space or tab
//! continues the field before it. A line without a colon is not a field and is skipped, and
//! so is a leading mbox `From ` separator line.

use smallvec::SmallVec;

/// One header field: its name and its value exactly as written, folds included, without the
/// colon, the white space after it, or the final line ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    pub name: &'a [u8],
    pub value: &'a [u8],
}

impl Field<'_> {
    /// Compares the field name with `name`, ignoring ASCII case.
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name.as_bytes())
    }
}

/// Returns the fields of the header block at the start of `message`, in order.
pub fn fields(message: &[u8]) -> Vec<Field<'_>> {
    let mut out = Vec::with_capacity(32);
    let mut lines = Lines { rest: message };
    let mut first = true;
    let mut pending: Option<(usize, usize, usize)> = None;
    while let Some((start, content_end, _)) = lines.next_line(message) {
        let line = &message[start..content_end];
        if line.is_empty() {
            break;
        }
        let continues = matches!(line[0], b' ' | b'\t');
        if continues {
            if let Some(field) = pending.as_mut() {
                field.2 = content_end;
            }
            continue;
        }
        if let Some(field) = pending.take() {
            out.push(make_field(message, field));
        }
        if first && line.starts_with(b"From ") {
            first = false;
            continue;
        }
        first = false;
        if let Some(colon) = line.iter().position(|&b| b == b':') {
            pending = Some((start, start + colon, content_end));
        }
    }
    if let Some(field) = pending {
        out.push(make_field(message, field));
    }
    out
}

fn make_field(message: &[u8], (start, colon, end): (usize, usize, usize)) -> Field<'_> {
    let name = trim_end(&message[start..colon]);
    let mut value_start = colon + 1;
    while value_start < end && matches!(message[value_start], b' ' | b'\t') {
        value_start += 1;
    }
    Field {
        name,
        value: &message[value_start..end],
    }
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    &bytes[..end]
}

/// Walks lines, returning (start, end without the line ending, start of the next line).
struct Lines<'a> {
    rest: &'a [u8],
}

impl Lines<'_> {
    fn next_line(&mut self, message: &[u8]) -> Option<(usize, usize, usize)> {
        if self.rest.is_empty() {
            return None;
        }
        let start = message.len() - self.rest.len();
        let (content_len, consumed) = match memchr::memchr(b'\n', self.rest) {
            Some(lf) if lf > 0 && self.rest[lf - 1] == b'\r' => (lf - 1, lf + 1),
            Some(lf) => (lf, lf + 1),
            None => (self.rest.len(), self.rest.len()),
        };
        self.rest = &self.rest[consumed..];
        Some((start, start + content_len, start + consumed))
    }
}

/// The fields that classification reads, as [`fields`] would split them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AuditFields<'a> {
    /// Every `Received` value, topmost first.
    pub received: SmallVec<[&'a [u8]; 16]>,
    /// The first `From`, `Message-ID` and `Date` values.
    pub from: Option<&'a [u8]>,
    pub message_id: Option<&'a [u8]>,
    pub date: Option<&'a [u8]>,
}

/// The fields [`AuditFields`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Name {
    Received,
    From,
    MessageId,
    Date,
}

/// Returns the `Received`, `From`, `Message-ID` and `Date` values of the header block at the
/// start of `message`, with the same rules as [`fields`]. Only a line that starts one of
/// those fields is looked at beyond its first byte.
pub fn audit_fields(message: &[u8]) -> AuditFields<'_> {
    let mut out = AuditFields::default();
    let mut newlines = memchr::memchr_iter(b'\n', message);
    let mut start = 0;
    let mut first = true;
    // The field being read: its name, where its value starts, and where it ends so far.
    let mut pending: Option<(Name, usize, usize)> = None;
    while start < message.len() {
        let (content_end, next) = match newlines.next() {
            Some(lf) if lf > start && message[lf - 1] == b'\r' => (lf - 1, lf + 1),
            Some(lf) => (lf, lf + 1),
            None => (message.len(), message.len()),
        };
        let line = &message[start..content_end];
        start = next;
        let Some(&first_byte) = line.first() else {
            break;
        };
        if matches!(first_byte, b' ' | b'\t') {
            if let Some(field) = pending.as_mut() {
                field.2 = content_end;
            }
            continue;
        }
        if let Some(field) = pending.take() {
            out.keep(message, field);
        }
        if std::mem::take(&mut first) && line.starts_with(b"From ") {
            continue;
        }
        let line_start = content_end - line.len();
        pending =
            audit_field_name(line).map(|(name, colon)| (name, line_start + colon, content_end));
    }
    if let Some(field) = pending {
        out.keep(message, field);
    }
    out
}

impl<'a> AuditFields<'a> {
    fn keep(&mut self, message: &'a [u8], (name, colon, end): (Name, usize, usize)) {
        let value = make_field(message, (colon, colon, end)).value;
        match name {
            Name::Received => self.received.push(value),
            Name::From => {
                self.from.get_or_insert(value);
            }
            Name::MessageId => {
                self.message_id.get_or_insert(value);
            }
            Name::Date => {
                self.date.get_or_insert(value);
            }
        }
    }
}

/// Returns which of the fields of [`AuditFields`] `line` starts, and the position of its colon. As in
/// [`fields`], the name is everything before the first colon, without trailing white space.
fn audit_field_name(line: &[u8]) -> Option<(Name, usize)> {
    let (name, text) = match line[0].to_ascii_lowercase() {
        b'r' => (Name::Received, "received"),
        b'f' => (Name::From, "from"),
        b'm' => (Name::MessageId, "message-id"),
        b'd' => (Name::Date, "date"),
        _ => return None,
    };
    let length = text.len();
    if line.len() <= length || !line[..length].eq_ignore_ascii_case(text.as_bytes()) {
        return None;
    }
    let colon = length
        + line[length..]
            .iter()
            .position(|b| !b.is_ascii_whitespace())?;
    (line[colon] == b':').then_some((name, colon))
}

/// Returns the values of every `Received` field, topmost first.
pub fn received<'a>(fields: &[Field<'a>]) -> Vec<&'a [u8]> {
    fields
        .iter()
        .filter(|f| f.is("Received"))
        .map(|f| f.value)
        .collect()
}

/// Returns the value of the first field called `name`.
pub fn first<'a>(fields: &[Field<'a>], name: &str) -> Option<&'a [u8]> {
    fields.iter().find(|f| f.is(name)).map(|f| f.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_and_body() {
        let block = b"From sender@example.org Mon Jan  1 00:00:00 2024\nReceived: from a\r\n\tby b; Mon\r\nX-Received: no\r\nFrom: <u@example.org>\r\n\r\nbody: not a field\r\n";
        let got = fields(block);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].name, b"Received");
        assert_eq!(got[0].value, b"from a\r\n\tby b; Mon");
        assert_eq!(received(&got), vec![&b"from a\r\n\tby b; Mon"[..]]);
        assert_eq!(first(&got, "from"), Some(&b"<u@example.org>"[..]));
        let picked = audit_fields(block);
        assert_eq!(picked.received.as_slice(), received(&got).as_slice());
        assert_eq!(picked.from, Some(&b"<u@example.org>"[..]));
        assert_eq!(picked.date, None);
    }

    #[test]
    fn audit_fields_match_fields() {
        let blocks: [&[u8]; 6] = [
            b"Received :a\r\n b\r\nReceivedX: no\r\nReceived x: no\r\nDATE:\td\r\nDate: later\r\n",
            b"From a@b: not a separator\nfrom: second\nMessage-ID: <1@x>\nmessage-id: <2@x>\n",
            b"Received\r\nno colon\r\n\tfolded\r\nReceived:\r\n",
            b"\tleading fold\nReceived: r\n\nReceived: body\n",
            b"Received: \xff\xfe\r\nFrom:x",
            b"",
        ];
        for block in blocks {
            let all = fields(block);
            let picked = audit_fields(block);
            assert_eq!(picked.received.as_slice(), received(&all).as_slice());
            assert_eq!(picked.from, first(&all, "From"));
            assert_eq!(picked.message_id, first(&all, "Message-ID"));
            assert_eq!(picked.date, first(&all, "Date"));
        }
    }
}
