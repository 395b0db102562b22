//! `agentgate fmt`: format policy files in place (atomically), or with
//! `--check` list the files that are not formatted.

use std::path::PathBuf;

use agentgate_core::diag::source_file::SourceFile;
use agentgate_core::diag::{Code, Diag};
use agentgate_core::file_tree::{DirTree, Tree};
use agentgate_core::policy::config::CONFIG_FILE;
use agentgate_core::policy::formatter::{Outcome, format_source, write_atomic};
use agentgate_core::policy::load_config;
use serde_json::json;

use super::Ctx;
use crate::exit::Exit;
use crate::output::{self, Format};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files to format (default: every .cedar file in the policy directory).
    paths: Vec<PathBuf>,
    /// Change nothing; list unformatted files and exit 1 if there are any.
    #[arg(long)]
    check: bool,
    /// Report format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub fn run(ctx: &Ctx, args: Args) -> Exit {
    let files: Vec<(PathBuf, String)> = if args.paths.is_empty() {
        let tree = DirTree::new(&ctx.root);
        let config = match load_config(&tree) {
            Ok((c, _)) => c,
            Err(d) => return output::fail(args.format, &d),
        };
        match tree.list(&config.policies) {
            Ok(list) => list
                .into_iter()
                .filter(|p| p.ends_with(".cedar"))
                .map(|p| (ctx.root.join(&p), p))
                .collect(),
            Err(e) => {
                return output::fail(args.format, &Diag::error(Code::Read, e.to_string()).into());
            }
        }
    } else {
        args.paths
            .iter()
            .map(|p| (p.clone(), ctx.show(p)))
            .collect()
    };
    if files.is_empty() {
        let d = Diag::error(Code::NoPolicies, "no .cedar files to format")
            .with_help(format!("set `policies` in {CONFIG_FILE}, or pass files"));
        return output::fail(args.format, &d.into());
    }

    let mut errors: Vec<Diag> = Vec::new();
    let mut report = Vec::new();
    let mut unformatted = 0;
    for (path, name) in &files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                errors.push(Diag::error(Code::Read, format!("cannot read {name}: {e}")));
                report.push(json!({"file": name, "status": "error"}));
                continue;
            }
        };
        let src = SourceFile::new(name.clone(), text);
        let status = match format_source(&src) {
            Ok(Outcome::Unchanged) => "unchanged",
            Ok(Outcome::Changed(_)) if args.check => {
                unformatted += 1;
                if args.format != Format::Json {
                    outln!("{name}");
                }
                "unformatted"
            }
            Ok(Outcome::Changed(new)) => match write_atomic(path, &new) {
                Ok(()) => {
                    if args.format != Format::Json {
                        outln!("formatted {name}");
                    }
                    "formatted"
                }
                Err(e) => {
                    errors.push(Diag::error(
                        Code::Write,
                        format!("cannot write {name}: {e}"),
                    ));
                    "error"
                }
            },
            Err(diags) => {
                errors.extend(diags);
                "error"
            }
        };
        report.push(json!({"file": name, "status": status}));
    }
    match args.format {
        Format::Json => output::print_json(&json!({
            "check": args.check,
            "files": report,
            "unformatted": unformatted,
            "diagnostics": errors,
        })),
        _ => {
            output::eprint_diags(&errors);
            if args.check && unformatted > 0 {
                errln!(
                    "{unformatted} file{} not formatted; run `agentgate fmt` to fix",
                    if unformatted == 1 { " is" } else { "s are" }
                );
            }
        }
    }
    if !errors.is_empty() {
        Exit::Input
    } else if unformatted > 0 {
        Exit::No
    } else {
        Exit::Ok
    }
}
