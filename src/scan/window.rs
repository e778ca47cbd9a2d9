//! Fetching one UID window completely, or saying exactly what is missing and why.
//!
//! Each window is checked against the UIDs that UID SEARCH listed for it. A session that
//! fails (dropped, timed out, answered nonsense) is replaced and only the UIDs still
//! missing are fetched again; that costs one of the folder's reconnects. A message the
//! server does not return, or returns without its header, is asked for once more in a
//! fresh session and then recorded as a [`MessageFailure`].

use std::collections::BTreeSet;

use crate::imap::{Examined, Fetched, Folder, ImapError};
use crate::store::MessageFailure;

use super::FolderContext;
use super::pool::{Lease, backoff};

/// A fetched window: headers in UID order, and the UIDs given up on.
pub struct RawWindow {
    pub headers: Vec<(u32, Vec<u8>)>,
    pub failures: Vec<MessageFailure>,
}

/// Fetches `uids`. Returns `Err` only when the folder cannot go on (reconnects used up,
/// UIDVALIDITY changed, a login that stopped working).
pub async fn fetch_window(
    cx: &FolderContext<'_>,
    lease: &mut Lease,
    folder: &Folder,
    uid_validity: u32,
    uids: &[u32],
    reconnects: &mut u32,
) -> Result<RawWindow, ImapError> {
    let mut pending: BTreeSet<u32> = uids.iter().copied().collect();
    let mut window = RawWindow {
        headers: Vec::with_capacity(uids.len()),
        failures: Vec::new(),
    };
    // TODO: a window keeps every header until it commits, so a server that sends
    // `window` headers each just under scan.max_header_bytes makes one window that large.
    let mut second_try = false;
    while !pending.is_empty() {
        let asked: Vec<u32> = pending.iter().copied().collect();
        let mut fetched = Fetched::default();
        let result = lease
            .session
            .fetch_headers(
                &asked,
                cx.run.item,
                cx.run.settings.max_header_bytes,
                &mut fetched,
            )
            .await;
        take(cx, &mut fetched, &mut pending, &mut window);
        let reason = match result {
            Ok(()) if pending.is_empty() => break,
            Ok(()) => "the server did not return the message header".to_string(),
            Err(ImapError::Rejected { kind, text, .. }) => {
                format!("the server refused to return it: {kind} {text}")
            }
            Err(ImapError::TooLarge {
                uid: Some(uid),
                limit,
                ..
            }) if pending.remove(&uid) => {
                window.failures.push(MessageFailure {
                    uid,
                    reason: format!("the server response for this message exceeds {limit} bytes"),
                });
                cx.warn_uid(uid, "response too large; recorded as a failure");
                reopen(cx, lease, folder, uid_validity).await?;
                continue;
            }
            Err(error) if error.is_permanent() => return Err(error),
            Err(error) => {
                *reconnects += 1;
                if *reconnects > cx.pool.retries() {
                    return Err(ImapError::Window {
                        uids: describe_uids(&pending),
                        source: Box::new(error),
                    });
                }
                let delay = backoff(*reconnects - 1);
                tracing::warn!(
                    account = %cx.key.account, folder = %cx.key.folder,
                    "{error}; reconnecting in {:.1} s to fetch the {} remaining messages of this window",
                    delay.as_secs_f64(), pending.len()
                );
                tokio::time::sleep(delay).await;
                reopen(cx, lease, folder, uid_validity).await?;
                continue;
            }
        };
        if second_try {
            for uid in std::mem::take(&mut pending) {
                cx.warn_uid(uid, &reason);
                window.failures.push(MessageFailure {
                    uid,
                    reason: reason.clone(),
                });
            }
            break;
        }
        second_try = true;
        tracing::debug!(account = %cx.key.account, folder = %cx.key.folder, missing = pending.len(), "{reason}; asking again in a fresh session");
        reopen(cx, lease, folder, uid_validity).await?;
    }
    window.headers.sort_unstable_by_key(|(uid, _)| *uid);
    window.failures.sort_unstable_by_key(|f| f.uid);
    Ok(window)
}

/// `2`, `1:3,7` or `1:3,7 and 12 more`: the UIDs a failed window still lacked.
fn describe_uids(pending: &BTreeSet<u32>) -> String {
    let uids: Vec<u32> = pending.iter().copied().collect();
    let runs = crate::imap::runs(&uids);
    let shown: Vec<String> = runs
        .iter()
        .take(5)
        .map(|(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}:{b}")
            }
        })
        .collect();
    match runs.len().saturating_sub(5) {
        0 => shown.join(","),
        more => format!("{} and {more} more ranges", shown.join(",")),
    }
}

/// Moves what a FETCH returned into the window and off the pending list.
fn take(
    cx: &FolderContext<'_>,
    fetched: &mut Fetched,
    pending: &mut BTreeSet<u32>,
    window: &mut RawWindow,
) {
    let limit = cx.run.settings.max_header_bytes;
    for (uid, header) in fetched.headers.drain(..) {
        if pending.remove(&uid) {
            window.headers.push((uid, header));
        }
    }
    for (uid, size) in fetched.too_large.drain(..) {
        if pending.remove(&uid) {
            let reason = format!("header of {size} bytes exceeds scan.max_header_bytes ({limit})");
            cx.warn_uid(uid, &reason);
            window.failures.push(MessageFailure { uid, reason });
        }
    }
}

/// Replaces the session and opens the folder again, checking that its UIDs still mean
/// the same messages.
pub async fn reopen(
    cx: &FolderContext<'_>,
    lease: &mut Lease,
    folder: &Folder,
    uid_validity: u32,
) -> Result<Examined, ImapError> {
    cx.pool.renew(lease).await?;
    let examined = lease.session.examine(folder).await?;
    if examined.uid_validity != uid_validity {
        return Err(ImapError::Protocol {
            step: "reopening the folder".to_string(),
            detail: format!(
                "UIDVALIDITY changed from {uid_validity} to {} during the scan; run the scan again",
                examined.uid_validity
            ),
        });
    }
    Ok(examined)
}
