//! Read-only mailbox commands: LIST, STATUS, EXAMINE, UID SEARCH and UID FETCH of header
//! fields. Nothing here can change a mailbox: there is no SELECT, STORE, EXPUNGE, COPY or
//! APPEND, and fetches use `BODY.PEEK`, which leaves `\Seen` alone (RFC 3501 6.4.5).

use std::collections::HashSet;
use std::num::NonZeroU32;

use imap_next::imap_types::command::CommandBody;
use imap_next::imap_types::core::{AString, Vec1};
use imap_next::imap_types::fetch::{
    MacroOrMessageDataItemNames, MessageDataItem, MessageDataItemName, Section,
};
use imap_next::imap_types::mailbox::{ListMailbox, Mailbox};
use imap_next::imap_types::response::{Code, Data};
use imap_next::imap_types::search::SearchKey;
use imap_next::imap_types::status::{StatusDataItem, StatusDataItemName};

use super::driver::Untagged;
use super::error::ImapError;
use super::folders::Folder;
use super::session::Session;
use super::uidset;

/// The part of the header a scan fetches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderItem {
    /// `BODY.PEEK[HEADER.FIELDS (RECEIVED FROM DATE MESSAGE-ID)]`.
    Fields,
    /// `BODY.PEEK[HEADER]`.
    Whole,
}

/// The header fields classification reads.
pub const FIELDS: [&str; 4] = ["RECEIVED", "FROM", "DATE", "MESSAGE-ID"];

/// Folder facts from EXAMINE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Examined {
    pub uid_validity: u32,
    pub exists: u32,
    pub uid_next: Option<u32>,
}

/// One FETCH command's harvest.
#[derive(Debug, Default)]
pub struct Fetched {
    /// `(uid, header)` for every message that came back with its header.
    pub headers: Vec<(u32, Vec<u8>)>,
    /// UIDs whose header was larger than the limit, with the size.
    pub too_large: Vec<(u32, usize)>,
}

impl Session {
    /// Lists every folder with its attributes (`LIST "" "*"`).
    pub async fn list_folders(&mut self) -> Result<Vec<Folder>, ImapError> {
        let body = CommandBody::List {
            reference: Mailbox::try_from("").map_err(|e| internal("LIST", e))?,
            mailbox_wildcard: ListMailbox::try_from("*").map_err(|e| internal("LIST", e))?,
        };
        let mut folders = Vec::new();
        self.conn
            .execute("LIST", body, 1_000_000, |response| {
                if let Untagged::Data(Data::List {
                    items,
                    delimiter,
                    mailbox,
                }) = response
                {
                    let attributes = items.iter().map(|a| a.to_string()).collect();
                    folders.push(Folder::from_wire(
                        mailbox_bytes(&mailbox),
                        attributes,
                        delimiter.map(|d| d.inner()),
                    ));
                }
                Ok(())
            })
            .await?;
        Ok(folders)
    }

    /// Returns a folder's message count and UIDVALIDITY without opening it (STATUS).
    pub async fn status(&mut self, folder: &Folder) -> Result<(u32, Option<u32>), ImapError> {
        let items = vec![
            StatusDataItemName::Messages,
            StatusDataItemName::UidValidity,
        ];
        let body = CommandBody::Status {
            mailbox: folder.mailbox()?,
            item_names: items.into(),
        };
        let (mut messages, mut validity) = (0, None);
        self.conn
            .execute("STATUS", body, 1000, |response| {
                if let Untagged::Data(Data::Status { items, .. }) = response {
                    for item in items.iter() {
                        match item {
                            StatusDataItem::Messages(n) => messages = *n,
                            StatusDataItem::UidValidity(v) => validity = Some(v.get()),
                            _ => {}
                        }
                    }
                }
                Ok(())
            })
            .await?;
        Ok((messages, validity))
    }

    /// Opens a folder read-only (EXAMINE, RFC 3501 6.3.2).
    pub async fn examine(&mut self, folder: &Folder) -> Result<Examined, ImapError> {
        let body = CommandBody::Examine {
            mailbox: folder.mailbox()?,
        };
        let (mut validity, mut exists, mut uid_next) = (None, 0, None);
        self.conn
            .execute("EXAMINE", body, 10_000, |response| {
                match response {
                    Untagged::Data(Data::Exists(n)) => exists = n,
                    Untagged::Status(status) => match status.code {
                        Some(Code::UidValidity(v)) => validity = Some(v.get()),
                        Some(Code::UidNext(n)) => uid_next = Some(n.get()),
                        _ => {}
                    },
                    _ => {}
                }
                Ok(())
            })
            .await?;
        let uid_validity = validity.ok_or_else(|| ImapError::Protocol {
            step: "EXAMINE".to_string(),
            detail: "the server sent no UIDVALIDITY, so UIDs cannot be trusted between runs"
                .to_string(),
        })?;
        Ok(Examined {
            uid_validity,
            exists,
            uid_next,
        })
    }

