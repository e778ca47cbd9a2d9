//! Writing one CSV file: RFC 4180 quoting, CRLF line ends, UTF-8 without a byte order
//! mark, and every text cell escaped ([`text::visible`]) and spreadsheet-safe
//! ([`text::spreadsheet_safe`]).
//!
//! Cells go straight into one reused buffer, which is handed to a writer thread in blocks
//! of about [`BLOCK`] bytes. `hops.csv` of a million messages has about 57 million cells,
//! so no cell allocates unless its text needs escapes.

use std::fmt::Display;
use std::fmt::Write as _;

use super::ReportError;
use super::background::BackgroundFile;
use super::output::OutputDir;
use super::text;

/// Bytes collected before they are written to the file.
const BLOCK: usize = 1 << 20;

/// A CSV file being written cell by cell.
pub struct CsvTable {
    file: BackgroundFile,
    /// Rows not yet written to `file`.
    buffer: Vec<u8>,
    /// Scratch space for a cell that needs escapes or formatting.
    cell: String,
    /// False until the first cell of the current row is written.
    in_row: bool,
}

impl CsvTable {
    /// Creates `name` in `dir` and writes the header row.
    pub fn create(dir: &OutputDir, name: &str, columns: &[&str]) -> Result<CsvTable, ReportError> {
        let mut table = CsvTable {
            file: BackgroundFile::start(dir.file(name)?)?,
            buffer: Vec::with_capacity(BLOCK + 64 * 1024),
            cell: String::new(),
            in_row: false,
        };
        for column in columns {
            table.text(column)?;
        }
        table.end_row()?;
        Ok(table)
    }

    /// Writes a text cell.
    pub fn text(&mut self, value: &str) -> Result<(), ReportError> {
        self.bytes(value.as_bytes())
    }

    /// Writes a cell from raw header bytes.
    pub fn bytes(&mut self, value: &[u8]) -> Result<(), ReportError> {
        let class = classify(value);
        if class & NEEDS_ESCAPE == 0 {
            self.put(value, class & NEEDS_QUOTES != 0);
        } else {
            let mut cell = std::mem::take(&mut self.cell);
            cell.clear();
            text::push_visible(&mut cell, value);
            self.put_text(cell.as_bytes());
            self.cell = cell;
        }
        Ok(())
    }

    /// Writes a cell from text already escaped with [`text::visible`] (account and folder
    /// names, facts of the report model), so backslashes are not doubled again.
    pub fn shown(&mut self, value: &str) -> Result<(), ReportError> {
        self.put_text(value.as_bytes());
        Ok(())
    }

    /// Writes a text cell, empty for `None`.
    pub fn opt(&mut self, value: Option<&str>) -> Result<(), ReportError> {
        self.text(value.unwrap_or_default())
    }

    /// Writes a time as UTC ISO 8601, empty for `None`.
    pub fn time(&mut self, seconds: Option<i64>) -> Result<(), ReportError> {
        let mut cell = std::mem::take(&mut self.cell);
        cell.clear();
        if let Some(seconds) = seconds {
            super::format::push_iso_utc(&mut cell, seconds);
        }
        self.put_text(cell.as_bytes());
        self.cell = cell;
        Ok(())
    }

    /// Writes an integer.
    pub fn integer(&mut self, value: impl itoa::Integer) -> Result<(), ReportError> {
        let mut buffer = itoa::Buffer::new();
        self.put(buffer.format(value).as_bytes(), false);
        Ok(())
    }

    /// Writes an integer cell, empty for `None`.
    pub fn opt_integer(&mut self, value: Option<impl itoa::Integer>) -> Result<(), ReportError> {
        match value {
            Some(value) => self.integer(value),
            None => self.shown(""),
        }
    }

    /// Writes a value whose `Display` needs no escaping (a share or a change), empty for
    /// `None`.
    pub fn opt_display(&mut self, value: Option<impl Display>) -> Result<(), ReportError> {
        let mut cell = std::mem::take(&mut self.cell);
        cell.clear();
        if let Some(value) = value {
            let _ = write!(cell, "{value}");
        }
        self.put_text(cell.as_bytes());
        self.cell = cell;
        Ok(())
    }

    pub fn boolean(&mut self, value: bool) -> Result<(), ReportError> {
        self.shown(if value { "true" } else { "false" })
    }

    /// Ends the row, and writes the buffer to the file once it holds a block.
    pub fn end_row(&mut self) -> Result<(), ReportError> {
        self.buffer.extend_from_slice(b"\r\n");
        self.in_row = false;
        if self.buffer.len() >= BLOCK {
            self.write_buffer()?;
        }
        Ok(())
    }

