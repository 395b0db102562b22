//! The gate's report: text for a terminal, Markdown for a pull request
//! comment or job summary (a table a reviewer can act on), JSON (the
//! report serialised, with the impact section when the range changes the
//! policy files; see the README for its shape), and the error block of a
//! gate that could not decide.

use std::fmt::Write as _;

use agentgate_core::decide::ANY_HUMAN;
use agentgate_core::gate::{Blocked, GateReport, GateVerdict, short_id};
use agentgate_impact::GateImpact;
use serde_json::Value;

use crate::{Format, md};

/// "maintainers, or security" / "any eligible human" / "nobody: ...".
pub fn signoff_text(alternatives: &[String]) -> String {
    if alternatives.is_empty() {
        return "no sign-off allows this".into();
    }
    alternatives
        .iter()
        .map(|a| {
            if a == ANY_HUMAN {
                "any eligible human".to_string()
            } else {
                a.replace('+', " + ")
            }
        })
        .collect::<Vec<_>>()
        .join(", or ")
}

fn who(b: &Blocked) -> String {
    match (&b.agent, &b.human) {
        (Some(a), _) => format!("agent {a}"),
        (None, Some(h)) => format!("human {h}"),
        _ => "unknown".into(),
    }
}

fn change_text(b: &Blocked) -> String {
    let mut s = format!("{} {}", b.action, b.path);
    if let Some(to) = &b.renamed_to {
        s.push_str(&format!(" (renamed to {to})"));
    }
    if let Some(from) = &b.renamed_from {
        s.push_str(&format!(" (renamed from {from})"));
    }
    if b.kind != "file" {
        s.push_str(&format!(" [{}]", b.kind));
    }
    if b.carried {
        s.push_str(" (carried by a merge from outside the range)");
    }
    s
}

/// At most this many blocked changes are listed one by one in text and
/// Markdown; the rest are summarised by directory, who and rule (every one
/// stays in the JSON).
pub const LIST_LIMIT: usize = 100;

/// At most this many summary groups are shown.
const GROUP_LIMIT: usize = 20;

/// Blocked changes past the listing limit, grouped.
struct Group {
    dir: String,
    who: String,
    policies: String,
    signoff: String,
    changes: usize,
    commits: std::collections::BTreeSet<String>,
}

/// A path's directory, at most two levels deep (`.github/workflows/`).
fn dir_of(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    if parts.len() <= 1 {
        return "(top level)".into();
    }
    let depth = (parts.len() - 1).min(2);
    format!("{}/", parts[..depth].join("/"))
}

