//! `hopaudit check`: log in to each account and list the folders a scan would read, with
//! their message counts (STATUS), without fetching any header.

use std::io::Write;
use std::time::Duration;

use super::ConfigArg;
use crate::exit;
use crate::imap::Limits;

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
    let mut failures = 0;
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "{:<20}  {:<40}  {:>9}  {:>12}  attributes",
        "account", "folder", "messages", "uidvalidity"
    )?;
    for account in &config.accounts {
        let rows = runtime.block_on(list_account(account, limits, &config));
        match rows {
            Ok(rows) => {
                for (folder, messages, validity, attributes) in rows {
                    let validity = validity.map(|v| v.to_string()).unwrap_or_default();
                    writeln!(
                        stdout,
                        "{:<20}  {folder:<40}  {messages:>9}  {validity:>12}  {attributes}",
                        account.name
                    )?;
                }
            }
            Err(error) => {
                failures += 1;
                tracing::error!("account {:?}: {error}", account.name);
                writeln!(stdout, "{:<20}  failed: {error}", account.name)?;
            }
        }
    }
    Ok(match failures {
        0 => exit::SUCCESS,
        n if n == config.accounts.len() => exit::FAILURE,
        _ => exit::PARTIAL,
    })
}

type Row = (String, u32, Option<u32>, String);

async fn list_account(
    account: &crate::config::Account,
    limits: Limits,
    config: &crate::config::Config,
) -> Result<Vec<Row>, crate::scan::AccountError> {
    let (pool, folders) =
        crate::scan::prepare(account, limits, 0, config.scan.max_connections).await?;
    let mut lease = pool.acquire().await?;
    let mut rows = Vec::new();
    for folder in folders {
        let (messages, validity) = lease.session.status(&folder).await?;
        rows.push((
            folder.name.clone(),
            messages,
            validity,
            folder.attributes.join(" "),
        ));
    }
    pool.release(lease);
    pool.close().await;
    // INBOX first, then by name, as the scan summary lists them.
    rows.sort_by(|a, b| (a.0 != "INBOX", &a.0).cmp(&(b.0 != "INBOX", &b.0)));
    Ok(rows)
}
