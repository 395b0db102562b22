//! `agentgate audit`: agent-involved commits in history that touched paths
//! the policies protect, with counts per kind of agent, per agent and per
//! path. JSON is the report serialised.

use agentgate_core::audit::{AuditReport, format_time};
use agentgate_core::gate::short_id;

use crate::gate::signoff_text;
use crate::md;

/// For a terminal.
pub fn text(r: &AuditReport) -> String {
    let s = &r.summary;
    let mut out = format!(
        "agentgate audit of {}: {} commits, {} involving agents, {} touched protected paths ({} changes)\n  policies from commit {}\n",
        r.scope, s.commits, s.agent_commits, s.flagged_commits, s.findings, r.policy_commit
    );
    for (label, k) in [("AI agents", &s.ai), ("automation", &s.automation)] {
        out.push_str(&format!(
            "  {label}: {} commits, {} touched protected paths ({} changes)\n",
            k.commits, k.flagged_commits, k.findings
        ));
    }
    if !r.by_agent.is_empty() {
        out.push_str("\nby agent:\n");
        for a in &r.by_agent {
            out.push_str(&format!(
                "  {:<24} {:<10} {:>6} commits  {:>6} flagged  {:>6} protected changes\n",
                a.agent,
                a.kind.as_str(),
                a.commits,
                a.flagged_commits,
                a.findings
            ));
        }
    }
    if !r.by_path.is_empty() {
        out.push_str("\nby path:\n");
        for p in &r.by_path {
            out.push_str(&format!("  {:>6}  {}\n", p.findings, p.path));
        }
    }
    if !r.findings.is_empty() {
        out.push_str("\nchanges that would have needed sign-off:\n");
        for f in &r.findings {
            out.push_str(&format!(
                "  {} {}  {:<8} {}  by {}  ({}; sign-off from {})\n",
                short_id(&f.commit),
                format_time(f.time),
                f.action,
                f.path,
                f.agent,
                f.policies.join(", "),
                signoff_text(&f.signoff_from)
            ));
        }
    }
    out
}

/// For a pull request or an issue.
pub fn markdown(r: &AuditReport) -> String {
    let s = &r.summary;
    let mut out = format!(
        "### agentgate audit of `{}`\n\n{} commits, {} involving agents, {} touched protected paths ({} changes). Policies from `{}`.\n",
        r.scope.replace('`', "'"),
        s.commits,
        s.agent_commits,
        s.flagged_commits,
        s.findings,
        short_id(&r.policy_commit)
    );
    out.push_str(&format!(
        "\nAI agents: {} commits, {} flagged ({} changes). Automation: {} commits, {} flagged ({} changes).\n",
        s.ai.commits,
        s.ai.flagged_commits,
        s.ai.findings,
        s.automation.commits,
        s.automation.flagged_commits,
        s.automation.findings
    ));
    if !r.by_agent.is_empty() {
        out.push_str("\n| Agent | Kind | Commits | Flagged commits | Protected changes |\n| --- | --- | --- | --- | --- |\n");
        for a in &r.by_agent {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                md(&a.agent),
                a.kind.as_str(),
                a.commits,
                a.flagged_commits,
                a.findings
            ));
        }
    }
    if !r.findings.is_empty() {
        out.push_str("\n| Commit | Date | Change | Agent | Sign-off from |\n| --- | --- | --- | --- | --- |\n");
        for f in &r.findings {
            out.push_str(&format!(
                "| `{}` | {} | {} {} | {} | {} |\n",
                short_id(&f.commit),
                format_time(f.time),
                f.action,
                md(&f.path),
                md(&f.agent),
                signoff_text(&f.signoff_from)
            ));
        }
    }
    out
}
