//! What a path given to `hopaudit import` is, and which files it holds.
//!
//! - a file ending in `.eml` is one exported message, filed under the folder that holds
//!   it, so it lands in the same store folder as an import of that whole folder;
//! - any other file is an mbox;
//! - a folder with a `cur` or `new` subfolder is a Maildir: every file in `cur/` and `new/`
//!   is one message (`tmp/` holds deliveries in progress and is skipped);
//! - any other folder holds exported messages: every `*.eml` file directly inside it.
//!
//! mail-parser's `mailbox::maildir` reader returns each file's whole contents; only
//! headers are needed here, so files are listed here and read up to the header's end.
//!
//! Subfolders are not followed (Maildir++ keeps each subfolder as `.Name` inside the
//! Maildir): import each one as its own path. Files are read in name order, so the UIDs
//! given to new messages do not depend on the order the file system lists them in.

use std::io;
use std::path::{Path, PathBuf};

/// The kind of a source path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SourceKind {
    Mbox,
    Maildir,
    EmlFolder,
    EmlFile,
}

/// A path to import and the store folder it goes to.
#[derive(Debug, Clone)]
pub(super) struct Source {
    pub path: PathBuf,
    /// The store folder name: the absolute path with symbolic links resolved, so the same
    /// source imported from another working folder is still the same store folder.
    pub name: String,
    pub kind: SourceKind,
}

/// Finds out what `path` is.
pub(super) fn detect(path: &Path) -> io::Result<Source> {
    let absolute = std::fs::canonicalize(path)?;
    let metadata = std::fs::metadata(&absolute)?;
    let is_eml = absolute
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("eml"));
    if metadata.is_file() && is_eml {
        let folder = absolute.parent().unwrap_or(Path::new("/"));
        return Ok(Source {
            path: path.to_path_buf(),
            name: folder.to_string_lossy().into_owned(),
            kind: SourceKind::EmlFile,
        });
    }
    let kind = if metadata.is_file() {
        SourceKind::Mbox
    } else if absolute.join("cur").is_dir() || absolute.join("new").is_dir() {
        SourceKind::Maildir
    } else {
        SourceKind::EmlFolder
    };
    Ok(Source {
        path: path.to_path_buf(),
        name: absolute.to_string_lossy().into_owned(),
        kind,
    })
}

/// Lists the message files of a Maildir or `.eml` folder, sorted by path.
pub(super) fn message_files(source: &Source) -> io::Result<Vec<PathBuf>> {
    let root = PathBuf::from(&source.name);
    let mut files = match source.kind {
        SourceKind::Mbox => Vec::new(),
        SourceKind::EmlFile => vec![std::fs::canonicalize(&source.path)?],
        SourceKind::Maildir => {
            let mut all = Vec::new();
            for sub in ["cur", "new"] {
                let dir = root.join(sub);
                if dir.is_dir() {
                    all.extend(files_in(&dir, |_| true)?);
                }
            }
            all
        }
        SourceKind::EmlFolder => files_in(&root, |name| {
            Path::new(name)
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("eml"))
        })?,
    };
    files.sort();
    Ok(files)
}

/// Regular files in `dir` (not hidden) whose name passes `keep`.
fn files_in(dir: &Path, keep: impl Fn(&str) -> bool) -> io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || !keep(&name) {
            continue;
        }
        if entry.file_type()?.is_dir() {
            continue;
        }
        files.push(entry.path());
    }
    Ok(files)
}
