//! `hopaudit check`: log in to each account and list the folders a scan would read, with
//! their message counts (STATUS), without fetching any header.

use std::time::Duration;

use super::ConfigArg;
use super::output::{emit, escape_for_terminal};
use crate::config::{Account, Config};
use crate::exit;
use crate::imap::Limits;

/// One listed folder: its name, attributes, and the STATUS result or why it failed.
struct Row {
    folder: String,
    attributes: String,
    status: Result<(u32, Option<u32>), String>,
}

pub fn run(args: &ConfigArg) -> anyhow::Result<u8> {
    let config = crate::config::load(&args.config)?;
    if config.accounts.is_empty() {
        anyhow::bail!("the config has no [[accounts]]; add one (see config.example.toml)");
    }
    let limits = Limits {
        timeout: Duration::from_secs(config.scan.timeout_seconds.max(1)),
        max_response: 2 * 1024 * 1024,
    };
    let runtime = super::runtime()?;
    let (mut failed_accounts, mut failed_folders) = (0, 0);
    emit(&format!(
        "{:<20}  {:<40}  {:>9}  {:>12}  attributes\n",
        "account", "folder", "messages", "uidvalidity"
    ))?;
    for account in &config.accounts {
        let name = escape_for_terminal(&account.name);
        match runtime.block_on(list_account(account, limits, &config)) {
            Ok(rows) => {
                failed_folders += rows.iter().filter(|row| row.status.is_err()).count();
                emit(&render_rows(&name, &rows))?;
            }
            Err(error) => {
                failed_accounts += 1;
                tracing::error!("account {:?}: {error}", account.name);
                emit(&format!(
                    "{name:<20}  failed: {}\n",
                    escape_for_terminal(&error.to_string())
                ))?;
            }
        }
    }
    Ok(if failed_accounts == config.accounts.len() {
        exit::FAILURE
    } else if failed_accounts + failed_folders > 0 {
        exit::PARTIAL
    } else {
        exit::SUCCESS
    })
}

fn render_rows(account: &str, rows: &[Row]) -> String {
    let mut out = String::new();
    for row in rows {
        let folder = escape_for_terminal(&row.folder);
        let attributes = escape_for_terminal(&row.attributes);
        let line = match &row.status {
            Ok((messages, validity)) => {
                let validity = validity.map(|v| v.to_string()).unwrap_or_default();
                format!(
                    "{account:<20}  {folder:<40}  {messages:>9}  {validity:>12}  {attributes}\n"
                )
            }
            Err(error) => format!(
                "{account:<20}  {folder:<40}  failed: {}\n",
                escape_for_terminal(error)
            ),
        };
        out.push_str(&line);
    }
    out
}

async fn list_account(
    account: &Account,
    limits: Limits,
    config: &Config,
) -> Result<Vec<Row>, crate::scan::AccountError> {
    let (pool, folders) =
        crate::scan::prepare(account, limits, 0, config.scan.max_connections).await?;
    let mut rows = Vec::new();
    let mut lease = Some(pool.acquire().await?);
    for folder in folders {
        // A session that failed is dropped; the next folder gets a fresh one.
        let session = match lease.as_mut() {
            Some(lease) => lease,
            None => lease.insert(pool.acquire().await?),
        };
        let status = session.session.status(&folder).await.map_err(|error| {
            tracing::warn!(account = %account.name, folder = %folder.name, %error, "STATUS failed");
            lease = None;
            error.to_string()
        });
        rows.push(Row {
            folder: folder.name.clone(),
            attributes: folder.attributes.join(" "),
            status,
        });
    }
    if let Some(lease) = lease {
        pool.release(lease);
    }
    pool.close().await;
    // INBOX first, then by name, as the scan summary lists them.
    rows.sort_by(|a, b| (a.folder != "INBOX", &a.folder).cmp(&(b.folder != "INBOX", &b.folder)));
    Ok(rows)
}
