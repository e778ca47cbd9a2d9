//! Boundary hops handed from the hop pass to the message pass.
//!
//! Both passes stream the selected messages in the same order. The hop pass reads every
//! hop anyway, so it copies each boundary hop into a [`HopBatch`] and sends full batches
//! to the message pass, which then reads only the messages table. Without this the
//! message pass would look up every boundary hop in the hops table a second time, which
//! means reading most of that table again.
//!
//! The two passes read the store in separate transactions, so a scan writing at the same
//! time could make them see different rows. Messages are therefore matched by key, not by
//! position: a boundary hop the message pass never requests is skipped, and a message
//! whose hop is missing gets none.

use std::borrow::Cow;
use std::sync::mpsc::{Receiver, SyncSender};

use super::source::HopRow;

/// Boundary hops per batch.
pub const BATCH: usize = 4096;

/// Position of a message in the common streaming order: the index of its folder in the
/// selected folders, its UIDVALIDITY and its UID.
pub type MessageKey = (usize, u32, u32);

/// A byte range in [`HopBatch::text`]; `None` for a NULL column.
type Span = Option<(u32, u32)>;

/// The fields of one hop, with its text in the batch's shared buffer.
struct PackedHop {
    key: MessageKey,
    header_index: u32,
    tls: bool,
    parsed: bool,
    date_utc: Option<i64>,
    date_offset: Option<i32>,
    /// from_host, from_ip, by_host, protocol, tls_version, tls_cipher, tls_evidence, kind.
    text: [Span; 8],
    raw: (u32, u32),
}

/// Boundary hops of consecutive messages, their text packed into one buffer so a batch
/// costs two allocations however many hops it holds.
#[derive(Default)]
pub struct HopBatch {
    text: Vec<u8>,
    hops: Vec<PackedHop>,
}

impl HopBatch {
    pub fn len(&self) -> usize {
        self.hops.len()
    }

    /// Copies `hop`, the boundary hop of the message at `key`.
    pub fn push(&mut self, key: MessageKey, hop: &HopRow<'_>) {
        let texts = [
            &hop.from_host,
            &hop.from_ip,
            &hop.by_host,
            &hop.protocol,
            &hop.tls_version,
            &hop.tls_cipher,
            &hop.tls_evidence,
        ];
        let mut text: [Span; 8] = [None; 8];
        for (span, value) in text.iter_mut().zip(texts) {
            *span = value.as_deref().map(|v| self.store(v.as_bytes()));
        }
        text[7] = Some(self.store(hop.kind.as_bytes()));
        let raw = self.store(&hop.raw);
        self.hops.push(PackedHop {
            key,
            header_index: hop.header_index,
            tls: hop.tls,
            parsed: hop.parsed,
            date_utc: hop.date_utc,
            date_offset: hop.date_offset,
            text,
            raw,
        });
    }

    fn store(&mut self, bytes: &[u8]) -> (u32, u32) {
        let start = self.text.len() as u32;
        self.text.extend_from_slice(bytes);
        (start, self.text.len() as u32)
    }

    fn hop(&self, index: usize) -> HopRow<'_> {
        let packed = &self.hops[index];
        let bytes = |(start, end): (u32, u32)| &self.text[start as usize..end as usize];
        // The text was copied from `str` values, so it is valid UTF-8.
        let text = |span: Span| {
            span.map(|span| Cow::Borrowed(std::str::from_utf8(bytes(span)).unwrap_or_default()))
        };
        HopRow {
            header_index: packed.header_index,
            from_host: text(packed.text[0]),
            from_ip: text(packed.text[1]),
            by_host: text(packed.text[2]),
            protocol: text(packed.text[3]),
            tls: packed.tls,
            tls_version: text(packed.text[4]),
            tls_cipher: text(packed.text[5]),
            tls_evidence: text(packed.text[6]),
            kind: text(packed.text[7]).unwrap_or_default(),
            parsed: packed.parsed,
            date_utc: packed.date_utc,
            date_offset: packed.date_offset,
            raw: Cow::Borrowed(bytes(packed.raw)),
        }
    }
}

/// The sending side, used by the hop pass.
pub struct BoundarySender {
    batches: SyncSender<HopBatch>,
    batch: HopBatch,
    /// False once the message pass has stopped receiving.
    open: bool,
}

