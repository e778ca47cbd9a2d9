//! Sessions to one account's server, at most `max_connections` at a time. A session that
//! saw an error is dropped, never reused; opening a new one retries dropped connections
//! and timeouts with exponential backoff (`scan.retries`), but not login or certificate
//! errors, which a retry cannot fix.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_rustls::rustls::ClientConfig;

use crate::config::{Account, Credential};
use crate::imap::{ImapError, Limits, Session};

/// Shared by every folder task of one account.
pub struct Pool {
    pub account: Account,
    credential: Credential,
    tls: Arc<ClientConfig>,
    limits: Limits,
    retries: u32,
    permits: Arc<Semaphore>,
    idle: Mutex<Vec<Session>>,
}

/// A session on loan, holding one of the account's connection slots.
pub struct Lease {
    pub session: Session,
    _permit: OwnedSemaphorePermit,
}

impl Pool {
    pub fn new(
        account: Account,
        credential: Credential,
        tls: Arc<ClientConfig>,
        limits: Limits,
        retries: u32,
        max_connections: usize,
    ) -> Pool {
        Pool {
            account,
            credential,
            tls,
            limits,
            retries,
            permits: Arc::new(Semaphore::new(max_connections.max(1))),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Opens the account's first session without retries: a server that cannot be
    /// reached or a login that fails at the start is one error line, not a wait.
    pub async fn acquire_first(&self) -> Result<Lease, ImapError> {
        let permit = self.permit().await;
        let session = Session::open(
            &self.account,
            &self.credential,
            self.tls.clone(),
            self.limits,
        )
        .await?;
        Ok(Lease {
            session,
            _permit: permit,
        })
    }

    async fn permit(&self) -> OwnedSemaphorePermit {
        self.permits
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed")
    }

    /// Waits for a connection slot and returns an idle session or a new one.
    pub async fn acquire(&self) -> Result<Lease, ImapError> {
        let permit = self.permit().await;
        let idle = self.idle.lock().expect("pool lock").pop();
        let session = match idle {
            Some(session) => session,
            None => self.open_with_retries().await?,
        };
        Ok(Lease {
            session,
            _permit: permit,
        })
    }

    /// Replaces a lease's session, after an error, with a new connection.
    pub async fn renew(&self, lease: &mut Lease) -> Result<(), ImapError> {
        lease.session = self.open_with_retries().await?;
        Ok(())
    }

    /// Gives a healthy session back for the next folder.
    pub fn release(&self, lease: Lease) {
        self.idle.lock().expect("pool lock").push(lease.session);
    }

    /// Logs out of every idle session.
    pub async fn close(&self) {
        let sessions: Vec<Session> = std::mem::take(&mut *self.idle.lock().expect("pool lock"));
        for session in sessions {
            session.logout().await;
        }
    }

    async fn open_with_retries(&self) -> Result<Session, ImapError> {
        let mut attempt = 0;
        loop {
            match Session::open(
                &self.account,
                &self.credential,
                self.tls.clone(),
                self.limits,
            )
            .await
            {
                Ok(session) => return Ok(session),
                Err(error) if error.is_permanent() || attempt >= self.retries => return Err(error),
                Err(error) => {
                    let delay = backoff(attempt);
                    tracing::warn!(
                        account = %self.account.name,
                        "connecting failed ({error}); retrying in {:.1} s",
                        delay.as_secs_f64()
                    );
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
            }
        }
    }

    /// How many reconnects a folder may spend on dropped connections.
    pub fn retries(&self) -> u32 {
        self.retries
    }
}

/// 0.5 s, 1 s, 2 s, ... capped at 30 s.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(500u64.saturating_mul(1u64 << attempt.min(6)))
        .min(Duration::from_secs(30))
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(0), Duration::from_millis(500));
        assert_eq!(backoff(2), Duration::from_secs(2));
        assert_eq!(backoff(10), Duration::from_secs(30));
    }
}