    /// Writes what is left, then flushes the file and records it in `dir`.
    pub fn finish(mut self, dir: &mut OutputDir) -> Result<(), ReportError> {
        self.write_buffer()?;
        let file = self.file.finish()?;
        dir.finish(file)
    }

    fn write_buffer(&mut self) -> Result<(), ReportError> {
        self.file.send(&mut self.buffer)
    }

    /// Appends one cell of visible text, quoted when it needs to be.
    fn put_text(&mut self, value: &[u8]) {
        self.put(value, classify(value) & NEEDS_QUOTES != 0);
    }

    /// Appends one cell of visible text: after a comma unless it starts the row, with an
    /// apostrophe before a formula, and quoted (RFC 4180 section 2) when `quoted`.
    fn put(&mut self, value: &[u8], quoted: bool) {
        if self.in_row {
            self.buffer.push(b',');
        }
        self.in_row = true;
        let apostrophe = text::is_formula(value);
        if !quoted {
            if apostrophe {
                self.buffer.push(b'\'');
            }
            self.buffer.extend_from_slice(value);
            return;
        }
        self.buffer.push(b'"');
        if apostrophe {
            self.buffer.push(b'\'');
        }
        for part in value.split_inclusive(|&b| b == b'"') {
            self.buffer.extend_from_slice(part);
            if part.ends_with(b"\"") {
                self.buffer.push(b'"');
            }
        }
        self.buffer.push(b'"');
    }
}

/// Class bit of a byte that [`text::visible`] changes: anything but printable ASCII, and
/// the backslash.
const NEEDS_ESCAPE: u8 = 1;
/// Class bit of a byte that makes RFC 4180 quote the cell: comma, quote, CR and LF.
const NEEDS_QUOTES: u8 = 2;

/// The class bits of every byte value.
const CLASSES: [u8; 256] = {
    let mut classes = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        if !text::is_plain_ascii(b) {
            classes[byte] |= NEEDS_ESCAPE;
        }
        if matches!(b, b',' | b'"' | b'\r' | b'\n') {
            classes[byte] |= NEEDS_QUOTES;
        }
        byte += 1;
    }
    classes
};

/// Returns the class bits of all bytes of a cell together. One pass without branches is
/// cheaper than searching for each kind of byte, because most cells are short.
fn classify(value: &[u8]) -> u8 {
    value
        .iter()
        .fold(0, |class, &b| class | CLASSES[usize::from(b)])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes the same cells with the `csv` crate, the reference for RFC 4180 quoting.
    fn reference(rows: &[Vec<Vec<u8>>]) -> Vec<u8> {
        let mut writer = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .from_writer(Vec::new());
        for row in rows {
            for cell in row {
                let shown = text::visible(cell);
                writer
                    .write_field(text::spreadsheet_safe(&shown).as_bytes())
                    .unwrap();
            }
            writer.write_record(None::<&[u8]>).unwrap();
        }
        writer.into_inner().unwrap()
    }

    #[test]
    fn cells_match_csv_crate() {
        let alphabet: &[&[u8]] = &[
            b"a",
            b",",
            b"\"",
            b"\r",
            b"\n",
            b"\r\n\t",
            b" ",
            b"=",
            b"-",
            b"+",
            b"@",
            b"1",
            b".",
            b"\t",
            b"\\",
            b"\xff",
            "\u{202E}".as_bytes(),
            b"'",
        ];
        let mut state: u64 = 11;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        let rows: Vec<Vec<Vec<u8>>> = (0..3000)
            .map(|_| {
                (0..3)
                    .map(|_| {
                        let length = next() % 6;
                        (0..length)
                            .flat_map(|_| alphabet[next() % alphabet.len()].to_vec())
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let mut out = OutputDir::create(dir.path()).unwrap();
        let mut table = CsvTable::create(&out, "t.csv", &["a", "b", "c"]).unwrap();
        for row in &rows {
            for cell in row {
                table.bytes(cell).unwrap();
            }
            table.end_row().unwrap();
        }
        table.finish(&mut out).unwrap();
        let written = std::fs::read(dir.path().join("t.csv")).unwrap();
        let header = b"a,b,c\r\n";
        assert_eq!(&written[..header.len()], header);
        let body = &written[header.len()..];
        assert_eq!(
            String::from_utf8_lossy(body),
            String::from_utf8_lossy(&reference(&rows))
        );
    }
}
