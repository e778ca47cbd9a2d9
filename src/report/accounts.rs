//! Account names as a report shows them: as configured, or replaced by `account-1`,
//! `account-2` ... when the report is redacted.

use std::collections::BTreeMap;

use super::text::visible_str;

/// The name every report file uses for each account, and whether the report is redacted.
#[derive(Debug, Clone, Default)]
pub struct AccountNames {
    shown: BTreeMap<String, String>,
    redacted: bool,
}

impl AccountNames {
    /// Names `accounts` (stored and configured, in any order). Redacted names are given in
    /// the sorted order of the real names, so the same store always gives the same ones.
    pub fn new<'a>(accounts: impl IntoIterator<Item = &'a str>, redact: bool) -> AccountNames {
        let mut shown: BTreeMap<String, String> = accounts
            .into_iter()
            .map(|name| (name.to_string(), String::new()))
            .collect();
        for (number, (real, label)) in shown.iter_mut().enumerate() {
            *label = if redact {
                format!("account-{}", number + 1)
            } else {
                visible_str(real).into_owned()
            };
        }
        AccountNames {
            shown,
            redacted: redact,
        }
    }

    /// True when account names are replaced, and with them the recipients named in
    /// Received lines ([`super::redact`]).
    pub fn redacted(&self) -> bool {
        self.redacted
    }

    /// Returns the shown name of `account`. An account not given to [`AccountNames::new`]
    /// gets a placeholder, never its real name.
    pub fn get(&self, account: &str) -> &str {
        self.shown
            .get(account)
            .map(String::as_str)
            .unwrap_or("account-unknown")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_names_follow_sorted_order() {
        let names = AccountNames::new(["zeta", "alpha", "mid"], true);
        assert_eq!(names.get("alpha"), "account-1");
        assert_eq!(names.get("mid"), "account-2");
        assert_eq!(names.get("zeta"), "account-3");
        assert_eq!(names.get("other"), "account-unknown");
    }

    #[test]
    fn plain_names_are_escaped() {
        let names = AccountNames::new(["ops\u{202E}"], false);
        assert_eq!(names.get("ops\u{202E}"), "ops\\u{202E}");
    }
}
