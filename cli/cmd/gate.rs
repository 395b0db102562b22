//! `agentgate gate`: judge the agent-involved commits of `base..head`
//! against the base commit's policies.

use std::path::PathBuf;

use agentgate_core::diag::{Code, Diag};
use agentgate_core::gate::signoff::parse_reviews;
use agentgate_core::gate::{GateError, GateInput, GateVerdict, Offline, Session};
use agentgate_report::diag::ErrorBlock;
use agentgate_report::gate;

use super::Ctx;
use crate::exit::Exit;
use crate::output::{self, Format};

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
    /// Report format: text, json or markdown.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Print a gate error (a block) in the chosen format; exit 2.
pub fn fail(format: Format, e: &GateError) -> Exit {
    let (stdout, stderr) = ErrorBlock::from_gate(e).render(format);
    out!("{stdout}");
    err!("{stderr}");
    Exit::Input
}

pub fn run(ctx: &Ctx, args: Args) -> Exit {
    let reviews = match &args.signoffs {
        None => Vec::new(),
        Some(p) => {
            let bad = |e: &dyn std::fmt::Display| {
                let d = Diag::error(Code::Signoffs, format!("{}: {e}", ctx.show(p)));
                output::fail(args.format, &d.into())
            };
            match std::fs::read_to_string(p).map(|t| parse_reviews(&t)) {
                Ok(Ok(r)) => r,
                Ok(Err(e)) => return bad(&e),
                Err(e) => return bad(&e),
            }
        }
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
            let impact = r.policy_files_changed.then(|| {
                agentgate_impact::for_gate(
                    s.repo(),
                    s.store(),
                    revs.base,
                    revs.head,
                    &agentgate_impact::Options::default(),
                )
            });
            (r, impact)
        }
        Err(e) => return fail(args.format, &e),
    };
    out!("{}", gate::render(&r, impact.as_ref(), args.format));
    match r.verdict {
        GateVerdict::Pass => Exit::Ok,
        GateVerdict::Block => Exit::No,
    }
}
