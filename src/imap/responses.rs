//! Reading server responses for errors and logs: tagged status checks, the UID inside a
//! response too large to keep, OAuth error challenges, and event names.

use imap_next::client::Event;
use imap_next::imap_types::response::{Status, StatusBody, StatusKind};

use super::error::ImapError;

pub(super) fn check_status(
    label: &str,
    body: StatusBody<'static>,
) -> Result<StatusBody<'static>, ImapError> {
    let kind = match body.kind {
        StatusKind::Ok => return Ok(body),
        StatusKind::No => "NO",
        StatusKind::Bad => "BAD",
    };
    Err(ImapError::Rejected {
        command: label.to_string(),
        kind,
        text: body.text.to_string(),
    })
}

pub(super) fn protocol(step: &str, detail: String) -> ImapError {
    ImapError::Protocol {
        step: step.to_string(),
        detail,
    }
}

/// Finds `UID <n>` in the first bytes of a FETCH response that was too large to keep, so
/// the error can name the message (`* 12 FETCH (UID 4711 BODY[HEADER] {99999999}`).
pub(super) fn uid_in_prefix(bytes: &[u8]) -> Option<u32> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_ascii_uppercase();
    let start = head.find("UID ")? + 4;
    let digits: String = head[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Returns the error details of an OAuth challenge, which the server sends as base64
/// JSON (RFC 7628 3.2.2).
pub(super) fn describe_challenge(
    request: &imap_next::imap_types::response::CommandContinuationRequest,
) -> String {
    use imap_next::imap_types::response::CommandContinuationRequest as C;
    match request {
        C::Base64(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        C::Basic(basic) => basic.text().to_string(),
    }
}

pub(super) fn join_text(text: &str, details: &str) -> String {
    if details.trim().is_empty() {
        text.to_string()
    } else {
        format!("{text} (server details: {})", details.trim())
    }
}

pub(super) fn status_text(status: &Status) -> String {
    match status {
        Status::Untagged(body) => body.text.to_string(),
        Status::Tagged(tagged) => tagged.body.text.to_string(),
        Status::Bye(bye) => bye.text.to_string(),
    }
}

pub(super) fn event_name(event: &Event) -> &'static str {
    match event {
        Event::GreetingReceived { .. } => "greeting",
        Event::CommandSent { .. } => "command sent",
        Event::CommandRejected { .. } => "command rejected",
        Event::AuthenticateStarted { .. } => "authenticate started",
        Event::AuthenticateContinuationRequestReceived { .. } => "authentication challenge",
        Event::AuthenticateStatusReceived { .. } => "authentication status",
        Event::IdleCommandSent { .. }
        | Event::IdleAccepted { .. }
        | Event::IdleRejected { .. }
        | Event::IdleDoneSent { .. } => "IDLE response",
        Event::DataReceived { .. } => "data",
        Event::StatusReceived { .. } => "status",
        Event::ContinuationRequestReceived { .. } => "continuation request",
    }
}

#[cfg(test)]
mod tests {
    use super::uid_in_prefix;

    #[test]
    fn finds_uid_in_truncated_fetch() {
        assert_eq!(
            uid_in_prefix(b"* 12 FETCH (UID 4711 BODY[HEADER] {99999999}\r\n"),
            Some(4711)
        );
        assert_eq!(uid_in_prefix(b"* 12 FETCH (BODY[HEADER] {9}"), None);
    }
}