impl BoundarySender {
    pub fn new(batches: SyncSender<HopBatch>) -> BoundarySender {
        BoundarySender {
            batches,
            batch: HopBatch::default(),
            open: true,
        }
    }

    /// Adds the boundary hop of the message at `key`, sending the batch once it is full.
    pub fn push(&mut self, key: MessageKey, hop: &HopRow<'_>) {
        if !self.open {
            return;
        }
        self.batch.push(key, hop);
        if self.batch.len() >= BATCH {
            self.flush();
        }
    }

    /// Sends the hops collected so far.
    pub fn flush(&mut self) {
        if self.open && self.batch.len() > 0 {
            let batch = std::mem::take(&mut self.batch);
            // A closed channel means the message pass failed; its error is reported.
            self.open = self.batches.send(batch).is_ok();
        }
    }
}

/// The receiving side, used by the message pass.
pub struct BoundaryFeed {
    batches: Receiver<HopBatch>,
    batch: HopBatch,
    next: usize,
}

impl BoundaryFeed {
    pub fn new(batches: Receiver<HopBatch>) -> BoundaryFeed {
        BoundaryFeed {
            batches,
            batch: HopBatch::default(),
            next: 0,
        }
    }

    /// Returns the boundary hop of the message at `key`, skipping hops of earlier keys.
    /// Waits for the hop pass when it has not sent that far yet.
    pub fn take(&mut self, key: MessageKey) -> Option<HopRow<'_>> {
        loop {
            if self.next == self.batch.len() {
                // The hop pass closes the channel when it has sent every hop.
                self.batch = self.batches.recv().ok()?;
                self.next = 0;
            }
            let found = self.batch.hops[self.next].key;
            if found > key {
                return None;
            }
            self.next += 1;
            if found == key {
                return Some(self.batch.hop(self.next - 1));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(index: u32, raw: &str) -> HopRow<'static> {
        HopRow {
            header_index: index,
            from_host: Some(Cow::Owned(format!("mail{index}.a.example"))),
            by_host: Some(Cow::Borrowed("mx.org.example")),
            tls: true,
            tls_version: Some(Cow::Borrowed("TLSv1.3")),
            kind: Cow::Borrowed("relay"),
            parsed: true,
            date_utc: Some(1_767_225_600),
            date_offset: Some(-240),
            raw: Cow::Owned(raw.as_bytes().to_vec()),
            ..HopRow::default()
        }
    }

    #[test]
    fn feed_matches_by_key() {
        let (sender, receiver) = std::sync::mpsc::sync_channel(2);
        let mut boundaries = BoundarySender::new(sender);
        let sent = [((0, 1, 1), hop(1, "one")), ((0, 1, 3), hop(2, "three"))];
        let producer = std::thread::spawn(move || {
            for (key, hop) in &sent {
                boundaries.push(*key, hop);
            }
            boundaries.push((1, 7, 1), &hop(1, "other folder"));
            boundaries.flush();
        });
        let mut feed = BoundaryFeed::new(receiver);
        assert_eq!(feed.take((0, 1, 1)), Some(hop(1, "one")));
        assert_eq!(
            feed.take((0, 1, 2)),
            None,
            "a message without a boundary hop"
        );
        assert_eq!(feed.take((0, 1, 3)), Some(hop(2, "three")));
        // A hop the message pass never requests is skipped.
        assert_eq!(feed.take((1, 7, 2)), None);
        assert_eq!(feed.take((1, 7, 3)), None, "after the last hop");
        producer.join().unwrap();
    }

    #[test]
    fn full_batches_are_sent() {
        let (sender, receiver) = std::sync::mpsc::sync_channel(4);
        let mut boundaries = BoundarySender::new(sender);
        let producer = std::thread::spawn(move || {
            for uid in 1..=(BATCH as u32 * 2 + 5) {
                boundaries.push((0, 1, uid), &hop(uid % 3, "raw"));
            }
            boundaries.flush();
        });
        let mut feed = BoundaryFeed::new(receiver);
        let mut found = 0;
        for uid in 1..=(BATCH as u32 * 2 + 5) {
            let hop = feed.take((0, 1, uid)).expect("every message has a hop");
            assert_eq!(hop.header_index, uid % 3);
            found += 1;
        }
        assert_eq!(found, BATCH * 2 + 5);
        producer.join().unwrap();
    }
}
