//! Splits a message's header block into fields (RFC 5322 §2.2), without decoding them.
//!
//! Reading stops at the first empty line, so a whole `.eml` file can be passed and its body
//! is never looked at. Lines end in LF or CRLF; a line that starts with a space or tab
//! continues the field before it. A line without a colon is not a field and is skipped, and
//! so is a leading mbox `From ` separator line.

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
    }
}
