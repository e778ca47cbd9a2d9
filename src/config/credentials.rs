//! Getting an account's password or access token when it is needed, never earlier, so
//! secrets live in memory only for the login.

use std::process::Command;

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
        "account {account:?}: environment variable {variable} is not set or not valid UTF-8; export it before running hopaudit"
    )]
    MissingEnv { account: String, variable: String },
    #[error("account {account:?}: {what} command failed to start: {source}")]
    CommandStart {
        account: String,
        what: &'static str,
        source: std::io::Error,
    },
    #[error("account {account:?}: {what} command exited with {status}; run it by hand to see why")]
    CommandFailed {
        account: String,
        what: &'static str,
        status: std::process::ExitStatus,
    },
    #[error("account {account:?}: {what} command printed nothing")]
    CommandEmpty { account: String, what: &'static str },
}

impl Account {
    /// Fetches the credential from the configured source. Runs `password_command` or
    /// `oauth2_token_command` through `sh -c`; only the first line of its output is used.
    pub fn credential(&self) -> Result<Credential, CredentialError> {
        if let Some(command) = &self.oauth2_token_command {
            return run_secret_command(&self.name, "oauth2_token_command", command)
                .map(Credential::OauthToken);
        }
        if let Some(secret) = &self.password {
            return Ok(Credential::Password(secret.clone()));
        }
        if let Some(variable) = &self.password_env {
            return std::env::var(variable)
                .map(|v| Credential::Password(Secret::new(v)))
                .map_err(|_| CredentialError::MissingEnv {
                    account: self.name.clone(),
                    variable: variable.clone(),
                });
        }
        let command = self.password_command.as_deref().unwrap_or_default();
        debug_assert!(!matches!(
            self.auth,
            AuthMethod::Xoauth2 | AuthMethod::Oauthbearer
        ));
        run_secret_command(&self.name, "password_command", command).map(Credential::Password)
    }
}

fn run_secret_command(
    account: &str,
    what: &'static str,
    command: &str,
) -> Result<Secret, CredentialError> {
    let output = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|source| CredentialError::CommandStart {
            account: account.to_string(),
            what,
            source,
        })?;
    if !output.status.success() {
        return Err(CredentialError::CommandFailed {
            account: account.to_string(),
            what,
            status: output.status,
        });
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if line.is_empty() {
        return Err(CredentialError::CommandEmpty {
            account: account.to_string(),
            what,
        });
    }
    Ok(Secret::new(line))
}
