//! `agentgate audit`: list agent-involved commits in history that touched
//! paths the policies protect, with counts per agent and per path.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use agentgate_core::audit::{self, AuditReport, Scope, format_time};
use agentgate_core::gate::report::signoff_text;
use agentgate_core::gate::short_id;
use serde_json::json;

use super::Ctx;
use super::gate::{GateFormat, fail};
use crate::exit::Exit;
use crate::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Audit `A..B`: the commits B has and A lacks.
    #[arg(long, value_name = "A..B", conflicts_with_all = ["since", "all"])]
    range: Option<String>,
    /// Audit HEAD's commits since a date (2025-01-31, "3 months ago", a Unix time).
    #[arg(long, value_name = "DATE", conflicts_with = "all")]
    since: Option<String>,
    /// Audit every commit reachable from any branch or tag.
    #[arg(long)]
    all: bool,
    /// The revision whose policies judge (default: HEAD).
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    policies: String,
    /// Report format.
    #[arg(long, value_enum, default_value_t)]
    format: GateFormat,
}

pub fn run(ctx: &Ctx, args: Args) -> Exit {
    let scope = if let Some(r) = &args.range {
        match r.split_once("..") {
            Some((a, b)) if !a.is_empty() && !b.is_empty() && !b.starts_with('.') => {
                Scope::Range(a.into(), b.into())
            }
            _ => {
                errln!("error: --range {r:?}: expected A..B");
                return Exit::Input;
            }
        }
    } else if let Some(s) = &args.since {
        match audit::parse_since(s) {
            Ok(t) => Scope::Since(t),
            Err(e) => {
                errln!("error: {e}");
                return Exit::Input;
            }
        }
    } else if args.all {
        Scope::All
    } else {
        Scope::Head
    };
    let show_progress = std::io::stderr().is_terminal();
    let start = Instant::now();
    let mut last = Instant::now();
    let mut progress = |commits: usize, agents: usize| {
        if show_progress && last.elapsed() > Duration::from_millis(100) {
            last = Instant::now();
            err!(
                "\r\x1b[2Kaudit: {commits} commits walked, {agents} by agents ({:.1}s)",
                start.elapsed().as_secs_f64()
            );
            let _ = std::io::stderr().flush();
        }
    };
    let result = audit::run(&ctx.root, &scope, &args.policies, &mut progress);
    if show_progress {
        err!("\r\x1b[2K");
    }
    let r = match result {
        Ok(r) => r,
        Err(e) => return fail(args.format, &e),
    };
    match args.format {
        GateFormat::Json => output::print_json(&json!(r)),
        GateFormat::Text => out!("{}", text(&r)),
        GateFormat::Markdown => out!("{}", markdown(&r)),
    }
    if r.findings.is_empty() {
        Exit::Ok
    } else {
        Exit::No
    }
}

fn text(r: &AuditReport) -> String {
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

fn markdown(r: &AuditReport) -> String {
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
                a.agent.replace('|', "\\|"),
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
                f.path.replace('|', "\\|"),
                f.agent.replace('|', "\\|"),
                signoff_text(&f.signoff_from)
            ));
        }
    }
    out
}