fn groups(rest: &[Blocked]) -> Vec<Group> {
    let mut map: std::collections::BTreeMap<(String, String, String, String), Group> =
        std::collections::BTreeMap::new();
    for b in rest {
        let policies = if b.policies.is_empty() {
            "no policy permits it".to_string()
        } else {
            b.policies.join(", ")
        };
        let key = (
            dir_of(&b.path),
            who(b),
            policies,
            signoff_text(&b.signoff_from),
        );
        let g = map.entry(key.clone()).or_insert_with(|| Group {
            dir: key.0,
            who: key.1,
            policies: key.2,
            signoff: key.3,
            changes: 0,
            commits: std::collections::BTreeSet::new(),
        });
        g.changes += 1;
        g.commits.insert(b.commit.clone());
    }
    let mut out: Vec<Group> = map.into_values().collect();
    out.sort_by(|a, b| b.changes.cmp(&a.changes).then(a.dir.cmp(&b.dir)));
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Text for a terminal.
pub fn text(r: &GateReport) -> String {
    let mut out = String::new();
    let verdict = match r.verdict {
        GateVerdict::Pass => "PASS",
        GateVerdict::Block => "BLOCK",
    };
    let _ = writeln!(out, "agentgate gate: {verdict}");
    let _ = writeln!(
        out,
        "  range {}..{}: {} commit{}, {} involving agents, {} changed path{}",
        r.base,
        r.head,
        r.summary.commits,
        if r.summary.commits == 1 { "" } else { "s" },
        r.summary.agent_commits,
        r.summary.changes,
        if r.summary.changes == 1 { "" } else { "s" },
    );
    let _ = writeln!(
        out,
        "  policies read from commit {} (base)",
        r.policy_commit
    );
    if r.policy_files_changed {
        let _ = writeln!(
            out,
            "  note: this range changes the policy files; it is judged by the policies above, not its own"
        );
    }
    if r.signoffs.approvers.is_empty() {
        let _ = writeln!(out, "  sign-offs that count: none");
    } else {
        let _ = writeln!(
            out,
            "  sign-offs that count: {}",
            r.signoffs.approvers.join(", ")
        );
    }
    for i in &r.signoffs.ignored {
        let _ = writeln!(out, "    not counted: {} ({})", i.login, i.reason);
    }
    if r.blocked.is_empty() {
        let _ = writeln!(out, "\nnothing needs more sign-off");
        return out;
    }
    let _ = writeln!(
        out,
        "\n{} change{} need{} sign-off:",
        r.blocked.len(),
        if r.blocked.len() == 1 { "" } else { "s" },
        if r.blocked.len() == 1 { "s" } else { "" }
    );
    for b in r.blocked.iter().take(LIST_LIMIT) {
        let _ = writeln!(
            out,
            "  {}  {}  by {}",
            short_id(&b.commit),
            change_text(b),
            who(b)
        );
        if b.policies.is_empty() {
            let _ = writeln!(out, "      no policy permits it");
        }
        for p in &b.policies {
            match r.policies.get(p) {
                Some(pr) => {
                    let _ = writeln!(
                        out,
                        "      {p} ({}){}",
                        pr.location,
                        pr.intent
                            .as_deref()
                            .map(|i| format!(": {i}"))
                            .unwrap_or_default()
                    );
                }
                None => {
                    let _ = writeln!(out, "      {p}");
                }
            }
        }
        for e in &b.errors {
            let _ = writeln!(
                out,
                "      evaluation error in {}: {} (a forbid that errors counts as applying)",
                e.policy, e.message
            );
        }
        let _ = writeln!(
            out,
            "      needs sign-off from: {}",
            signoff_text(&b.signoff_from)
        );
    }
    if r.blocked.len() > LIST_LIMIT {
        let rest = &r.blocked[LIST_LIMIT..];
        let gs = groups(rest);
        let _ = writeln!(
            out,
            "\n  ... and {}, by directory, who and rule (every one: `agentgate gate --format json`):",
            plural(rest.len(), "more change", "more changes")
        );
        for g in gs.iter().take(GROUP_LIMIT) {
            let _ = writeln!(
                out,
                "  {} under {} by {} in {}: {}; needs sign-off from: {}",
                plural(g.changes, "change", "changes"),
                g.dir,
                g.who,
                plural(g.commits.len(), "commit", "commits"),
                g.policies,
                g.signoff
            );
        }
        if gs.len() > GROUP_LIMIT {
            let _ = writeln!(
                out,
                "  ... and {}",
                plural(gs.len() - GROUP_LIMIT, "more group", "more groups")
            );
        }
    }
    out
}

/// Markdown for a PR comment or job summary.
pub fn markdown(r: &GateReport) -> String {
    let mut out = String::new();
    match r.verdict {
        GateVerdict::Pass => {
            let _ = writeln!(out, "### ✅ agentgate: pass");
        }
        GateVerdict::Block => {
            let _ = writeln!(out, "### ⛔ agentgate: blocked until sign-off");
        }
    }
    let _ = writeln!(
        out,
        "\n{} commit{} in `{}..{}`, {} involving agents, {} changed path{}. Policies from base commit `{}`.",
        r.summary.commits,
        if r.summary.commits == 1 { "" } else { "s" },
        r.base,
        r.head,
        r.summary.agent_commits,
        r.summary.changes,
        if r.summary.changes == 1 { "" } else { "s" },
        short_id(&r.policy_commit)
    );
    if r.policy_files_changed {
        let _ = writeln!(
            out,
            "\n> This pull request changes the policy files. It is judged by the base commit's policies, not its own."
        );
    }
    if !r.blocked.is_empty() {
        let _ = writeln!(
            out,
            "\n| Commit | Change | By | Decided by | Needs sign-off from |\n| --- | --- | --- | --- | --- |"
        );
        for b in r.blocked.iter().take(LIST_LIMIT) {
            let mut policies = if b.policies.is_empty() {
                "no policy permits it".to_string()
            } else {
                b.policies
                    .iter()
                    .map(|p| format!("`{}`", p.replace('`', "'")))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            for e in &b.errors {
                policies.push_str(&format!(
                    " (evaluation error in `{}`: {})",
                    e.policy.replace('`', "'"),
                    md(&e.message)
                ));
            }
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                short_id(&b.commit),
                md(&change_text(b)),
                md(&who(b)),
                policies,
                md(&signoff_text(&b.signoff_from))
            );
        }
        if r.blocked.len() > LIST_LIMIT {
            let rest = &r.blocked[LIST_LIMIT..];
            let gs = groups(rest);
            let _ = writeln!(
                out,
                "\n… and {}, by directory, who and rule (every one is in `agentgate gate --format json`):\n\n| Changes | Under | By | Commits | Decided by | Needs sign-off from |\n| --- | --- | --- | --- | --- | --- |",
                plural(rest.len(), "more change", "more changes")
            );
            for g in gs.iter().take(GROUP_LIMIT) {
                let _ = writeln!(
                    out,
                    "| {} | `{}` | {} | {} | {} | {} |",
                    g.changes,
                    g.dir.replace('`', "'"),
                    md(&g.who),
                    g.commits.len(),
                    md(&g.policies),
                    md(&g.signoff)
                );
            }
            if gs.len() > GROUP_LIMIT {
                let _ = writeln!(
                    out,
                    "\n… and {}.",
                    plural(gs.len() - GROUP_LIMIT, "more group", "more groups")
                );
            }
        }
        let mut intents: Vec<String> = Vec::new();
        for (id, p) in &r.policies {
            if let Some(i) = &p.intent {
                intents.push(format!(
                    "- `{}` ({}): {}",
                    id.replace('`', "'"),
                    md(&p.location),
                    md(i)
                ));
            }
        }
        if !intents.is_empty() {
            let _ = writeln!(
                out,
                "\n<details><summary>Why these rules</summary>\n\n{}\n</details>",
                intents.join("\n")
            );
        }
    }
    let approvers = if r.signoffs.approvers.is_empty() {
        "none".to_string()
    } else {
        r.signoffs
            .approvers
            .iter()
            .map(|a| md(a))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(out, "\n**Sign-offs that count:** {approvers}");
    if !r.signoffs.ignored.is_empty() {
        let _ = writeln!(out);
        for i in &r.signoffs.ignored {
            let _ = writeln!(out, "- not counted: {} ({})", md(&i.login), md(&i.reason));
        }
    }
    out
}

/// The gate's report with the impact section (when the range changes the
/// policy files) in `format`: the one rendering the CLI and the GitHub
/// runner share. JSON is the report with `impact` added.
pub fn render(r: &GateReport, impact: Option<&GateImpact>, format: Format) -> String {
    match format {
        // Large reports stay whole but compact.
        Format::Json if r.blocked.len() > LIST_LIMIT => {
            serde_json::to_string(&json(r, impact)).unwrap_or_default() + "\n"
        }
        Format::Json => serde_json::to_string_pretty(&json(r, impact)).unwrap_or_default() + "\n",
        Format::Markdown => {
            let mut out = markdown(r);
            if let Some(i) = impact {
                out.push('\n');
                out.push_str(&crate::impact::gate_markdown(i));
            }
            out
        }
        Format::Text | Format::Junit => {
            let mut out = text(r);
            if let Some(i) = impact {
                out.push('\n');
                out.push_str(&crate::impact::gate_text(i));
            }
            out
        }
    }
}

/// The gate's JSON: the report, with `impact` when there is one.
pub fn json(r: &GateReport, impact: Option<&GateImpact>) -> Value {
    let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
    if let (Some(i), Value::Object(m)) = (impact, &mut v) {
        m.insert(
            "impact".into(),
            serde_json::to_value(i).unwrap_or(Value::Null),
        );
    }
    v
}
