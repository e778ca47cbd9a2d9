//! `report.html`: one self-contained page (inline CSS, SVG and script, no network request)
//! rendered with askama, which HTML-escapes every value.
//!
//! A Content-Security-Policy in the page allows only its own style sheet and script (by
//! SHA-256 hash) and `data:` images, so even a value that slipped past escaping could
//! neither run a script nor load anything.

use askama::Template;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::ReportError;
use super::model::{DomainFacts, Report};
use super::svg::{self, Chart};
use super::tally::Share;

/// How many sender domains the HTML table lists; `domains.csv` and `report.json` list all.
pub const DOMAIN_LIMIT: usize = 1000;
/// How many domains the problem-domain chart shows.
const CHART_DOMAINS: usize = 10;

const STYLE: &str = include_str!("../../templates/report.css");
const SCRIPT: &str = include_str!("../../templates/report.js");

#[derive(Template)]
#[template(path = "report.html")]
struct Page<'a> {
    r: &'a Report,
    style: &'static str,
    script: &'static str,
    csp: String,
    verdict_chart: Chart,
    mix_chart: Chart,
    trend_chart: Chart,
    domain_chart: Chart,
    domain_rows: &'a [DomainFacts],
}

impl Page<'_> {
    /// Formats a count with thousands separators.
    fn n(&self, value: impl Count) -> String {
        svg::thousands(value.get())
    }

    /// Formats an optional share as `95.2 %`, or a dash.
    fn pct(&self, share: &Option<Share>) -> String {
        share.map_or_else(|| "\u{2013}".to_string(), |s| format!("{s} %"))
    }

    /// Formats an optional value, or a dash.
    fn or_dash<T: std::fmt::Display>(&self, value: &Option<T>) -> String {
        value
            .as_ref()
            .map_or_else(|| "\u{2013}".to_string(), |v| v.to_string())
    }

    /// Lists the scans that did not end `complete`, as `3 (interrupted), 4 (running)`, or
    /// returns an empty string when every scan completed.
    fn incomplete_scans(&self) -> String {
        self.r
            .scans
            .iter()
            .filter(|scan| scan.status != "complete")
            .map(|scan| format!("{} ({})", scan.id, scan.status))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Returns the first 12 hex digits of a configuration digest, or a dash.
    fn short_digest<'s>(&self, digest: &'s Option<String>) -> &'s str {
        digest
            .as_deref()
            .map_or("\u{2013}", |d| d.get(..12).unwrap_or(d))
    }

    /// Returns the date part of an ISO 8601 time.
    fn day<'s>(&self, time: &'s Option<String>) -> &'s str {
        time.as_deref()
            .map_or("\u{2013}", |t| t.get(..10).unwrap_or(t))
    }
}

/// A count the template passes by value or by reference.
trait Count {
    fn get(self) -> u64;
}

impl Count for u64 {
    fn get(self) -> u64 {
        self
    }
}

impl Count for &u64 {
    fn get(self) -> u64 {
        *self
    }
}

fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// Renders the page.
pub fn render(report: &Report) -> Result<String, ReportError> {
    let csp = format!(
        "default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; form-action 'none'",
        csp_hash(STYLE),
        csp_hash(SCRIPT)
    );
    let shown = report.domains.len().min(DOMAIN_LIMIT);
    let page = Page {
        r: report,
        style: STYLE,
        script: SCRIPT,
        csp,
        verdict_chart: svg::verdicts(&report.summary),
        mix_chart: svg::tls_mix(&report.summary),
        trend_chart: svg::trend(&report.months, report.summary.pass_threshold),
        domain_chart: svg::problem_domains(&report.domains, CHART_DOMAINS),
        domain_rows: &report.domains[..shown],
    };
    Ok(page.render()?)
}
