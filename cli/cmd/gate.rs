//! `agentgate gate`: judge the agent-involved commits of `base..head`
//! against the base commit's policies.

use std::path::PathBuf;

use agentgate_core::diag::Diag;
use agentgate_core::gate::signoff::parse_reviews;
use agentgate_core::gate::{GateError, GateInput, GateVerdict, Offline, Session, report};
use agentgate_impact::render;
use clap::ValueEnum;
use serde_json::json;

use super::Ctx;
use crate::exit::Exit;
use crate::output;

/// Report format of `gate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum GateFormat {
    /// For a terminal.
    #[default]
    Text,
    /// JSON (documented shape).
    Json,
    /// Markdown, for a PR comment or job summary.
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The base revision (e.g. the target branch): its commits are not
    /// judged, and its tree holds the policies that judge.
    #[arg(long)]
    base: String,
    /// The head revision (e.g. the pull request's head).
    #[arg(long)]
    head: String,
    /// Reviews as JSON, shaped like GitHub's "list reviews for a pull
    /// request" response.
    #[arg(long, value_name = "FILE")]
    signoffs: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t)]
    format: GateFormat,
}

/// Print a gate error (a block) in the chosen format; exit 2.
pub fn fail(format: GateFormat, e: &GateError) -> Exit {
    let (message, help, diags) = match e {
        GateError::Git(g) => (g.to_string(), Some(g.help()), Vec::new()),
        GateError::Policies { commit, diags } => (
            format!("the policies at {commit} cannot be used, so nothing can be judged"),
            Some(
                "fix the policy set on the base branch first (`agentgate validate` there)"
                    .to_string(),
            ),
            diags.0.clone(),
        ),
        GateError::Reviews(_) => (
            e.to_string(),
            Some("give every review an RFC 3339 `submitted_at` (as GitHub's API does)".to_string()),
            Vec::new(),
        ),
        GateError::Request { .. } => (e.to_string(), None, Vec::new()),
    };
    match format {
        GateFormat::Json => output::print_json(&json!({
            "verdict": "error",
            "error": message,
            "help": help,
            "diagnostics": diags,
        })),
        GateFormat::Markdown => {
            outln!("### ⛔ agentgate: cannot decide, so the merge is blocked\n\n{message}");
            if let Some(h) = &help {
                outln!("\n{h}");
            }
            output::eprint_diags(&diags);
        }
        GateFormat::Text => {
            output::eprint_diags(&diags);
            let mut d = Diag::error(
                "agentgate::gate",
                format!("{message} (the gate blocks: an error is never a pass)"),
            );
            if let Some(h) = help {
                d = d.with_help(h);
            }
            output::eprint_diags(&[d]);
        }
    }
    Exit::Input
}

pub fn run(ctx: &Ctx, args: Args) -> Exit {
    let reviews = match &args.signoffs {
        None => Vec::new(),
        Some(p) => match std::fs::read_to_string(p)
            .map_err(|e| e.to_string())
            .and_then(|t| parse_reviews(&t))
        {
            Ok(r) => r,
            Err(e) => {
                let d = Diag::error("agentgate::signoffs", format!("{}: {e}", ctx.show(p)));
                return output::fail(
                    if args.format == GateFormat::Json {
                        output::Format::Json
                    } else {
                        output::Format::Human
                    },
                    &d.into(),
                );
            }
        },
    };
    let input = GateInput {
        base: args.base.clone(),
        head: args.head.clone(),
        ..GateInput::default()
    };
    let (r, impact) = match Session::open(&ctx.root, &input)
        .and_then(|s| s.judge(&Offline { reviews }).map(|r| (s, r)))
    {
        // When the range edits the policies, reviewers also see what the
        // edit grants (the verdict is still the base policies').
        Ok((s, r)) => {
            let revs = s.revs();
            let impact = r
                .policy_files_changed
                .then(|| agentgate_impact::for_gate(s.repo(), s.store(), revs.base, revs.head));
            (r, impact)
        }
        Err(e) => return fail(args.format, &e),
    };
    match args.format {
        GateFormat::Text => {
            out!("{}", report::text(&r));
            if let Some(i) = &impact {
                out!("\n{}", render::gate_text(i));
            }
        }
        GateFormat::Markdown => {
            out!("{}", report::markdown(&r));
            if let Some(i) = &impact {
                out!("\n{}", render::gate_markdown(i));
            }
        }
        GateFormat::Json => match (serde_json::to_value(&r), &impact) {
            (Ok(mut v), Some(i)) => {
                v["impact"] = serde_json::to_value(i).unwrap_or(serde_json::Value::Null);
                output::print_json(&v);
            }
            _ => output::print_json(&r),
        },
    }
    match r.verdict {
        GateVerdict::Pass => Exit::Ok,
        GateVerdict::Block => Exit::No,
    }
}
