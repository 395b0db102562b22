//! `agentgate audit`: list agent-involved commits in history that touched
//! paths the policies protect, with counts per agent and per path.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use agentgate_core::audit::{self, Scope};
use agentgate_report::audit as render;
use serde_json::json;

use super::Ctx;
use super::gate::fail;
use crate::exit::Exit;
use crate::output::{self, Format};

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
    /// Report format: text, json or markdown.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
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
        Format::Json => output::print_json(&json!(r)),
        Format::Markdown => out!("{}", render::markdown(&r)),
        Format::Text | Format::Junit => out!("{}", render::text(&r)),
    }
    if r.findings.is_empty() {
        Exit::Ok
    } else {
        Exit::No
    }
}
