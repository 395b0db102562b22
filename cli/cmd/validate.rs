//! `agentgate validate`: parse every policy file, the schema and the config,
//! validate strictly, lint, and report located diagnostics.

use agentgate_core::diag::Severity;
use agentgate_core::policy::validate::validate;
use serde_json::json;

use super::Ctx;
use crate::exit::Exit;
use crate::output::{self, Format};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Report format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Treat warnings as errors (exit 2).
    #[arg(long)]
    deny_warnings: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Exit {
    let store = match agentgate_core::policy::PolicyStore::parse(
        &agentgate_core::file_tree::DirTree::new(&ctx.root),
    ) {
        Ok(s) => s,
        Err(diags) => return output::fail(args.format, &diags),
    };
    let diags = validate(&store);
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    let policies = store.user_meta().len();
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);
    match args.format {
        Format::Json => output::print_json(&json!({
            "valid": !failed,
            "policies": policies,
            "files": store.files.iter().map(|f| f.name.clone()).collect::<Vec<_>>(),
            "schema": store.schema_source.name,
            "errors": errors,
            "warnings": warnings,
            "diagnostics": diags,
        })),
        _ => {
            output::eprint_diags(&diags);
            let verdict = if failed { "invalid" } else { "valid" };
            outln!(
                "{verdict}: {policies} polic{} in {} file{}, schema {}: {errors} error{}, {warnings} warning{}",
                if policies == 1 { "y" } else { "ies" },
                store.files.len(),
                if store.files.len() == 1 { "" } else { "s" },
                store.schema_source.name,
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" },
            );
        }
    }
    if failed { Exit::Input } else { Exit::Ok }
}
