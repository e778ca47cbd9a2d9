//! UID lists as IMAP sequence sets: runs of consecutive UIDs become ranges, so a window of
//! 2,000 mostly consecutive UIDs is a few bytes on the wire (`1:1500,1502:2001`).

use std::num::NonZeroU32;

use imap_next::imap_types::core::Vec1;
use imap_next::imap_types::sequence::{SeqOrUid, Sequence, SequenceSet};

/// Builds the set for sorted, distinct, non-zero `uids`; `None` when there are none.
pub fn sequence_set(uids: &[u32]) -> Option<SequenceSet> {
    let runs = runs(uids);
    let sequences: Vec<Sequence> = runs
        .into_iter()
        .filter_map(|(a, b)| {
            let a = SeqOrUid::Value(NonZeroU32::new(a)?);
            let b = SeqOrUid::Value(NonZeroU32::new(b)?);
            Some(if a == b {
                Sequence::Single(a)
            } else {
                Sequence::Range(a, b)
            })
        })
        .collect();
    Vec1::try_from(sequences).ok().map(SequenceSet)
}

/// Splits sorted `uids` into inclusive runs of consecutive values.
pub fn runs(uids: &[u32]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for &uid in uids {
        match out.last_mut() {
            Some((_, end)) if end.checked_add(1) == Some(uid) => *end = uid,
            _ => out.push((uid, uid)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_consecutive_uids() {
        assert_eq!(runs(&[1, 2, 3, 5, 7, 8]), vec![(1, 3), (5, 5), (7, 8)]);
        assert_eq!(runs(&[]), vec![]);
        assert!(sequence_set(&[]).is_none());
        assert_eq!(sequence_set(&[4]).map(|s| s.0.as_ref().len()), Some(1));
    }
}
