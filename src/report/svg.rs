//! Chart layout for the HTML report. This module only computes shapes and labels; the
//! template draws them as inline SVG, so every label is escaped like any other value.
//!
//! Charts must stay legible in print and in grayscale, so each series has a fill pattern
//! (solid, hatched, dotted, outlined) as well as a colour, and every bar carries its
//! number as text.

use super::model::{DomainFacts, MonthFacts, Summary};

/// Width of every chart in SVG user units; the page scales it to the column width.
const WIDTH: u32 = 640;
const ROW_HEIGHT: u32 = 24;
const LABEL_WIDTH: u32 = 190;
/// Maximum bar width; the rest of the width is for the note after the bar (about 200 units).
const BAR_WIDTH: u32 = 240;
const TOP: u32 = 8;
/// Maximum label length in characters; longer labels are cut with an ellipsis, and the
/// tables show them in full.
const LABEL_CHARS: usize = 30;

/// One chart: a view box and the shapes in it.
#[derive(Debug, Clone, Default)]
pub struct Chart {
    pub width: u32,
    pub height: u32,
    /// Read by screen readers and shown as the SVG title.
    pub title: String,
    pub rects: Vec<Rect>,
    pub lines: Vec<Line>,
    pub labels: Vec<Label>,
}

#[derive(Debug, Clone)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    /// CSS class that sets fill and pattern: `fill-encrypted`, `fill-plaintext`, ...
    pub class: &'static str,
}

#[derive(Debug, Clone)]
pub struct Line {
    pub x1: u32,
    pub y1: u32,
    pub x2: u32,
    pub y2: u32,
    pub class: &'static str,
}

#[derive(Debug, Clone)]
pub struct Label {
    pub x: u32,
    pub y: u32,
    /// `start`, `middle` or `end`.
    pub anchor: &'static str,
    /// CSS class: empty, or `on-bar` for white text inside a dark bar.
    pub class: &'static str,
    pub text: String,
}

/// One horizontal bar: a label, stacked segments (class, value) and a note after it.
struct BarRow {
    label: String,
    segments: Vec<(&'static str, u64)>,
    note: String,
}

fn cut(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_string();
    }
    let kept: String = label.chars().take(LABEL_CHARS - 1).collect();
    format!("{kept}\u{2026}")
}

