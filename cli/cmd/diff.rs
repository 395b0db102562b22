//! `agentgate diff`: what a policy change grants, shown on real requests
//! and proved (agentgate-impact).

use std::path::PathBuf;
use std::time::Duration;

use agentgate_core::diag::{Code, Diag};
use agentgate_core::file_tree::DirTree;
use agentgate_core::git::Repo;
use agentgate_impact::{self as impact, ImpactError, Options, Side, Verdict};
use agentgate_report::impact as render;

use super::Ctx;
use crate::exit::Exit;
use crate::output::{self, Format};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The old revision (policies before the change).
    #[arg(
        value_name = "OLD",
        required_unless_present = "old_dir",
        conflicts_with = "old_dir"
    )]
    old: Option<String>,
    /// The new revision (policies after the change).
    #[arg(
        value_name = "NEW",
        required_unless_present = "new_dir",
        conflicts_with = "new_dir"
    )]
    new: Option<String>,
    /// Read the old side from a directory instead of a revision.
    #[arg(long, value_name = "DIR")]
    old_dir: Option<PathBuf>,
    /// Read the new side from a directory instead of a revision.
    #[arg(long, value_name = "DIR")]
    new_dir: Option<PathBuf>,
    /// Skip the symbolic proof (concrete impact only).
    #[arg(long)]
    no_prove: bool,
    /// Seconds the solver may spend on one query before the answer is
    /// unknown.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    solver_timeout: u64,
    /// Most paths judged concretely (the proof covers all).
    #[arg(long, value_name = "N", default_value_t = 20_000)]
    max_paths: usize,
    /// Report format: text, json or markdown.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

fn load(
    ctx: &Ctx,
    repo: &mut Option<Repo>,
    rev: Option<&str>,
    dir: Option<&PathBuf>,
) -> Result<Side, ImpactError> {
    if let Some(d) = dir {
        return Side::load(&DirTree::new(d), None);
    }
    if repo.is_none() {
        *repo = Some(Repo::open(&ctx.root)?);
    }
    let Some(r) = repo.as_ref() else {
        return Err(ImpactError::Read("no repository".into()));
    };
    let id = r.resolve(rev.unwrap_or("HEAD"))?;
    Side::load(&r.tree_at(id)?, Some(id.to_string()))
}

pub fn run(ctx: &Ctx, args: Args) -> Exit {
    let fmt = args.format;
    let mut repo = None;
    let sides = load(ctx, &mut repo, args.old.as_deref(), args.old_dir.as_ref()).and_then(|o| {
        load(ctx, &mut repo, args.new.as_deref(), args.new_dir.as_ref()).map(|n| (o, n))
    });
    let (old, new) = match sides {
        Ok(s) => s,
        Err(ImpactError::Policies { side, diags }) => {
            output::eprint_diags(&diags.0);
            let d = Diag::error(Code::Diff, format!("the policies of {side} cannot be used"))
                .with_help("run `agentgate validate` on that side");
            return output::fail(fmt, &d.into());
        }
        Err(e) => {
            let help = match &e {
                ImpactError::Git(g) => Some(g.help()),
                _ => None,
            };
            let mut d = Diag::error(Code::Diff, e.to_string());
            if let Some(h) = help {
                d = d.with_help(h);
            }
            return output::fail(fmt, &d.into());
        }
    };
    let opts = Options {
        prove: !args.no_prove,
        solver_timeout: Duration::from_secs(args.solver_timeout.max(1)),
        max_paths: args.max_paths,
        skipped_because: None,
    };
    let report = impact::compare(&old, &new, &opts);
    match args.format {
        Format::Markdown => out!("{}", render::markdown(&report)),
        Format::Json => output::print_json(&report),
        Format::Text | Format::Junit => out!("{}", render::text(&report)),
    }
    match report.verdict {
        Verdict::Widening => Exit::No,
        Verdict::Narrowing | Verdict::Unchanged => Exit::Ok,
    }
}
