//! A report file written and hashed on a thread of its own. Writing `hops.csv` costs the
//! kernel about as much CPU time as formatting it, so the thread that reads the store hands
//! over full blocks and keeps going while another core copies and hashes them.
//!
//! At most [`QUEUED`] blocks wait in the queue, so memory stays a few blocks per file
//! however fast the rows come.

use std::io::Write;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::thread::JoinHandle;

use super::ReportError;
use super::output::HashedFile;

/// Blocks that may wait for the writer thread.
const QUEUED: usize = 2;

/// A [`HashedFile`] that a writer thread owns until [`BackgroundFile::finish`].
pub struct BackgroundFile {
    blocks: Option<SyncSender<Vec<u8>>>,
    /// Blocks the writer thread has emptied, to be filled again.
    spare: Receiver<Vec<u8>>,
    writer: Option<JoinHandle<Result<HashedFile, ReportError>>>,
}

impl BackgroundFile {
    /// Starts the writer thread for `file`.
    pub fn start(file: HashedFile) -> Result<BackgroundFile, ReportError> {
        let (blocks, queue) = sync_channel::<Vec<u8>>(QUEUED);
        let (give_back, spare) = sync_channel::<Vec<u8>>(QUEUED + 2);
        let writer = std::thread::Builder::new()
            .name("report-writer".into())
            .spawn(move || write_blocks(file, &queue, &give_back))
            .map_err(|e| ReportError::Invalid(format!("cannot start a writer thread: {e}")))?;
        Ok(BackgroundFile {
            blocks: Some(blocks),
            spare,
            writer: Some(writer),
        })
    }

    /// Queues the bytes in `block` for writing and leaves an empty block in its place.
    /// Returns the writer's error once a write has failed.
    pub fn send(&mut self, block: &mut Vec<u8>) -> Result<(), ReportError> {
        let empty = match self.spare.try_recv() {
            Ok(mut spare) => {
                spare.clear();
                spare
            }
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => {
                Vec::with_capacity(block.capacity())
            }
        };
        let full = std::mem::replace(block, empty);
        let sent = self.blocks.as_ref().map(|blocks| blocks.send(full));
        match sent {
            Some(Ok(())) => Ok(()),
            // The writer stopped at a failed write; its result has the error.
            _ => self.join().map(drop),
        }
    }

    /// Waits until every queued block is written and returns the file to be finished.
    pub fn finish(mut self) -> Result<HashedFile, ReportError> {
        self.join()
    }

    fn join(&mut self) -> Result<HashedFile, ReportError> {
        self.blocks = None;
        let writer = self
            .writer
            .take()
            .ok_or_else(|| ReportError::Invalid("the writer thread already stopped".into()))?;
        writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }
}

impl Drop for BackgroundFile {
    fn drop(&mut self) {
        // Closing the queue ends the writer thread, which drops and so removes the partial
        // file; a report that failed elsewhere leaves nothing behind.
        self.blocks = None;
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// Writes and hashes every block in order until the queue closes; the writer thread's body.
fn write_blocks(
    mut file: HashedFile,
    queue: &Receiver<Vec<u8>>,
    give_back: &SyncSender<Vec<u8>>,
) -> Result<HashedFile, ReportError> {
    for block in queue {
        file.write_all(&block).map_err(|e| file.error(e))?;
        // The producer may have enough spares already; then this block is freed.
        let _ = give_back.try_send(block);
    }
    Ok(file)
}