fn bar_chart(title: &str, rows: &[BarRow]) -> Chart {
    let max = rows
        .iter()
        .map(|r| r.segments.iter().map(|(_, v)| v).sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut chart = Chart {
        width: WIDTH,
        height: TOP * 2 + ROW_HEIGHT * rows.len().max(1) as u32,
        title: title.to_string(),
        ..Chart::default()
    };
    for (index, row) in rows.iter().enumerate() {
        draw_bar(&mut chart, TOP + ROW_HEIGHT * index as u32, row, max);
    }
    chart.lines.push(Line {
        x1: LABEL_WIDTH,
        y1: TOP,
        x2: LABEL_WIDTH,
        y2: chart.height - TOP,
        class: "axis",
    });
    chart
}

/// Draws one labelled row of stacked segments at `y`, scaled so `max` fills the bar area.
fn draw_bar(chart: &mut Chart, y: u32, row: &BarRow, max: u64) {
    chart.labels.push(Label {
        x: LABEL_WIDTH - 8,
        y: y + 16,
        class: "",
        anchor: "end",
        text: cut(&row.label),
    });
    let mut x = LABEL_WIDTH;
    for (class, value) in &row.segments {
        let width = (*value * u64::from(BAR_WIDTH) / max) as u32;
        // A non-zero value stays visible even when it rounds to nothing.
        let width = if *value > 0 { width.max(2) } else { 0 };
        chart.rects.push(Rect {
            x,
            y: y + 4,
            width,
            height: ROW_HEIGHT - 8,
            class,
        });
        x += width;
    }
    chart.labels.push(Label {
        x: x + 6,
        y: y + 16,
        class: "",
        anchor: "start",
        text: row.note.clone(),
    });
}

fn count_note(messages: u64, percent: Option<impl std::fmt::Display>) -> String {
    match percent {
        Some(p) => format!("{} ({p} %)", thousands(messages)),
        None => thousands(messages),
    }
}

/// Formats 1234567 as `1,234,567`.
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bars for the share of messages per boundary verdict.
pub fn verdicts(summary: &Summary) -> Chart {
    let counts = summary.verdicts;
    let rows = [
        (
            "Encrypted",
            "fill-encrypted",
            counts.encrypted,
            summary.encrypted_percent,
        ),
        (
            "Plaintext",
            "fill-plaintext",
            counts.plaintext,
            summary.plaintext_percent,
        ),
        (
            "Unverified",
            "fill-unverified",
            counts.unverified,
            summary.unverified_percent,
        ),
        (
            "No boundary hop",
            "fill-none",
            counts.none,
            summary.none_percent,
        ),
    ]
    .map(|(label, class, value, percent)| BarRow {
        label: label.to_string(),
        segments: vec![(class, value)],
        note: count_note(value, percent),
    });
    bar_chart("Messages by the verdict on their boundary hop", &rows)
}

/// Bars for the TLS versions the boundary hops recorded.
pub fn tls_mix(summary: &Summary) -> Chart {
    let rows: Vec<BarRow> = summary
        .tls_versions
        .iter()
        .map(|entry| {
            let class = match entry.label {
                "SSLv2" | "SSLv3" | "TLSv1.0" | "TLSv1.1" => "fill-plaintext",
                super::build::NO_TLS_PLAINTEXT_LABEL => "fill-plaintext",
                super::build::NO_TLS_UNVERIFIED_LABEL => "fill-unverified",
                super::build::NO_BOUNDARY_LABEL => "fill-none",
                _ => "fill-encrypted",
            };
            BarRow {
                label: entry.label.to_string(),
                segments: vec![(class, entry.messages)],
                note: count_note(entry.messages, entry.percent),
            }
        })
        .collect();
    bar_chart("Boundary hops by TLS version", &rows)
}

/// Stacked bars for the sender domains with the most plaintext and unverified messages.
pub fn problem_domains(domains: &[DomainFacts], count: usize) -> Chart {
    let mut ranked: Vec<&DomainFacts> = domains
        .iter()
        .filter(|d| d.counts.plaintext + d.counts.unverified > 0)
        .collect();
    // Stable sort: equal volumes keep the domains' own order (most messages, then name).
    ranked.sort_by_key(|d| std::cmp::Reverse(d.counts.plaintext + d.counts.unverified));
    let rows: Vec<BarRow> = ranked
        .into_iter()
        .take(count)
        .map(|d| BarRow {
            label: d
                .domain
                .clone()
                .unwrap_or_else(|| "(no sender domain)".into()),
            segments: vec![
                ("fill-plaintext", d.counts.plaintext),
                ("fill-unverified", d.counts.unverified),
            ],
            note: format!(
                "{} plaintext, {} unverified",
                thousands(d.counts.plaintext),
                thousands(d.counts.unverified)
            ),
        })
        .collect();
    bar_chart(
        "Sender domains with the most plaintext and unverified messages",
        &rows,
    )
}

const TREND_HEIGHT: u32 = 248;
const TREND_LEFT: u32 = 44;
/// Room above the 100 % line for the value labels.
const TREND_TOP: u32 = 24;
const TREND_BOTTOM: u32 = 52;

/// Columns for the encrypted share per month, with the pass threshold as a dashed line.
pub fn trend(months: &[MonthFacts], threshold: f64) -> Chart {
    let mut chart = Chart {
        width: WIDTH,
        height: TREND_HEIGHT,
        title: "Share of messages with an encrypted boundary hop, by month".to_string(),
        ..Chart::default()
    };
    for percent in [0, 25, 50, 75, 100] {
        let y = trend_y(percent * 10);
        chart.lines.push(Line {
            x1: TREND_LEFT,
            y1: y,
            x2: WIDTH - 8,
            y2: y,
            class: "grid",
        });
        chart.labels.push(Label {
            x: TREND_LEFT - 6,
            y: y + 4,
            class: "",
            anchor: "end",
            text: format!("{percent} %"),
        });
    }
    draw_months(&mut chart, months);
    let threshold_tenths = (threshold.clamp(0.0, 100.0) * 10.0).round() as u32;
    let y = trend_y(threshold_tenths);
    chart.lines.push(Line {
        x1: TREND_LEFT,
        y1: y,
        x2: WIDTH - 8,
        y2: y,
        class: "threshold",
    });
    chart.labels.push(Label {
        x: WIDTH - 8,
        y: trend_y(0) + 44,
        class: "",
        anchor: "end",
        text: format!(
            "dashed line: pass threshold {threshold} %; under each month: counted messages"
        ),
    });
    chart
}

/// Returns the y coordinate of a share, in tenths of a percent, on the trend chart.
fn trend_y(tenths: u32) -> u32 {
    let plot_height = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM;
    TREND_TOP + plot_height - tenths.min(1000) * plot_height / 1000
}

fn draw_months(chart: &mut Chart, months: &[MonthFacts]) {
    let slot = (WIDTH - TREND_LEFT - 8) / months.len().max(1) as u32;
    // About 12 month labels fit under the axis; with more months, label every n-th.
    let label_every = months.len().div_ceil(12).max(1);
    let show_values = months.len() <= 24;
    for (index, month) in months.iter().enumerate() {
        let center = TREND_LEFT + slot * index as u32 + slot / 2;
        if let Some(share) = month.encrypted_percent {
            let top = trend_y(share.0);
            let width = (slot * 2 / 3).max(1);
            let height = trend_y(0) - top;
            chart.rects.push(Rect {
                x: center - width / 2,
                y: top,
                width,
                height,
                class: "fill-encrypted",
            });
            if show_values {
                // Inside the column when it is tall enough, so the label never meets the
                // threshold line drawn across the columns.
                let (y, class) = if height > 24 {
                    (top + 14, "on-bar")
                } else {
                    (top - 4, "")
                };
                chart.labels.push(Label {
                    x: center,
                    y,
                    class,
                    anchor: "middle",
                    text: share.to_string(),
                });
            }
        }
        if index % label_every == 0 {
            chart.labels.push(Label {
                x: center,
                y: trend_y(0) + 16,
                class: "",
                anchor: "middle",
                text: month.month.clone(),
            });
            chart.labels.push(Label {
                x: center,
                y: trend_y(0) + 29,
                class: "",
                anchor: "middle",
                text: thousands(month.verdicts.total()),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn long_labels_are_cut() {
        let long = "a".repeat(100);
        assert_eq!(cut(&long).chars().count(), LABEL_CHARS);
        assert_eq!(cut("mx.example.org"), "mx.example.org");
    }
}
