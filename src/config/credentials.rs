//! Getting an account's password or access token when it is needed, never earlier, so
//! secrets live in memory only for the login. Error messages leave out the account name;
//! the caller puts it in front.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{Account, AuthMethod};
use crate::secret::Secret;

/// What the login step sends.
#[derive(Debug)]
pub enum Credential {
    Password(Secret),
    OauthToken(Secret),
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error(
        "environment variable {variable} is not set or not valid UTF-8; export it before running hopaudit"
    )]
    MissingEnv { variable: String },
    #[error("environment variable {variable} is empty; export the password in it")]
    EmptyEnv { variable: String },
    #[error("{what} failed to start: {source}")]
    CommandStart {
        what: &'static str,
        source: std::io::Error,
    },
    #[error("{what} exited with {status}; run it by hand to see why")]
    CommandFailed {
        what: &'static str,
        status: std::process::ExitStatus,
    },
    #[error(
        "{what} did not finish within {seconds} s and was stopped (scan.timeout_seconds); run it by hand to see why"
    )]
    CommandTimeout { what: &'static str, seconds: u64 },
    #[error("{what} printed nothing on standard output")]
    CommandEmpty { what: &'static str },
}

impl Account {
    /// Fetches the credential from the configured source. Runs `password_command` or
    /// `oauth2_token_command` through `sh -c` and stops it after `timeout`, because a
    /// command waiting for input that never comes (a locked keyring under cron) must not
    /// hang the audit. Only the first line of its output is used.
    pub fn credential(&self, timeout: Duration) -> Result<Credential, CredentialError> {
        if let Some(command) = &self.oauth2_token_command {
            return run_secret_command("oauth2_token_command", command, timeout)
                .map(Credential::OauthToken);
        }
        if let Some(secret) = &self.password {
            return Ok(Credential::Password(secret.clone()));
        }
        if let Some(variable) = &self.password_env {
            let value = std::env::var(variable).map_err(|_| CredentialError::MissingEnv {
                variable: variable.clone(),
            })?;
            if value.is_empty() {
                return Err(CredentialError::EmptyEnv {
                    variable: variable.clone(),
                });
            }
            return Ok(Credential::Password(Secret::new(value)));
        }
        let command = self.password_command.as_deref().unwrap_or_default();
        debug_assert!(!matches!(
            self.auth,
            AuthMethod::Xoauth2 | AuthMethod::Oauthbearer
        ));
        run_secret_command("password_command", command, timeout).map(Credential::Password)
    }
}

fn run_secret_command(
    what: &'static str,
    command: &str,
    timeout: Duration,
) -> Result<Secret, CredentialError> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|source| CredentialError::CommandStart { what, source })?;
    let mut stdout = child.stdout.take().expect("stdout is piped");
    // Read on a thread so a command that prints more than a pipe holds cannot block
    // while this thread waits for it to exit.
    let reader = std::thread::spawn(move || {
        let mut output = Vec::new();
        let _ = stdout.read_to_end(&mut output);
        output
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) | Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                tracing::warn!(what, "secret command timed out and was stopped");
                return Err(CredentialError::CommandTimeout {
                    what,
                    seconds: timeout.as_secs(),
                });
            }
        }
    };
    let output = reader.join().unwrap_or_default();
    if !status.success() {
        return Err(CredentialError::CommandFailed { what, status });
    }
    let text = String::from_utf8_lossy(&output);
    let line = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if line.is_empty() {
        return Err(CredentialError::CommandEmpty { what });
    }
    Ok(Secret::new(line))
}
