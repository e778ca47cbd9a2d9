//! Driving an import: sources to header blocks, header blocks to classified windows,
//! windows to the store, and the run to the evidence trail.

use std::collections::HashSet;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::time::Instant;

use super::lines::{Header, LineReader, read_header};
use super::mbox::MboxReader;
use super::source::{self, Source, SourceKind};
use super::{IMPORT_UID_VALIDITY, ImportRequest, ImportSummary};
use crate::classify::ConfiguredReceivers;
use crate::classify::{self, Policy};
use crate::config::{self, Config};
use crate::store::{
    ClassifiedMessage, FolderKey, HeaderDigest, RunError, ScanId, ScanOutcome, ScanStart,
    ScanStatus, Store, StoreError, WindowCommit,
};

/// Imports every path of `request` into `store`, recording the run as a scan with command
/// `import`. A path or message that cannot be read is logged, recorded as an error and
/// counted, and the import goes on. A store error ends the import.
pub fn run(
    config: &Config,
    store: &mut dyn Store,
    request: &ImportRequest,
) -> Result<ImportSummary, StoreError> {
    let started = Instant::now();
    let scan = store.begin_scan(&ScanStart {
        command: "import".to_string(),
        started_at: chrono::Utc::now().timestamp(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        config_digest: Some(config::digest(config)),
        accounts: vec![request.account.clone()],
    })?;
    let mut importer = Importer::new(config, store, scan, &request.account);
    let result = importer.import_all(&request.paths);
    let status = importer.status(result.is_ok());
    let totals = importer.totals;
    let outcome = ScanOutcome {
        finished_at: chrono::Utc::now().timestamp(),
        status,
        messages_seen: totals.seen,
        messages_new: totals.new,
        errors: totals.errors,
    };
    // After a store error the trail is written if the database still takes it; the
    // first error is the one reported.
    let finished = store.finish_scan(scan, &outcome);
    result?;
    finished?;
    Ok(ImportSummary {
        messages_seen: totals.seen,
        messages_new: totals.new,
        folders: totals.folders,
        errors: totals.errors,
        seconds: started.elapsed().as_secs_f64(),
        status,
        scan,
    })
}

#[derive(Debug, Clone, Copy, Default)]
struct Totals {
    seen: u64,
    new: u64,
    errors: u64,
    folders: u64,
}

/// Messages of one folder waiting to be committed.
struct Batch {
    folder: FolderKey,
    next_uid: u32,
    known: HashSet<HeaderDigest>,
    messages: Vec<ClassifiedMessage>,
    digests: Vec<HeaderDigest>,
}

struct Importer<'a> {
    store: &'a mut dyn Store,
    policy: Policy,
    knowledge: ConfiguredReceivers,
    scan: ScanId,
    account: String,
    window: usize,
    max_header: usize,
    totals: Totals,
    /// Folder names read so far: two paths may name one folder (`mail` and `./mail/`).
    folders_read: std::collections::HashSet<String>,
}

