//! Where report files go: the output folder, files hashed while they are written, and the
//! `SHA256SUMS` list over them.
//!
//! Each file is written under a `.partial` name and renamed when complete, so a report
//! folder never holds a half-written file under its real name.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::ReportError;

/// Name of the checksum list, in the format `sha256sum -c` reads.
pub const CHECKSUMS: &str = "SHA256SUMS";

/// Returns the folder for a report: `explicit` when given, else `<base>/<day>`, or
/// `<base>/<day>-2`, `-3` ... when that folder already contains files, so a second run on the
/// same day never overwrites a report that may already have been handed out.
pub fn choose_dir(explicit: Option<&Path>, base: &Path, day: &str) -> PathBuf {
    if let Some(dir) = explicit {
        return dir.to_path_buf();
    }
    let candidates = std::iter::once(day.to_string()).chain((2..).map(|n| format!("{day}-{n}")));
    for name in candidates {
        let dir = base.join(name);
        if is_missing_or_empty(&dir) {
            return dir;
        }
    }
    unreachable!("the candidate names never end")
}

fn is_missing_or_empty(dir: &Path) -> bool {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(_) => !dir.exists(),
    }
}

/// A report folder being written.
pub struct OutputDir {
    dir: PathBuf,
    /// File name and hex SHA-256 of every finished file.
    finished: Vec<(String, String)>,
}

impl OutputDir {
    /// Creates the folder (and its parents) when missing.
    pub fn create(dir: &Path) -> Result<OutputDir, ReportError> {
        std::fs::create_dir_all(dir).map_err(|source| ReportError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(OutputDir {
            dir: dir.to_path_buf(),
            finished: Vec::new(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Opens `name` for writing.
    pub fn file(&self, name: &str) -> Result<HashedFile, ReportError> {
        HashedFile::create(&self.dir, name)
    }

    /// Flushes, renames and records a file opened with [`OutputDir::file`].
    pub fn finish(&mut self, file: HashedFile) -> Result<(), ReportError> {
        let (name, digest) = file.finish()?;
        self.finished.push((name, digest));
        Ok(())
    }

    /// Writes a whole file at once.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), ReportError> {
        let mut file = self.file(name)?;
        file.write_all(bytes).map_err(|e| file.error(e))?;
        self.finish(file)
    }

    /// Writes `SHA256SUMS` over every finished file and returns the paths of all files.
    pub fn close(mut self) -> Result<Vec<PathBuf>, ReportError> {
        self.finished.sort();
        let mut sums = String::new();
        for (name, digest) in &self.finished {
            let _ = writeln!(sums, "{digest}  {name}");
        }
        let names: Vec<String> = self.finished.iter().map(|(n, _)| n.clone()).collect();
        let path = self.dir.join(CHECKSUMS);
        std::fs::write(&path, sums).map_err(|source| ReportError::Io {
            path: path.clone(),
            source,
        })?;
        let mut paths: Vec<PathBuf> = names.iter().map(|n| self.dir.join(n)).collect();
        paths.push(path);
        Ok(paths)
    }
}

/// A buffered file that hashes every byte written to it.
pub struct HashedFile {
    name: String,
    partial: PathBuf,
    writer: BufWriter<File>,
    hasher: Sha256,
    /// Set once renamed; until then, dropping the file removes the partial file.
    done: bool,
}

impl HashedFile {
    fn create(dir: &Path, name: &str) -> Result<HashedFile, ReportError> {
        let partial = dir.join(format!(".{name}.partial"));
        let file = File::create(&partial).map_err(|source| ReportError::Io {
            path: partial.clone(),
            source,
        })?;
        Ok(HashedFile {
            name: name.to_string(),
            partial,
            writer: BufWriter::with_capacity(256 * 1024, file),
            hasher: Sha256::new(),
            done: false,
        })
    }

    /// Wraps an I/O error with the final path of this file.
    pub fn error(&self, source: io::Error) -> ReportError {
        ReportError::Io {
            path: self.final_path(),
            source,
        }
    }

    fn final_path(&self) -> PathBuf {
        self.partial.with_file_name(&self.name)
    }

    fn finish(mut self) -> Result<(String, String), ReportError> {
        self.writer.flush().map_err(|e| self.error(e))?;
        let target = self.final_path();
        std::fs::rename(&self.partial, &target).map_err(|e| self.error(e))?;
        self.done = true;
        let digest = std::mem::take(&mut self.hasher).finalize();
        let mut hex = String::with_capacity(64);
        for byte in digest {
            let _ = write!(hex, "{byte:02x}");
        }
        Ok((std::mem::take(&mut self.name), hex))
    }
}

impl Drop for HashedFile {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

impl Write for HashedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.writer.write(buf)?;
        self.hasher.update(&buf[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}
