//! `agentgate test`: run policy test suites and report results and coverage.

use std::path::PathBuf;

use agentgate_core::diag::{Code, Diag, Diags};
use agentgate_core::file_tree::DirTree;
use agentgate_core::policy::validate::validate;
use agentgate_core::policy::{PolicyStore, load_config};
use agentgate_core::testing::{self, RunOptions, Status};
use agentgate_report::tests as report;

use super::Ctx;
use crate::exit::Exit;
use crate::output::{self, Format};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Test files or directories (default: `tests` from agentgate.toml).
    paths: Vec<PathBuf>,
    /// Run only cases whose name matches this glob (e.g. "*workflow*").
    #[arg(long, value_name = "GLOB")]
    filter: Option<String>,
    /// Report format: text, json or junit.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Fail (exit 1) when less than PCT percent of the policies decided a case.
    #[arg(long, value_name = "PCT")]
    min_coverage: Option<f64>,
    /// Root directory of cedar-integration-tests files' relative paths
    /// (default: the nearest ancestor of each test file that holds them).
    #[arg(long, value_name = "DIR")]
    cedar_root: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, args: Args) -> Exit {
    let fail = |d: Diags| output::fail(args.format, &d);
    if let Some(p) = args.min_coverage
        && !(0.0..=100.0).contains(&p)
    {
        return fail(
            Diag::error(
                Code::Usage,
                format!("--min-coverage {p}: must be between 0 and 100"),
            )
            .into(),
        );
    }
    let paths = if args.paths.is_empty() {
        match load_config(&DirTree::new(&ctx.root)) {
            Ok((c, _)) => vec![ctx.root.join(&c.tests)],
            Err(d) => return fail(d),
        }
    } else {
        args.paths.clone()
    };
    let files = match testing::discover(&paths, &ctx.cwd) {
        Ok(f) => f,
        Err(d) => return fail(d),
    };
    // The policy set is parsed without being required to validate: a set
    // that parses but does not validate still runs, each case that needs it
    // an error saying why (exit 2), with the diagnostics on stderr.
    let mut invalid = None;
    let store = if files.iter().any(|f| f.needs_store()) {
        match PolicyStore::parse(&DirTree::new(&ctx.root)) {
            Ok(s) => {
                let errs: Vec<Diag> = validate(&s).into_iter().filter(|d| d.is_error()).collect();
                if !errs.is_empty() {
                    output::eprint_diags(&errs);
                    invalid = Some(format!(
                        "the policies do not validate ({} error{}, the first: {}); fix them (`agentgate validate`)",
                        errs.len(),
                        if errs.len() == 1 { "" } else { "s" },
                        errs[0]
                    ));
                }
                Some(s)
            }
            Err(d) => return fail(d),
        }
    } else {
        None
    };
    let opts = RunOptions {
        filter: args.filter.clone(),
        cedar_root: args.cedar_root.clone(),
        repo_root: Some(ctx.root.clone()),
        invalid_policies: invalid,
    };
    let run = match testing::run(store.as_ref(), &files, &opts) {
        Ok(r) => r,
        Err(d) => return fail(d),
    };
    match args.format {
        Format::Json => output::print_json(&report::json(&run, args.min_coverage)),
        Format::Junit => out!("{}", report::junit(&run)),
        Format::Text | Format::Markdown => out!("{}", report::human(&run, args.min_coverage)),
    }
    let total: usize = run.files.iter().map(|f| f.cases.len()).sum();
    if run.count(Status::Error) > 0 {
        return Exit::Input;
    }
    if total == 0 {
        errln!(
            "error: no case matched{}",
            args.filter
                .as_deref()
                .map(|f| format!(" --filter {f:?}"))
                .unwrap_or_default()
        );
        return Exit::Input;
    }
    if run.count(Status::Fail) > 0 {
        return Exit::No;
    }
    if let (Some(min), Some(cov)) = (args.min_coverage, &run.coverage)
        && cov.percent + 1e-9 < min
    {
        errln!(
            "coverage {:.1}% is below the minimum {min:.1}%",
            cov.percent
        );
        return Exit::No;
    }
    Exit::Ok
}
