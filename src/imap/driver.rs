//! Drives imap-next's sans-I/O client over a [`Transport`]: writes what it wants written,
//! reads when it needs input, each step bounded by the timeout, and turns one command's
//! responses into data callbacks and a checked tagged status.
//!
//! imap-next logs every written fragment at trace level under its own target, LOGIN
//! passwords and SASL data included. The logging setup drops that target, so this module
//! logs the protocol text itself with authentication data redacted.

use std::time::Duration;

use imap_next::client::{Client, Error as ClientError, Event, Options};
use imap_next::imap_types::auth::{AuthMechanism, AuthenticateData};
use imap_next::imap_types::command::{Command, CommandBody};
use imap_next::imap_types::core::Tag;
use imap_next::imap_types::response::{Data, Greeting, Status, StatusBody, StatusKind};
use imap_next::{Interrupt, Io, State};

use super::error::ImapError;
use super::responses::{
    check_status, describe_challenge, event_name, join_text, protocol, status_text, uid_in_prefix,
};
use super::transport::{Transport, within};

const READ_BUFFER: usize = 64 * 1024;

/// An untagged response handed to a command's callback.
pub enum Untagged {
    Data(Data<'static>),
    Status(StatusBody<'static>),
}

/// One IMAP connection: protocol state, socket and limits.
pub struct Connection {
    client: Client,
    transport: Transport,
    buffer: Box<[u8]>,
    timeout: Duration,
    max_response: u32,
    next_tag: u32,
    /// True while authentication data is on the wire, so trace logs redact it.
    sensitive: bool,
}

impl Connection {
    /// Wraps a connected transport. `after_starttls` skips the greeting, which the server
    /// sent before the TLS handshake (RFC 3501 6.2.1).
    pub fn new(
        transport: Transport,
        timeout: Duration,
        max_response: u32,
        after_starttls: bool,
    ) -> Connection {
        let mut options = Options::default();
        options.max_response_size = max_response;
        options.discard_greeting = after_starttls;
        options.crlf_relaxed = true;
        Connection {
            client: Client::new(options),
            transport,
            buffer: vec![0; READ_BUFFER].into_boxed_slice(),
            timeout,
            max_response,
            next_tag: 1,
            sensitive: false,
        }
    }

    /// Gives the socket back, for the STARTTLS upgrade.
    pub fn into_transport(self) -> Transport {
        self.transport
    }

    /// Waits for the server greeting.
    pub async fn greeting(&mut self) -> Result<Greeting<'static>, ImapError> {
        loop {
            match self.next_event("waiting for the server greeting").await? {
                Event::GreetingReceived { greeting } => return Ok(greeting),
                other => tracing::trace!(event = event_name(&other), "ignored before greeting"),
            }
        }
    }

    /// Sends `body` and feeds every untagged response to `on_untagged` until the tagged
    /// status arrives. NO and BAD are errors. At most `max_untagged` untagged responses
    /// are accepted, so an endless stream cannot run forever.
    pub async fn execute<F>(
        &mut self,
        label: &str,
        body: CommandBody<'static>,
        max_untagged: usize,
        mut on_untagged: F,
    ) -> Result<StatusBody<'static>, ImapError>
    where
        F: FnMut(Untagged) -> Result<(), ImapError>,
    {
        let tag = self.enqueue(label, body)?;
        let mut untagged = 0usize;
        loop {
            let event = self.next_event(label).await?;
            let response = match event {
                Event::DataReceived { data } => Untagged::Data(data),
                Event::StatusReceived { status } => match status {
                    Status::Tagged(tagged) if tagged.tag == tag => {
                        return check_status(label, tagged.body);
                    }
                    Status::Tagged(tagged) => {
                        return Err(protocol(
                            label,
                            format!("status for unknown tag {:?}", tagged.tag.inner()),
                        ));
                    }
                    Status::Bye(bye) => {
                        return Err(ImapError::Bye {
                            step: label.to_string(),
                            text: bye.text.to_string(),
                        });
                    }
                    Status::Untagged(body) => Untagged::Status(body),
                },
                Event::CommandSent { .. } => continue,
                other => {
                    return Err(protocol(
                        label,
                        format!("unexpected {}", event_name(&other)),
                    ));
                }
            };
            untagged += 1;
            if untagged > max_untagged {
                return Err(protocol(
                    label,
                    format!("more than {max_untagged} untagged responses to one command"),
                ));
            }
            on_untagged(response)?;
        }
    }

    /// Runs AUTHENTICATE with `mechanism`. `first` is the client's first message, sent as
    /// the initial response when `sasl_ir` is set (RFC 4959), else after the server's empty
    /// challenge. A second challenge (XOAUTH2 and OAUTHBEARER send error details that way,
    /// RFC 7628 3.2.3) gets the empty or `\x01` reply the mechanism expects, and the final
    /// NO becomes the error.
    pub async fn authenticate(
        &mut self,
        mechanism: AuthMechanism<'static>,
        first: Vec<u8>,
        sasl_ir: bool,
        abort_reply: &[u8],
    ) -> Result<(), ImapError> {
        let label = format!("AUTHENTICATE {mechanism}");
        let body = CommandBody::Authenticate {
            mechanism: mechanism.clone(),
            initial_response: sasl_ir.then(|| {
                imap_next::imap_types::secret::Secret::new(std::borrow::Cow::Owned(first.clone()))
            }),
        };
        self.sensitive = true;
        let result = self
            .authenticate_exchange(&label, body, first, sasl_ir, abort_reply)
            .await;
        self.sensitive = false;
        result
    }

    async fn authenticate_exchange(
        &mut self,
        label: &str,
        body: CommandBody<'static>,
        first: Vec<u8>,
        mut first_sent: bool,
        abort_reply: &[u8],
    ) -> Result<(), ImapError> {
        self.enqueue(label, body)?;
        let mut challenge_text = String::new();
        loop {
            match self.next_event(label).await? {
                Event::AuthenticateContinuationRequestReceived {
                    continuation_request,
                    ..
                } => {
                    let reply = if first_sent {
                        challenge_text = describe_challenge(&continuation_request);
                        abort_reply.to_vec()
                    } else {
                        first_sent = true;
                        first.clone()
                    };
                    self.client
                        .set_authenticate_data(AuthenticateData::r#continue(reply))
                        .map_err(|_| protocol(label, "continuation out of order".to_string()))?;
                }
                Event::AuthenticateStatusReceived { status, .. } => {
                    return match status {
                        Status::Tagged(tagged) if tagged.body.kind == StatusKind::Ok => Ok(()),
                        Status::Tagged(tagged) => Err(ImapError::LoginFailed {
                            mechanism: label.trim_start_matches("AUTHENTICATE ").to_string(),
                            text: join_text(tagged.body.text.as_ref(), &challenge_text),
                        }),
                        other => Err(protocol(
                            label,
                            format!("unexpected status {}", status_text(&other)),
                        )),
                    };
                }
                Event::AuthenticateStarted { .. } | Event::DataReceived { .. } => {}
                Event::StatusReceived {
                    status: Status::Bye(bye),
                } => {
                    return Err(ImapError::Bye {
                        step: label.to_string(),
                        text: bye.text.to_string(),
                    });
                }
                Event::StatusReceived { .. } => {}
                other => {
                    return Err(protocol(
                        label,
                        format!("unexpected {}", event_name(&other)),
                    ));
                }
            }
        }
    }

    /// Runs the LOGIN command. Its text contains the password, so trace logs redact it.
    pub async fn login(&mut self, username: &str, password: &str) -> Result<(), ImapError> {
        let body =
            CommandBody::login(username.to_string(), password.to_string()).map_err(|_| {
                ImapError::LoginFailed {
                    mechanism: "LOGIN".to_string(),
                    text:
                        "the username or password cannot be sent with LOGIN; use auth = \"plain\""
                            .to_string(),
                }
            })?;
        self.sensitive = true;
        let result = self.execute("LOGIN", body, 100, |_| Ok(())).await;
        self.sensitive = false;
        match result {
            Ok(_) => Ok(()),
            Err(ImapError::Rejected { text, .. }) => Err(ImapError::LoginFailed {
                mechanism: "LOGIN".to_string(),
                text,
            }),
            Err(other) => Err(other),
        }
    }

    fn enqueue(
        &mut self,
        label: &str,
        body: CommandBody<'static>,
    ) -> Result<Tag<'static>, ImapError> {
        let tag_text = format!("h{}", self.next_tag);
        self.next_tag += 1;
        let tag = Tag::try_from(tag_text).map_err(|e| protocol(label, e.to_string()))?;
        tracing::trace!("C: {} {label}", tag.inner());
        self.client.enqueue_command(Command {
            tag: tag.clone(),
            body,
        });
        Ok(tag)
    }

    /// Progresses the protocol state until it yields an event, doing the I/O it requests.
    async fn next_event(&mut self, step: &str) -> Result<Event, ImapError> {
        loop {
            match self.client.next() {
                Ok(event) => return Ok(event),
                Err(Interrupt::Io(Io::Output(bytes))) => self.write(step, &bytes).await?,
                Err(Interrupt::Io(Io::NeedMoreInput)) => self.read(step).await?,
                Err(Interrupt::Error(error)) => return Err(self.describe_error(step, error)),
            }
        }
    }

    async fn write(&mut self, step: &str, bytes: &[u8]) -> Result<(), ImapError> {
        if self.sensitive {
            tracing::trace!("C: <authentication data, {} bytes, redacted>", bytes.len());
        } else {
            tracing::trace!("C: {}", String::from_utf8_lossy(bytes).trim_end());
        }
        within(self.timeout, step, self.transport.write_all(bytes))
            .await?
            .map_err(|source| ImapError::Io {
                step: step.to_string(),
                source,
            })
    }

    async fn read(&mut self, step: &str) -> Result<(), ImapError> {
        let n = within(self.timeout, step, self.transport.read(&mut self.buffer))
            .await?
            .map_err(|source| ImapError::Io {
                step: step.to_string(),
                source,
            })?;
        if n == 0 {
            return Err(ImapError::Closed {
                step: step.to_string(),
            });
        }
        let input = &self.buffer[..n];
        tracing::trace!(
            "S: {}",
            String::from_utf8_lossy(&input[..n.min(2048)]).trim_end()
        );
        self.client.enqueue_input(input);
        Ok(())
    }

    fn describe_error(&self, step: &str, error: ClientError) -> ImapError {
        match error {
            ClientError::ResponseTooLong { discarded_bytes } => ImapError::TooLarge {
                step: step.to_string(),
                limit: self.max_response as usize,
                uid: uid_in_prefix(discarded_bytes.declassify()),
            },
            ClientError::MalformedMessage { discarded_bytes }
            | ClientError::ExpectedCrlfGotLf { discarded_bytes } => {
                let bytes = discarded_bytes.declassify();
                ImapError::Malformed {
                    step: step.to_string(),
                    detail: format!(
                        "{:?}",
                        String::from_utf8_lossy(&bytes[..bytes.len().min(120)])
                    ),
                }
            }
        }
    }

    /// Sends LOGOUT and closes the socket, ignoring failures: the work is already done.
    pub async fn logout(mut self) {
        let _ = self
            .execute("LOGOUT", CommandBody::Logout, 10, |_| Ok(()))
            .await;
        self.transport.shutdown().await;
    }
}
