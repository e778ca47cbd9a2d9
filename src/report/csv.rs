//! Writing one CSV file: RFC 4180 quoting, CRLF line ends, UTF-8 without a byte order
//! mark, and every text cell escaped ([`text::visible`]) and spreadsheet-safe
//! ([`text::spreadsheet_safe`]).

use std::fmt::Display;
use std::fmt::Write as _;

use super::ReportError;
use super::output::{HashedFile, OutputDir};
use super::text;

/// A CSV file being written field by field, so rows need no intermediate allocation.
pub struct CsvTable {
    writer: csv::Writer<HashedFile>,
    number: String,
    name: String,
}

impl CsvTable {
    /// Creates `name` in `dir` and writes the header row.
    pub fn create(dir: &OutputDir, name: &str, columns: &[&str]) -> Result<CsvTable, ReportError> {
        let file = dir.file(name)?;
        let writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .buffer_capacity(64 * 1024)
            .from_writer(file);
        let mut table = CsvTable {
            writer,
            number: String::new(),
            name: name.to_string(),
        };
        for column in columns {
            table.text(column)?;
        }
        table.end_row()?;
        Ok(table)
    }

    /// Writes a text cell.
    pub fn text(&mut self, value: &str) -> Result<(), ReportError> {
        let shown = text::visible_str(value);
        self.shown(&shown)
    }

    /// Writes a cell from raw header bytes.
    pub fn bytes(&mut self, value: &[u8]) -> Result<(), ReportError> {
        let shown = text::visible(value);
        let safe = text::spreadsheet_safe(&shown);
        self.writer
            .write_field(safe.as_bytes())
            .map_err(|e| self.error(e))
    }

    /// Writes a cell from text already escaped with [`text::visible`] (account and folder
    /// names, facts of the report model), so backslashes are not doubled again.
    pub fn shown(&mut self, value: &str) -> Result<(), ReportError> {
        let safe = text::spreadsheet_safe(value);
        self.writer
            .write_field(safe.as_bytes())
            .map_err(|e| self.error(e))
    }

    /// Writes a text cell, empty for `None`.
    pub fn opt(&mut self, value: Option<&str>) -> Result<(), ReportError> {
        self.text(value.unwrap_or_default())
    }

    /// Writes a time as UTC ISO 8601, empty for `None`.
    pub fn time(&mut self, seconds: Option<i64>) -> Result<(), ReportError> {
        self.number.clear();
        if let Some(seconds) = seconds {
            super::format::push_iso_utc(&mut self.number, seconds);
        }
        self.writer
            .write_field(self.number.as_bytes())
            .map_err(|e| self.error(e))
    }

    /// Writes an integer.
    pub fn integer(&mut self, value: impl itoa::Integer) -> Result<(), ReportError> {
        let mut buffer = itoa::Buffer::new();
        let digits = buffer.format(value);
        self.writer
            .write_field(digits.as_bytes())
            .map_err(|e| self.error(e))
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
        self.number.clear();
        if let Some(value) = value {
            let _ = write!(self.number, "{value}");
        }
        self.writer
            .write_field(self.number.as_bytes())
            .map_err(|e| self.error(e))
    }

    pub fn boolean(&mut self, value: bool) -> Result<(), ReportError> {
        self.text(if value { "true" } else { "false" })
    }

    pub fn end_row(&mut self) -> Result<(), ReportError> {
        self.writer
            .write_record(None::<&[u8]>)
            .map_err(|e| self.error(e))
    }

    /// Flushes the file and records it in `dir`.
    pub fn finish(self, dir: &mut OutputDir) -> Result<(), ReportError> {
        let name = self.name.clone();
        let file = self.writer.into_inner().map_err(|e| ReportError::Io {
            path: dir.path().join(&name),
            source: e.into_error(),
        })?;
        dir.finish(file)
    }

    fn error(&self, error: csv::Error) -> ReportError {
        self.writer.get_ref().error(error.into())
    }
}
