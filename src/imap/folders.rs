//! Folders as LIST reports them, and which of them a scan reads.
//!
//! Selectors in `folders` / `exclude_folders` are glob patterns on the decoded name
//! (`Archive/*`, `INBOX`) or special-use attributes (`\Sent`, `\All`; RFC 6154).
//! Folders marked `\Noselect` or `\NonExistent` cannot be opened and are never chosen.

use globset::{Glob, GlobMatcher};
use imap_next::imap_types::mailbox::Mailbox;

use super::error::ImapError;
use super::utf7;

/// One folder from LIST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    /// Decoded UTF-8 name, as stored and displayed (`Entwürfe`).
    pub name: String,
    /// The name exactly as the server listed it, used to open the folder.
    pub wire: Vec<u8>,
    /// Attributes such as `\HasNoChildren`, `\Sent`, `\Noselect`.
    pub attributes: Vec<String>,
    pub delimiter: Option<char>,
}

impl Folder {
    /// Builds a folder from LIST's mailbox bytes, decoding modified UTF-7 when valid.
    pub fn from_wire(wire: Vec<u8>, attributes: Vec<String>, delimiter: Option<char>) -> Folder {
        let text = String::from_utf8_lossy(&wire).into_owned();
        let name = if text.eq_ignore_ascii_case("INBOX") {
            "INBOX".to_string()
        } else {
            utf7::decode(&text).unwrap_or(text)
        };
        Folder {
            name,
            wire,
            attributes,
            delimiter,
        }
    }

    /// True when the folder can be opened.
    pub fn selectable(&self) -> bool {
        !self.has_attribute("\\Noselect") && !self.has_attribute("\\NonExistent")
    }

    /// True when LIST gave the folder `attribute` (case-insensitive, with the backslash).
    pub fn has_attribute(&self, attribute: &str) -> bool {
        self.attributes
            .iter()
            .any(|a| a.eq_ignore_ascii_case(attribute))
    }

    /// The name for a command.
    pub(super) fn mailbox(&self) -> Result<Mailbox<'static>, ImapError> {
        Mailbox::try_from(self.wire.clone()).map_err(|e| ImapError::Protocol {
            step: "opening a folder".to_string(),
            detail: format!("folder name {:?} cannot be sent: {e}", self.name),
        })
    }
}

/// A compiled `folders` or `exclude_folders` entry.
enum Selector {
    Glob(GlobMatcher),
    SpecialUse(String),
}

impl Selector {
    fn new(pattern: &str) -> Result<Selector, String> {
        if pattern.starts_with('\\') {
            return Ok(Selector::SpecialUse(pattern.to_string()));
        }
        let glob = Glob::new(pattern)
            .map_err(|e| format!("folder pattern {pattern:?} is invalid: {e}"))?;
        Ok(Selector::Glob(glob.compile_matcher()))
    }

    fn matches(&self, folder: &Folder) -> bool {
        match self {
            Selector::Glob(glob) => glob.is_match(&folder.name),
            Selector::SpecialUse(attribute) => folder.has_attribute(attribute),
        }
    }
}

/// Returns the selectable folders that match any `include` selector and no `exclude`
/// selector, in LIST order.
pub fn choose(
    folders: &[Folder],
    include: &[String],
    exclude: &[String],
) -> Result<Vec<Folder>, String> {
    let include: Vec<Selector> = include
        .iter()
        .map(|p| Selector::new(p))
        .collect::<Result<_, _>>()?;
    let exclude: Vec<Selector> = exclude
        .iter()
        .map(|p| Selector::new(p))
        .collect::<Result<_, _>>()?;
    Ok(folders
        .iter()
        .filter(|f| f.selectable())
        .filter(|f| include.iter().any(|s| s.matches(f)))
        .filter(|f| !exclude.iter().any(|s| s.matches(f)))
        .cloned()
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(wire: &str, attributes: &[&str]) -> Folder {
        let attributes = attributes.iter().map(|a| a.to_string()).collect();
        Folder::from_wire(wire.as_bytes().to_vec(), attributes, Some('/'))
    }

    fn names(list: Vec<Folder>) -> Vec<String> {
        list.into_iter().map(|f| f.name).collect()
    }

    fn sample() -> Vec<Folder> {
        vec![
            folder("INBOX", &[]),
            folder("Archive", &["\\Noselect", "\\HasChildren"]),
            folder("Archive/2024", &[]),
            folder("Sent", &["\\Sent"]),
            folder("Trash", &["\\Trash"]),
            folder("Entw&APw-rfe", &["\\Drafts"]),
            folder("[Gmail]/All Mail", &["\\All"]),
        ]
    }

    #[test]
    fn default_takes_every_selectable_folder() {
        let chosen = choose(&sample(), &["*".to_string()], &[]).unwrap();
        assert_eq!(
            names(chosen),
            [
                "INBOX",
                "Archive/2024",
                "Sent",
                "Trash",
                "Entwürfe",
                "[Gmail]/All Mail"
            ]
        );
    }

    #[test]
    fn globs_and_special_use_select_and_exclude() {
        let include = vec![
            "Archive/*".to_string(),
            "\\Sent".to_string(),
            "INBOX".to_string(),
        ];
        assert_eq!(
            names(choose(&sample(), &include, &[]).unwrap()),
            ["INBOX", "Archive/2024", "Sent"]
        );
        let exclude = vec![
            "\\Trash".to_string(),
            "\\All".to_string(),
            "Entw*".to_string(),
        ];
        let chosen = choose(&sample(), &["*".to_string()], &exclude).unwrap();
        assert_eq!(names(chosen), ["INBOX", "Archive/2024", "Sent"]);
    }

    #[test]
    fn invalid_utf7_keeps_the_wire_name() {
        assert_eq!(folder("Odd&AP", &[]).name, "Odd&AP");
    }
}