    /// Returns the UIDs from `first` to `last` (inclusive; `None` means the highest) that
    /// match the optional date bounds, sorted. `UID SEARCH UID n:*` also returns the
    /// highest message when it is below `n` (RFC 3501 6.4.8), so results are filtered.
    pub async fn search_uids(
        &mut self,
        first: u32,
        last: Option<u32>,
        since: Option<chrono::NaiveDate>,
        before: Option<chrono::NaiveDate>,
    ) -> Result<Vec<u32>, ImapError> {
        let range = match last {
            Some(last) => format!("{first}:{last}"),
            None => format!("{first}:*"),
        };
        let mut criteria = vec![SearchKey::Uid(
            range
                .as_str()
                .try_into()
                .map_err(|e| internal("UID SEARCH", e))?,
        )];
        if let Some(date) = since {
            criteria.push(SearchKey::Since(
                date.try_into().map_err(|e| internal("UID SEARCH", e))?,
            ));
        }
        if let Some(date) = before {
            criteria.push(SearchKey::Before(
                date.try_into().map_err(|e| internal("UID SEARCH", e))?,
            ));
        }
        let body = CommandBody::Search {
            charset: None,
            criteria: Vec1::try_from(criteria).map_err(|e| internal("UID SEARCH", e))?,
            uid: true,
        };
        let mut uids = Vec::new();
        self.conn
            .execute("UID SEARCH", body, 10_000, |response| {
                if let Untagged::Data(Data::Search(found, ..)) = response {
                    uids.extend(found.iter().map(|u| u.get()));
                }
                Ok(())
            })
            .await?;
        let top = last.unwrap_or(u32::MAX);
        uids.retain(|&u| u >= first && u <= top);
        uids.sort_unstable();
        uids.dedup();
        Ok(uids)
    }

    /// Fetches the headers of `uids` with one UID FETCH into `fetched`, which keeps what
    /// arrived even when the command then fails. Every returned item is checked: a UID
    /// that was not asked for, or sent twice, is an error. Headers over `max_header_bytes`
    /// are reported in [`Fetched::too_large`], not kept.
    pub async fn fetch_headers(
        &mut self,
        uids: &[u32],
        item: HeaderItem,
        max_header_bytes: usize,
        fetched: &mut Fetched,
    ) -> Result<(), ImapError> {
        let wanted: HashSet<u32> = uids.iter().copied().collect();
        let mut seen = HashSet::with_capacity(uids.len());
        let body = CommandBody::Fetch {
            sequence_set: uidset::sequence_set(uids)
                .ok_or_else(|| internal("UID FETCH", "empty UID set"))?,
            macro_or_item_names: MacroOrMessageDataItemNames::MessageDataItemNames(vec![
                MessageDataItemName::Uid,
                MessageDataItemName::BodyExt {
                    section: Some(section(item)),
                    partial: None,
                    peek: true,
                },
            ]),
            uid: true,
        };
        // Unsolicited FETCH (flag changes by other clients) may come too, hence the slack.
        let limit = uids.len() * 2 + 1000;
        self.conn
            .execute("UID FETCH", body, limit, |response| {
                let Untagged::Data(Data::Fetch { items, .. }) = response else {
                    return Ok(());
                };
                let Some((uid, header)) = fetch_items(items.into_inner())? else {
                    return Ok(());
                };
                if !wanted.contains(&uid) || !seen.insert(uid) {
                    return Err(ImapError::Protocol {
                        step: "UID FETCH".to_string(),
                        detail: format!(
                            "the server returned UID {uid}, which was not asked for or came twice"
                        ),
                    });
                }
                match header {
                    Some(bytes) if bytes.len() > max_header_bytes => {
                        fetched.too_large.push((uid, bytes.len()))
                    }
                    Some(bytes) => fetched.headers.push((uid, bytes)),
                    None => {}
                }
                Ok(())
            })
            .await?;
        Ok(())
    }
}

fn section(item: HeaderItem) -> Section<'static> {
    match item {
        HeaderItem::Whole => Section::Header(None),
        HeaderItem::Fields => {
            let names: Vec<AString<'static>> = FIELDS
                .iter()
                .map(|f| AString::try_from(*f).expect("field names are atoms"))
                .collect();
            Section::HeaderFields(None, Vec1::try_from(names).expect("four names"))
        }
    }
}

/// A FETCH response's UID and header section; the header is `None` when the server sent
/// the section as NIL.
type FetchedItem = (u32, Option<Vec<u8>>);

/// Picks the UID and the header section out of one FETCH response. Returns `None` for a
/// response without a header section (an unsolicited flag update).
fn fetch_items(items: Vec<MessageDataItem<'static>>) -> Result<Option<FetchedItem>, ImapError> {
    let mut uid = None;
    let mut header = None;
    for item in items {
        match item {
            MessageDataItem::Uid(u) => uid = Some(NonZeroU32::get(u)),
            MessageDataItem::BodyExt { data, .. } => {
                header = Some(data.0.map(|s| s.as_ref().to_vec()));
            }
            _ => {}
        }
    }
    match (uid, header) {
        (Some(uid), Some(header)) => Ok(Some((uid, header))),
        (None, Some(_)) => Err(ImapError::Protocol {
            step: "UID FETCH".to_string(),
            detail: "a header came back without its UID".to_string(),
        }),
        (_, None) => Ok(None),
    }
}

fn mailbox_bytes(mailbox: &Mailbox) -> Vec<u8> {
    match mailbox {
        Mailbox::Inbox => b"INBOX".to_vec(),
        Mailbox::Other(other) => other.inner().as_ref().to_vec(),
    }
}

fn internal(step: &str, error: impl std::fmt::Display) -> ImapError {
    ImapError::Protocol {
        step: step.to_string(),
        detail: format!("cannot build the command: {error}"),
    }
}
