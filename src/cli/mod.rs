//! Command-line interface: what the user typed (`Cli`), and one module per subcommand.
//! The doc comments on the clap types are the `--help` text.

mod check;
mod classify;
mod import;
mod logging;
mod output;
mod report;
mod scan;
mod verify;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::exit;

#[derive(Debug, Parser)]
#[command(
    name = "hopaudit",
    version,
    about = "Audit mailboxes for transport encryption: read Received headers over IMAP, classify each hop, and report which hand-offs used TLS"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print only errors on standard error (for cron).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// More log output on standard error: -v for per-message decisions, -vv for protocol text
    /// (secrets are redacted). HOPAUDIT_LOG overrides it with a tracing filter.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Crawl the configured IMAP accounts read-only and store every message's hops.
    Scan(ScanArgs),
    /// Log in to each account and list the folders a scan would read, with message counts.
    Check(ConfigArg),
    /// Classify one message or header block from a file or standard input.
    Classify(ClassifyArgs),
    /// Write CSV, HTML and JSON reports from the store.
    Report(ReportArgs),
    /// Read headers from mbox files, Maildir folders or folders of .eml files into the store.
    Import(ImportArgs),
    /// Check the store's integrity and list problems, one per line; exits with 4 when any
    /// is found.
    Verify(ConfigArg),
}

#[derive(Debug, Args)]
pub struct ConfigArg {
    /// Configuration file (see config.example.toml).
    #[arg(short, long, value_name = "FILE")]
    pub config: PathBuf,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Print the final summary as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Ignore the stored state and fetch every message again; marks expunged messages as
    /// no longer present.
    #[arg(long)]
    pub full: bool,
    /// Only messages received on or after this date (YYYY-MM-DD), by IMAP SEARCH SINCE.
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only messages received before this date (YYYY-MM-DD), by IMAP SEARCH BEFORE.
    #[arg(long, value_name = "DATE")]
    pub before: Option<String>,
    /// Scan only this account (repeatable). Default: every account in the config.
    #[arg(long, value_name = "NAME")]
    pub account: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Configuration file; its organization, gateways, provider groups and [[receivers]]
    /// are used.
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// One of the recipient organization's domains (repeatable), added to those of the
    /// config.
    #[arg(long = "org-domain", value_name = "DOMAIN")]
    pub org_domains: Vec<String>,
    /// A third-party inbound gateway acting for the organization (repeatable), such as
    /// `protection.outlook.com` for a Microsoft 365 tenant, added to those of the config.
    #[arg(long = "gateway", value_name = "DOMAIN")]
    pub gateways: Vec<String>,
    /// Message or header block to read; `-` or nothing reads standard input.
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Output folder. Default: the config's report.out_dir (reports/) plus the UTC date,
    /// with -2, -3 ... appended when that folder already contains files.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Only messages dated on or after this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only messages dated before this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    pub before: Option<String>,
    /// Only this account (repeatable).
    #[arg(long, value_name = "NAME")]
    pub account: Vec<String>,
    /// Only this sender domain (repeatable).
    #[arg(long, value_name = "DOMAIN")]
    pub domain: Vec<String>,
    /// Exit with code 3 when the encrypted share of messages is below this percentage.
    #[arg(long, value_name = "PERCENT")]
    pub fail_below: Option<f64>,
    /// Replace account names with account-1, account-2, ... in every report file, and mask
    /// the recipient's local part in the `for <...>` clause of shown Received lines.
    #[arg(long)]
    pub redact_accounts: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Account name to file the imported messages under.
    #[arg(long, value_name = "NAME", default_value = "import")]
    pub account: String,
    /// Print the final summary as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// mbox files, Maildir folders, folders of .eml files or single .eml files. Each
    /// becomes one folder in the store, named by its absolute path, and a single .eml file
    /// goes into its parent folder's. Importing a path again adds only new messages.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
}

/// Parses the command line, runs the subcommand and returns the process exit code.
pub fn run() -> u8 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                exit::FAILURE
            } else {
                exit::SUCCESS
            };
        }
    };
    logging::init(cli.quiet, cli.verbose);
    let result = match &cli.command {
        Command::Scan(args) => scan::run(args, cli.quiet),
        Command::Check(args) => check::run(args),
        Command::Import(args) => import::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Report(args) => report::run(args),
        Command::Classify(args) => classify::run(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            report_error(&error);
            exit::FAILURE
        }
    }
}

/// The async runtime for network commands: two worker threads are plenty, since the
/// work is waiting on servers, and classification runs on the blocking pool.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    // Few blocking threads: each one that allocates gets its own malloc arena, and
    // classification gains nothing from more threads than cores.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(cores.max(2))
        .enable_all()
        .build()?)
}

/// Prints an error and its causes once, on standard error. Many errors already quote their
/// cause in their own message, so a cause whose text is already printed is left out.
fn report_error(error: &anyhow::Error) {
    let mut text = format!("hopaudit: error: {error}");
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(&format!("\n  caused by: {cause}"));
        }
    }
    eprintln!("{text}");
}
