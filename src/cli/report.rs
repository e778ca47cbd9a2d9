//! `hopaudit report`: writes the report files from the store and prints their paths.

use anyhow::{Context, bail};

use super::ReportArgs;
use crate::config;
use crate::exit;
use crate::report::{self, FolderRules, Period, ReportOptions, Scope, SignOff};
use crate::store::SqliteStore;

pub fn run(args: &ReportArgs) -> anyhow::Result<u8> {
    let config = config::load(&args.config.config)?;
    if let Some(percent) = args.fail_below
        && !(0.0..=100.0).contains(&percent)
    {
        bail!("--fail-below {percent} is out of range; give a percentage from 0 to 100");
    }
    if !config.database.exists() {
        bail!(
            "{}: no database yet; run `hopaudit scan` or `hopaudit import` with this config first",
            config.database.display()
        );
    }
    let store = SqliteStore::open_reader(&config.database)?;
    let source_date_epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let generated_at =
        report::generation_time(source_date_epoch.as_deref(), chrono::Utc::now().timestamp())?;
    let options = options(args, &config, generated_at)?;
    let dir = report::choose_dir(
        args.out.as_deref(),
        &config.report.out_dir,
        &report::folder_day(generated_at),
    );
    if args.out.is_some() && dir.join("SHA256SUMS").exists() {
        bail!(
            "{} already holds a report (it has a SHA256SUMS file); choose another --out \
             folder, or remove that one first",
            dir.display()
        );
    }
    let outcome = report::write_report(&store, &options, &dir)
        .with_context(|| format!("the report to {} failed", dir.display()))?;
    let listing: String = outcome
        .files
        .iter()
        .map(|file| format!("{}\n", file.display()))
        .collect();
    super::output::emit(&listing)?;
    warn_about_unmatched_domains(&outcome.unmatched_domains);
    tracing::info!(
        counted = outcome.counted,
        encrypted = outcome.encrypted,
        result = outcome.result.label(),
        "report finished"
    );
    Ok(exit_code(
        args.fail_below,
        outcome.encrypted,
        outcome.counted,
    ))
}

fn options(
    args: &ReportArgs,
    config: &config::Config,
    generated_at: i64,
) -> anyhow::Result<ReportOptions> {
    let scope = Scope {
        period: Period::parse(args.since.as_deref(), args.before.as_deref())?,
        accounts: args.account.clone(),
        domains: args
            .domain
            .iter()
            .map(|d| d.trim().trim_end_matches('.').to_ascii_lowercase())
            .collect(),
        dedupe_message_id: config.scan.dedupe_message_id,
    };
    Ok(ReportOptions {
        scope,
        organization: config.organization.clone(),
        configured_accounts: config.accounts.iter().map(|a| a.name.clone()).collect(),
        folder_rules: config
            .accounts
            .iter()
            .map(|account| FolderRules {
                account: account.name.clone(),
                folders: account.folders.clone(),
                exclude_folders: account.exclude_folders.clone(),
            })
            .collect(),
        redact_accounts: args.redact_accounts || config.report.redact_accounts,
        pass_threshold: config.report.pass_threshold,
        sign_off: SignOff {
            prepared_by: config.report.prepared_by.clone(),
            reviewed_by: config.report.reviewed_by.clone(),
            approved_by: config.report.approved_by.clone(),
        },
        generated_at,
        version: env!("CARGO_PKG_VERSION").to_string(),
    })
}

/// Warns about `--domain` values that no counted message comes from, which are most often
/// typing errors: the report is still written without them.
fn warn_about_unmatched_domains(unmatched: &[String]) {
    if unmatched.is_empty() {
        return;
    }
    tracing::warn!(
        domains = unmatched.join(", ").as_str(),
        "no counted message is from these --domain values; a domain must match the From \
         domain exactly, and domains.csv of a report without --domain lists every one"
    );
}

/// Returns [`exit::BELOW_THRESHOLD`] when `--fail-below` is set and the encrypted share is
/// below it. No counted message is below any threshold: an audit that checked nothing
/// must not pass silently.
fn exit_code(fail_below: Option<f64>, encrypted: u64, counted: u64) -> u8 {
    let Some(threshold) = fail_below else {
        return exit::SUCCESS;
    };
    if counted == 0 {
        tracing::warn!("no message is counted, so the encrypted share cannot reach --fail-below");
        return exit::BELOW_THRESHOLD;
    }
    if (encrypted as f64) * 100.0 < threshold * counted as f64 {
        tracing::warn!(
            encrypted,
            counted,
            threshold,
            "the encrypted share is below --fail-below"
        );
        return exit::BELOW_THRESHOLD;
    }
    exit::SUCCESS
}
