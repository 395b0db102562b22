//! `agentgate hook <harness>`: answer an agent harness's pre-tool-use hook
//! (payload on stdin, answer on stdout, or on stderr with exit 2 for the
//! harnesses that read exit statuses) from the repository's policies.

use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};

use agentgate_core::hook::{self, Decision, Harness, Reply, render};

use super::Ctx;
use crate::exit::Exit;

/// The harness that calls the hook, as a command-line value: core's
/// [`Harness`] list, each value with the hook it answers as its help.
#[derive(Debug, Clone, Copy)]
pub struct HarnessArg(Harness);

impl HarnessArg {
    /// The harness the argument names.
    pub fn harness(self) -> Harness {
        self.0
    }
}

impl clap::ValueEnum for HarnessArg {
    fn value_variants<'a>() -> &'a [Self] {
        static ALL: std::sync::LazyLock<Vec<HarnessArg>> =
            std::sync::LazyLock::new(|| Harness::ALL.into_iter().map(HarnessArg).collect());
        &ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.0.name()).help(self.0.hooks()))
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which harness calls the hook.
    #[arg(value_enum)]
    harness: HarnessArg,
    /// The agent id the tool calls are judged as (default: the harness's
    /// name; `gemini-cli` for Gemini).
    #[arg(long, value_name = "ID")]
    agent: Option<String>,
}

/// Print the answer in the harness's form. The exit status follows the
/// protocols: 0 with the JSON answer (deny included, so the harness reads
/// the reason), or 2 with the reason on stderr where the harness reads
/// exit statuses (Windsurf, Kiro).
fn reply(a: &Reply) -> Exit {
    if let Some(out) = &a.stdout {
        outln!("{out}");
    }
    if let Some(err) = &a.stderr {
        errln!("{err}");
    }
    if a.block { Exit::Input } else { Exit::Ok }
}

pub fn run(ctx: &Ctx, args: Args) -> Exit {
    let harness = args.harness.harness();
    let mut payload = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut payload) {
        return reply(&render(
            harness,
            None,
            Decision::Deny,
            &format!("agentgate denies this because it cannot read the hook payload: {e}"),
        ));
    }
    // A panic must not become a non-blocking error (which lets the call
    // run): it is a deny like any other failure.
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        hook::run(
            harness,
            &payload,
            args.agent.as_deref(),
            ctx.explicit_repo.then_some(ctx.root.as_path()),
            &ctx.cwd,
        )
    }));
    match outcome {
        Ok(o) => {
            if let Some(e) = &o.log_error {
                errln!("agentgate: decision log: {e}");
            }
            reply(&render(harness, o.event.as_deref(), o.decision, &o.reason))
        }
        Err(_) => reply(&render(
            harness,
            None,
            Decision::Deny,
            "agentgate denies this because it failed internally (a bug: please report it)",
        )),
    }
}
