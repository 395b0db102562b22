//! What a policy change grants (`agentgate diff`): text for a terminal,
//! Markdown for a pull request (the gate and the GitHub report append it
//! when a range changes the policy files). JSON is the report serialised.

use std::fmt::Write as _;

use agentgate_impact::concrete::{CaseChange, Finding};
use agentgate_impact::proof::Outcome;
use agentgate_impact::{GateImpact, Impact, Verdict};

use crate::md;

fn short(id: &Option<String>, label: &str) -> String {
    match id {
        Some(c) => c.chars().take(12).collect(),
        None => label.to_string(),
    }
}

fn case_line(c: &CaseChange) -> String {
    format!(
        "case \"{}\" ({}:{}): {} -> {}",
        c.name,
        c.suite,
        c.line,
        c.was.as_str(),
        c.now.as_str()
    )
}

fn finding_lines(out: &mut String, items: &[Finding], bullet: &str, limit: usize) {
    for f in items.iter().take(limit) {
        let _ = writeln!(out, "{bullet}{}", f.sentence);
        if f.count > 1 {
            let ex: Vec<&str> = f.examples.iter().take(3).map(String::as_str).collect();
            let _ = writeln!(out, "{}  e.g. {}", " ".repeat(bullet.len()), ex.join(", "));
        }
    }
    if items.len() > limit {
        let _ = writeln!(
            out,
            "{bullet}... and {} more (see --format json)",
            items.len() - limit
        );
    }
}

/// Text for a terminal.
pub fn text(r: &Impact) -> String {
    let mut out = String::new();
    let verdict = match r.verdict {
        Verdict::Widening => "WIDENING: the new policies grant more",
        Verdict::Narrowing => "narrowing: the new policies grant less",
        Verdict::Unchanged => "unchanged: no answer changed",
    };
    let _ = writeln!(
        out,
        "agentgate diff {}..{}: {verdict}",
        short(&r.old.commit, &r.old.label),
        short(&r.new.commit, &r.new.label)
    );
    let c = &r.concrete;
    let _ = writeln!(
        out,
        "  concrete: {} paths x {} principals, {} evaluations{}",
        c.paths,
        c.principals,
        c.evaluations,
        if c.paths_skipped > 0 {
            format!(" ({} paths over the limit not judged)", c.paths_skipped)
        } else {
            String::new()
        }
    );
    if !c.widened.is_empty() {
        let _ = writeln!(out, "\nWidened ({}):", c.widened.len());
        finding_lines(&mut out, &c.widened, "  + ", 50);
    }
    if !c.narrowed.is_empty() {
        let _ = writeln!(out, "\nNarrowed ({}):", c.narrowed.len());
        finding_lines(&mut out, &c.narrowed, "  - ", 50);
    }
    if !c.cases.is_empty() {
        let _ = writeln!(out, "\nTest cases whose answer changed:");
        for case in &c.cases {
            let _ = writeln!(out, "  {}", case_line(case));
        }
    }
    let _ = writeln!(out, "\nProof: {}", r.proof.message);
    for e in &r.proof.envs {
        if e.widening == Outcome::Found {
            let _ = writeln!(
                out,
                "  counterexample for {} {} {} (paste into a cedar run-tests JSON file; it passes under the old policies and fails under the new):",
                e.principal, e.action, e.resource
            );
            if let Some(cx) = &e.counterexample {
                let _ = writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(cx).unwrap_or_default()
                );
            }
        } else if e.widening == Outcome::Unknown {
            let _ = writeln!(
                out,
                "  unknown for {} {} {}: {}",
                e.principal,
                e.action,
                e.resource,
                e.note.as_deref().unwrap_or("")
            );
        }
        if let (Outcome::Found, Some(n)) = (e.widening, &e.note) {
            let _ = writeln!(out, "  note: {n}");
        }
    }
    out
}

/// A markdown list of findings under a bold title (at most 30 shown).
fn md_findings(out: &mut String, title: &str, items: &[Finding]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "**{title}**\n");
    for f in items.iter().take(30) {
        let _ = writeln!(out, "- {}", md(&f.sentence));
    }
    if items.len() > 30 {
        let _ = writeln!(out, "- … and {} more", items.len() - 30);
    }
    let _ = writeln!(out);
}

/// Markdown for a pull request comment or job summary.
pub fn markdown(r: &Impact) -> String {
    let mut out = String::new();
    let head = match r.verdict {
        Verdict::Widening => "#### ⚠️ Policy impact: this change grants more",
        Verdict::Narrowing => "#### Policy impact: this change grants less",
        Verdict::Unchanged => "#### Policy impact: no answer changed",
    };
    let _ = writeln!(out, "{head}\n");
    let c = &r.concrete;
    md_findings(&mut out, "Widened", &c.widened);
    md_findings(&mut out, "Narrowed", &c.narrowed);
    if !c.cases.is_empty() {
        let _ = writeln!(out, "**Test cases whose answer changed**\n");
        for case in &c.cases {
            let _ = writeln!(out, "- {}", md(&case_line(case)));
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "**Proof:** {}", md(&r.proof.message));
    let found: Vec<_> = r
        .proof
        .envs
        .iter()
        .filter(|e| e.widening == Outcome::Found)
        .collect();
    if let Some(e) = found.first()
        && let Some(cx) = &e.counterexample
    {
        let _ = writeln!(
            out,
            "\n<details><summary>Counterexample for {} {} {} (a cedar run-tests case)</summary>\n\n```json\n{}\n```\n</details>",
            md(&e.principal),
            md(&e.action),
            md(&e.resource),
            serde_json::to_string_pretty(cx).unwrap_or_default()
        );
    }
    out
}

/// The markdown of a gate's impact section.
pub fn gate_markdown(section: &GateImpact) -> String {
    match section {
        GateImpact::Report(r) => markdown(r),
        GateImpact::Error { error } => format!(
            "#### Policy impact: not available\n\nThis range changes the policy files, but their impact cannot be shown: {}\n",
            md(error)
        ),
    }
}

/// The text of a gate's impact section.
pub fn gate_text(section: &GateImpact) -> String {
    match section {
        GateImpact::Report(r) => text(r),
        GateImpact::Error { error } => format!("policy impact: not available: {error}\n"),
    }
}
