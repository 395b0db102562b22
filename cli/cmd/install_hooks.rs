//! `agentgate install-hooks <harness>`: write or merge the harness's
//! wiring file so it runs `agentgate hook <harness>` before every tool
//! call.

use std::path::PathBuf;

use agentgate_core::install::{Options, install};

use super::Ctx;
use super::hook::HarnessArg;
use crate::exit::Exit;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The harness to wire.
    #[arg(value_enum)]
    harness: HarnessArg,
    /// Write this file instead of the harness's usual one (e.g. another
    /// Kiro agent, or OpenClaw's config elsewhere).
    #[arg(long, value_name = "PATH")]
    file: Option<PathBuf>,
    /// The agentgate command the wiring runs.
    #[arg(long, value_name = "CMD", default_value = "agentgate")]
    command: String,
    /// OpenClaw: the agentgate plugin's directory (integrations/openclaw),
    /// added to plugins.load.paths.
    #[arg(long, value_name = "DIR")]
    plugin_dir: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, args: Args) -> Exit {
    let harness = args.harness.harness();
    let absolute = |p: PathBuf| if p.is_absolute() { p } else { ctx.cwd.join(p) };
    // Where OpenClaw keeps its configuration, as OpenClaw reads it
    // (docs/help/environment.md in the openclaw package).
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let opts = Options {
        command: args.command,
        file: args.file.map(absolute),
        home: env("OPENCLAW_HOME").or_else(|| env("HOME")),
        openclaw_config: env("OPENCLAW_CONFIG_PATH")
            .or_else(|| env("OPENCLAW_STATE_DIR").map(|d| d.join("openclaw.json")))
            .map(absolute),
        plugin_dir: args.plugin_dir.map(absolute),
    };
    match install(harness, &ctx.root, &opts) {
        Ok(done) => {
            let shown = done
                .path
                .strip_prefix(&ctx.root)
                .unwrap_or(&done.path)
                .display()
                .to_string();
            if done.changed {
                outln!(
                    "wrote {shown}: `agentgate hook {}` on {}",
                    harness.name(),
                    done.events.join(", ")
                );
            } else {
                outln!(
                    "{shown} already runs `agentgate hook {}`; unchanged",
                    harness.name()
                );
            }
            for n in &done.notes {
                outln!("note: {n}");
            }
            Exit::Ok
        }
        Err(e) => {
            errln!("error: {e}");
            Exit::Input
        }
    }
}
