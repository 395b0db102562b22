//! `agentgate tools import`: type an MCP server's tools for policies.

use std::path::PathBuf;

use agentgate_core::diag::source_file::SourceFile;
use agentgate_core::diag::{Code, Diag};
use agentgate_core::file_tree::DirTree;
use agentgate_core::policy::PolicyStore;
use agentgate_core::policy::schema::parse_schema_with;
use agentgate_core::tools::import;

use super::Ctx;
use crate::exit::Exit;
use crate::output::{self, Format};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: ToolsCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ToolsCommand {
    /// Write the Cedar schema fragment that types an MCP server's tools: one
    /// action per tool (`mcp__<server>__<tool>`), in the actions the tool
    /// catalog maps it to, with its arguments as `context.input`.
    ///
    /// Example: agentgate tools import slack-tools.json --server slack --out schemas/tools/slack.cedarschema
    Import(ImportArgs),
}

#[derive(Debug, clap::Args)]
struct ImportArgs {
    /// An MCP `tools/list` answer saved as JSON (`{"tools": [...]}`, or the
    /// JSON-RPC response holding it).
    file: PathBuf,
    /// The server's name, as tools are named in hooks and policies
    /// (`mcp__<server>__<tool>`).
    #[arg(long)]
    server: String,
    /// Write the fragment here (relative to the repository) instead of
    /// standard output; then list it under `schemas` in agentgate.toml.
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, args: Args) -> Exit {
    match args.command {
        ToolsCommand::Import(a) => import_tools(ctx, a),
    }
}

fn import_tools(ctx: &Ctx, args: ImportArgs) -> Exit {
    let fail = |message: String, help: &str| {
        output::fail(
            Format::Text,
            &Diag::error(Code::ToolsImport, message)
                .with_help(help)
                .into(),
        )
    };
    let store = match PolicyStore::parse(&DirTree::new(&ctx.root)) {
        Ok(s) => s,
        Err(d) => return output::fail(Format::Text, &d),
    };
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => {
            return fail(
                format!("cannot read {}: {e}", ctx.show(&args.file)),
                "give the path of a saved tools/list answer",
            );
        }
    };
    let answer: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            return fail(
                format!("{} is not JSON: {e}", ctx.show(&args.file)),
                "save the server's tools/list answer as JSON (the MCP Inspector CLI prints it: npx @modelcontextprotocol/inspector --cli <server> --method tools/list)",
            );
        }
    };
    let tools = match import::tools_of(&answer) {
        Ok(t) => t,
        Err(e) => {
            return fail(
                format!("{}: {e}", ctx.show(&args.file)),
                "save the server's tools/list answer as JSON",
            );
        }
    };
    let origin = args.file.file_name().map_or_else(
        || args.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let (fragment, imported) =
        match import::fragment(&store.config, &store.schema, &args.server, &tools, &origin) {
            Ok(f) => f,
            Err(e) => return fail(e.to_string(), "see `agentgate tools import --help`"),
        };
    // The fragment must combine with the schema it extends.
    let name = args.out.as_ref().map_or_else(
        || format!("{}.cedarschema", args.server),
        |p| p.display().to_string(),
    );
    let mut extra = store.schema_extra.clone();
    extra.retain(|s| !s.name.ends_with(&name));
    extra.push(SourceFile::new(name.clone(), fragment.clone()));
    if let Err(diags) = parse_schema_with(&store.schema_source, &extra) {
        output::eprint_diags(&diags);
        return fail(
            "the generated fragment does not combine with the repository's schema".into(),
            "a tool named like an action the schema already declares must be renamed, or its old fragment removed",
        );
    }
    match &args.out {
        None => out!("{fragment}"),
        Some(p) => {
            let full = if p.is_absolute() {
                p.clone()
            } else {
                ctx.root.join(p)
            };
            if let Some(dir) = full.parent()
                && let Err(e) = std::fs::create_dir_all(dir)
            {
                return fail(
                    format!("cannot create {}: {e}", dir.display()),
                    "check the path",
                );
            }
            if let Err(e) = std::fs::write(&full, &fragment) {
                return fail(
                    format!("cannot write {}: {e}", full.display()),
                    "check the path",
                );
            }
            errln!("wrote {} ({} tools)", ctx.show(&full), imported.len());
            if !store.config.schemas.iter().any(|s| full.ends_with(s)) {
                errln!(
                    "next: add it to agentgate.toml: schemas = [\"{}\"]",
                    p.display()
                );
            }
        }
    }
    for i in &imported {
        let skipped = if i.skipped.is_empty() {
            String::new()
        } else {
            format!(" (untyped: {})", i.skipped.join(", "))
        };
        errln!("  {} in {}{skipped}", i.action, i.parents.join(", "));
    }
    Exit::Ok
}