impl<'a> Importer<'a> {
    fn new(config: &Config, store: &'a mut dyn Store, scan: ScanId, account: &str) -> Importer<'a> {
        Importer {
            store,
            policy: Policy::from_config(config),
            knowledge: ConfiguredReceivers::from_config(config),
            scan,
            account: account.to_string(),
            window: config.scan.window.max(1) as usize,
            max_header: config.scan.max_header_bytes,
            totals: Totals::default(),
            folders_read: std::collections::HashSet::new(),
        }
    }

    fn import_all(&mut self, paths: &[std::path::PathBuf]) -> Result<(), StoreError> {
        for path in paths {
            self.import_path(path)?;
        }
        self.store.resolve_verdicts(&self.knowledge)?;
        Ok(())
    }

    /// Returns the run's status: failed when nothing could be read or the store failed,
    /// partial when something failed, complete otherwise (exit codes 2, 1 and 0).
    fn status(&self, store_ok: bool) -> ScanStatus {
        let totals = self.totals;
        if !store_ok || (totals.errors > 0 && totals.seen == 0 && totals.folders == 0) {
            ScanStatus::Failed
        } else if totals.errors > 0 {
            ScanStatus::Partial
        } else {
            ScanStatus::Complete
        }
    }

    fn import_path(&mut self, path: &Path) -> Result<(), StoreError> {
        let source = match source::detect(path) {
            Ok(source) => source,
            Err(e) => return self.fail(None, format!("{}: cannot read: {e}", path.display())),
        };
        let folder = FolderKey {
            account: self.account.clone(),
            folder: source.name.clone(),
        };
        self.store
            .open_folder(self.scan, &folder, IMPORT_UID_VALIDITY)?;
        let highest_uid = self
            .store
            .folder_state(&folder)?
            .map_or(0, |state| state.highest_uid);
        let mut batch = Batch {
            known: self.store.header_digests(&folder)?,
            folder,
            next_uid: highest_uid + 1,
            messages: Vec::new(),
            digests: Vec::new(),
        };
        let before = self.totals;
        let readable = match source.kind {
            SourceKind::Mbox => self.read_mbox(&source, &mut batch)?,
            SourceKind::Maildir | SourceKind::EmlFolder | SourceKind::EmlFile => {
                self.read_files(&source, &mut batch)?
            }
        };
        self.flush(&mut batch)?;
        if readable && self.folders_read.insert(batch.folder.folder.clone()) {
            self.totals.folders += 1;
        }
        tracing::info!(
            path = %source.path.display(),
            kind = ?source.kind,
            seen = self.totals.seen - before.seen,
            new = self.totals.new - before.new,
            errors = self.totals.errors - before.errors,
            "imported"
        );
        Ok(())
    }

    /// Reads an mbox. Returns false when the file could not be read at all.
    fn read_mbox(&mut self, source: &Source, batch: &mut Batch) -> Result<bool, StoreError> {
        let shown = source.path.display().to_string();
        let opened = File::open(&source.name)
            .and_then(|file| MboxReader::new(BufReader::new(file), self.max_header));
        let reader = match opened {
            Ok(reader) => reader,
            Err(e) => {
                self.fail(Some(batch), format!("{shown}: cannot read: {e}"))?;
                return Ok(false);
            }
        };
        for message in reader {
            match message {
                Ok(message) => {
                    let origin = format!("{shown}: message {}", message.number);
                    self.offer(batch, message.header, &origin)?;
                }
                Err(e) => self.fail(Some(batch), format!("{shown}: read failed: {e}"))?,
            }
        }
        Ok(true)
    }

    /// Reads each file of a Maildir or `.eml` folder. Returns false when the folder could
    /// not be listed.
    fn read_files(&mut self, source: &Source, batch: &mut Batch) -> Result<bool, StoreError> {
        let files = match source::message_files(source) {
            Ok(files) => files,
            Err(e) => {
                let message = format!("{}: cannot list: {e}", source.path.display());
                self.fail(Some(batch), message)?;
                return Ok(false);
            }
        };
        for file in files {
            let shown = file.display().to_string();
            match read_file_header(&file, self.max_header) {
                Ok(header) => self.offer(batch, header, &shown)?,
                Err(e) => self.fail(Some(batch), format!("{shown}: cannot read: {e}"))?,
            }
        }
        Ok(true)
    }

    /// Classifies one header block into the batch, unless the folder already holds it.
    fn offer(&mut self, batch: &mut Batch, header: Header, origin: &str) -> Result<(), StoreError> {
        self.totals.seen += 1;
        if header.too_large(self.max_header) {
            let message = format!(
                "{origin}: header is {} bytes, more than scan.max_header_bytes = {}; skipped",
                header.len, self.max_header
            );
            return self.fail(Some(batch), message);
        }
        if header.bytes.is_empty() {
            return self.fail(Some(batch), format!("{origin}: no header fields; skipped"));
        }
        let digest = HeaderDigest::of(&header.bytes);
        if !batch.known.insert(digest) {
            tracing::debug!(
                origin,
                "header block already stored in this folder; skipped"
            );
            return Ok(());
        }
        let classification = classify::classify(&header.bytes, &self.policy, &self.knowledge);
        batch.messages.push(ClassifiedMessage {
            uid: batch.next_uid,
            header_bytes: header.bytes.len(),
            classification,
        });
        batch.digests.push(digest);
        batch.next_uid += 1;
        if batch.messages.len() >= self.window {
            self.flush(batch)?;
        }
        Ok(())
    }

    fn flush(&mut self, batch: &mut Batch) -> Result<(), StoreError> {
        if batch.messages.is_empty() {
            return Ok(());
        }
        let window = WindowCommit {
            scan: self.scan,
            folder: batch.folder.clone(),
            uid_validity: IMPORT_UID_VALIDITY,
            highest_uid: batch.next_uid - 1,
            messages: std::mem::take(&mut batch.messages),
            failures: Vec::new(),
        };
        let digests = std::mem::take(&mut batch.digests);
        let counts = self.store.commit_imported(&window, &digests)?;
        self.totals.new += counts.new;
        Ok(())
    }

    /// Logs, records and counts a file or message that could not be imported.
    fn fail(&mut self, batch: Option<&Batch>, message: String) -> Result<(), StoreError> {
        tracing::error!("{message}");
        self.totals.errors += 1;
        self.store.record_error(
            self.scan,
            &RunError {
                account: Some(self.account.clone()),
                folder: batch.map(|b| b.folder.folder.clone()),
                uid_validity: None,
                uid: None,
                at: chrono::Utc::now().timestamp(),
                message,
            },
        )
    }
}

/// Reads the header of one message file, skipping an mbox postmark line at its top.
fn read_file_header(path: &Path, max: usize) -> std::io::Result<Header> {
    let mut lines = LineReader::new(BufReader::new(File::open(path)?));
    if !lines.next_line(max.max(super::lines::PEEK))? {
        return Ok(Header::default());
    }
    let postmark = lines.line.starts_with(b"From ");
    read_header(&mut lines, max, !postmark)
}
