//! `hopaudit classify`: reads one message or header block and prints its hops, the boundary
//! and the verdict, as text or JSON.

mod json;
mod text;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::classify::{
    ConfiguredReceivers, Layered, LearnedReceivers, Policy, ReceiverKnowledge, analyze,
};
use crate::config::{self, ConfigError};
use crate::exit;
use crate::store::SqliteStore;

use super::ClassifyArgs;
pub use super::output::{escape_bytes_for_terminal, escape_for_terminal, is_bidi_control};

/// Largest header block read, so that a file without an empty line (a binary file, a
/// truncated mbox) cannot exhaust memory. A 5000-hop header is about 1 MiB.
const MAX_HEADER_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ClassifyError {
    #[error("{path}: cannot read the message: {error}")]
    Read { path: String, error: std::io::Error },
    #[error(
        "{path}: the header block is larger than {limit} bytes; pass one message or its header"
    )]
    TooLarge { path: String, limit: usize },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot write the result: {0}")]
    Write(std::io::Error),
}

/// Runs the subcommand. With `--config`, configured `[[receivers]]` rules are asked first
/// and then the receiving hosts that the config's database has seen recording TLS.
pub fn run(args: &ClassifyArgs) -> anyhow::Result<u8> {
    let config = args.config.as_deref().map(config::load).transpose()?;
    let learned = config.as_ref().map(learned_from_store).unwrap_or_default();
    run_with_knowledge(args, config.as_ref(), &learned)
}

/// Reads what the store learned about receiving hosts. A missing or unreadable database
/// leaves the knowledge empty: classifying one message does not need the store.
fn learned_from_store(config: &config::Config) -> LearnedReceivers {
    let path = &config.database;
    if !path.exists() {
        tracing::debug!(database = %path.display(), "no database yet; nothing learned about receiving servers");
        return LearnedReceivers::default();
    }
    match SqliteStore::open_reader(path).and_then(|store| store.learned_receivers()) {
        Ok(learned) => {
            tracing::debug!(database = %path.display(), hosts = learned.len(), "receiving servers learned from the store");
            learned
        }
        Err(error) => {
            tracing::warn!(%error, "cannot read learned receiving servers; classifying without them");
            LearnedReceivers::default()
        }
    }
}

fn run_with_knowledge(
    args: &ClassifyArgs,
    config: Option<&config::Config>,
    learned: &dyn ReceiverKnowledge,
) -> anyhow::Result<u8> {
    let mut policy = config.map(Policy::from_config).unwrap_or_default();
    add_domains(&mut policy.org_domains, &args.org_domains);
    add_domains(&mut policy.gateways, &args.gateways);
    let configured = config
        .map(ConfiguredReceivers::from_config)
        .unwrap_or_default();
    let knowledge = Layered {
        first: &configured,
        then: learned,
    };
    let header = read_header(args.input.as_deref())?;
    let analysis = analyze(&header, &policy, &knowledge);
    tracing::debug!(
        hops = analysis.classification.hops.len(),
        verdict = analysis.classification.boundary.verdict.as_str(),
        "classified"
    );
    let output = if args.json {
        json::render(&analysis)
    } else {
        text::render(&analysis)
    };
    super::output::emit(&output).map_err(ClassifyError::Write)?;
    Ok(exit::SUCCESS)
}

/// Adds command-line domains to a policy list, lowercased and without a trailing dot.
fn add_domains(list: &mut Vec<String>, domains: &[String]) {
    for domain in domains {
        let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        if !domain.is_empty() && !list.contains(&domain) {
            list.push(domain);
        }
    }
}

/// Reads the header block from `input` (a file, or standard input for `None` and `-`),
/// stopping at the first empty line so that a message body is never read.
fn read_header(input: Option<&Path>) -> Result<Vec<u8>, ClassifyError> {
    match input.filter(|p| *p != Path::new("-")) {
        None => read_until_blank(std::io::stdin().lock(), "standard input"),
        Some(path) => {
            let name = path.display().to_string();
            let file = std::fs::File::open(path).map_err(|error| ClassifyError::Read {
                path: name.clone(),
                error,
            })?;
            read_until_blank(BufReader::new(file), &name)
        }
    }
}

fn read_until_blank(mut reader: impl BufRead, name: &str) -> Result<Vec<u8>, ClassifyError> {
    let mut header = Vec::new();
    loop {
        let start = header.len();
        let read = (&mut reader)
            .take((MAX_HEADER_BYTES + 1 - start) as u64)
            .read_until(b'\n', &mut header)
            .map_err(|error| ClassifyError::Read {
                path: name.to_string(),
                error,
            })?;
        if header.len() > MAX_HEADER_BYTES {
            return Err(ClassifyError::TooLarge {
                path: name.to_string(),
                limit: MAX_HEADER_BYTES,
            });
        }
        let line = &header[start..];
        if read == 0 || line == b"\n" || line == b"\r\n" {
            return Ok(header);
        }
    }
}
