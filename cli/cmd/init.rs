//! `agentgate init`: scaffold a repository.

use std::path::PathBuf;

use agentgate_core::init::{InitError, init};

use super::Ctx;
use crate::exit::Exit;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory to scaffold (default: the current directory).
    dir: Option<PathBuf>,
    /// Put the policies, schema and suites under this directory of the
    /// repository (e.g. `.agentgate`); the config stays at the top level.
    #[arg(long, value_name = "DIR")]
    under: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Exit {
    let dir = args.dir.unwrap_or_else(|| ctx.cwd.clone());
    match init(&dir, args.under.as_deref()) {
        Ok(files) => {
            for f in &files {
                outln!("wrote {f}");
            }
            outln!(
                "next: add maintainers' logins under [teams] in agentgate.toml, then run `agentgate validate` and `agentgate test`"
            );
            Exit::Ok
        }
        Err(InitError::Exists(files)) => {
            errln!("error: refusing to overwrite existing files; nothing was written:");
            for f in files {
                errln!("  {f}");
            }
            errln!("help: move them aside, or add agentgate's files by hand (see README)");
            Exit::Input
        }
        Err(e) => {
            errln!("error: {e}");
            Exit::Input
        }
    }
}
