//! Results on standard output. A reader that goes away early (`hopaudit report | head -1`)
//! is not an error: the rest of the output is dropped and the command keeps its exit code.

use std::io::Write;

/// Writes `text` to standard output and flushes it. A closed pipe is not reported.
pub fn emit(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {
            tracing::debug!("standard output was closed; the rest of the output is dropped");
            Ok(())
        }
        other => other,
    }
}

/// Makes text safe to print on a terminal: control characters and bidirectional overrides
/// (which can make a header read differently from its bytes) become visible escapes.
pub fn escape_for_terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_bidi_control(c) => {
                out.push_str(&format!("\\u{{{:04X}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// Escapes raw header bytes like [`escape_for_terminal`], with each byte that is not valid
/// UTF-8 shown as `\xFF`, so the evidence keeps every byte.
pub fn escape_bytes_for_terminal(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(&escape_for_terminal(chunk.valid()));
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02X}"));
        }
    }
    out
}

/// True for the Unicode bidirectional formatting characters (UAX #9).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Escapes each line of a table for a terminal, keeping the line breaks: folder names and
/// server messages come from the server and may hold control sequences.
pub fn escape_lines(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| match line.strip_suffix('\n') {
            Some(content) => format!("{}\n", escape_for_terminal(content)),
            None => escape_for_terminal(line),
        })
        .collect()
}
