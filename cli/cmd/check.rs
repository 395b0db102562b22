//! `agentgate check`: answer allow / deny / confirm for one request, given
//! as flags or as JSON on stdin, with the policies that decided it.

use std::io::{IsTerminal, Write};

use agentgate_core::decide::{Decider, Probe};
use agentgate_core::decision_log;
use agentgate_core::diag::{Code, Diag};
use agentgate_core::policy::PolicyStore;
use agentgate_core::request::{Builder, RequestSpec};
use agentgate_core::vocab::FileKind;
use agentgate_core::vocab::Verdict;
use serde_json::{Map, Value};

use super::Ctx;
use crate::exit::Exit;
use crate::output::{self, Format};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Who acts: agent:<id>, human:<login>, or a Cedar uid (Agent::"copilot").
    #[arg(long)]
    principal: Option<String>,
    /// The action id (modify, edit, run, post, remove, ...).
    #[arg(long)]
    action: Option<String>,
    /// What is acted on: a repository path, or a Cedar uid (Url::"https://...").
    #[arg(long)]
    resource: Option<String>,
    /// How git stores a path resource.
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    /// Context as a JSON object; fields left out get their defaults.
    #[arg(long, value_name = "JSON")]
    context: Option<String>,
    /// Who signed off (repeatable): a login, or team:<name>.
    #[arg(long, value_name = "WHO")]
    signoff: Vec<String>,
    /// Read requests as JSON from stdin: one object
    /// {"principal", "action", "resource", "context", "signoff", "kind"},
    /// or several (JSON Lines), answered in order.
    #[arg(long)]
    stdin: bool,
    /// Report format: text or json.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum KindArg {
    File,
    Executable,
    Symlink,
    Submodule,
}

impl From<KindArg> for FileKind {
    fn from(k: KindArg) -> FileKind {
        match k {
            KindArg::File => FileKind::File,
            KindArg::Executable => FileKind::Executable,
            KindArg::Symlink => FileKind::Symlink,
            KindArg::Submodule => FileKind::Submodule,
        }
    }
}

fn usage(msg: impl Into<String>) -> Diag {
    Diag::error(Code::Usage, msg)
}

/// The request given as flags, if any flag was given.
fn spec_from_flags(args: &Args) -> Result<Option<RequestSpec>, Diag> {
    let from_flags = args.principal.is_some() || args.action.is_some() || args.resource.is_some();
    if !from_flags {
        return Ok(None);
    }
    if args.stdin {
        return Err(usage(
            "give the request either as flags or on stdin (--stdin), not both",
        ));
    }
    let need = |v: &Option<String>, flag: &str| {
        v.clone().ok_or_else(|| usage(format!("missing --{flag}")))
    };
    let context = match &args.context {
        None => Map::new(),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err(usage("--context must be a JSON object")),
            Err(e) => return Err(usage(format!("--context is not valid JSON: {e}"))),
        },
    };
    Ok(Some(RequestSpec {
        principal: need(&args.principal, "principal")?,
        action: need(&args.action, "action")?,
        resource: need(&args.resource, "resource")?,
        kind: args.kind.map(FileKind::from),
        context,
        signoff: args.signoff.clone(),
    }))
}

/// Answers requests one at a time, as they come: decided, logged, printed
/// (and flushed) before the next is read.
struct Answerer<'a> {
    ctx: &'a Ctx,
    store: &'a PolicyStore,
    decider: Decider<'a>,
    format: Format,
    /// One answer per line (a stream of requests).
    compact: bool,
    /// The most serious answer so far.
    worst: Verdict,
}

impl Answerer<'_> {
    /// Answer request number `n` (1-based, for errors when there are many).
    fn answer(&mut self, spec: &RequestSpec, n: Option<usize>) -> Result<(), Diag> {
        let which = n.map(|n| format!(" #{n}")).unwrap_or_default();
        let req = spec
            .to_req()
            .map_err(|e| usage(format!("request{which}: {e}")))?;
        let answer = self
            .decider
            .answer(&req, Probe::SignOff)
            .map_err(|e| usage(format!("cannot evaluate the request{which}: {e}")))?;
        let session = spec
            .context
            .get("session")
            .and_then(Value::as_str)
            .unwrap_or("");
        if let Err(e) = decision_log::record(
            self.store,
            &self.ctx.root,
            "check",
            session,
            None,
            &req,
            &answer,
        ) {
            // The decision stands; the failure is reported.
            errln!("agentgate: decision log: {e}");
        }
        match self.format {
            Format::Json if self.compact => {
                outln!(
                    "{}",
                    agentgate_report::check::json(self.store, spec, &answer)
                )
            }
            Format::Json => {
                output::print_json(&agentgate_report::check::json(self.store, spec, &answer))
            }
            _ => out!(
                "{}",
                agentgate_report::check::text(self.store, spec, &answer)
            ),
        }
        let _ = std::io::stdout().flush();
        if answer.decision.rank() > self.worst.rank() {
            self.worst = answer.decision;
        }
        Ok(())
    }

    /// The exit code: the most serious answer (deny over confirm over allow).
    fn exit(&self) -> Exit {
        match self.worst {
            Verdict::Deny => Exit::No,
            Verdict::Confirm => Exit::Confirm,
            Verdict::Allow => Exit::Ok,
        }
    }
}

pub fn run(ctx: &Ctx, args: Args) -> Exit {
    let flags = match spec_from_flags(&args) {
        Ok(s) => s,
        Err(d) => return output::fail(args.format, &d.into()),
    };
    if flags.is_none() && !args.stdin && std::io::stdin().is_terminal() {
        let d = usage("no request: pass --principal, --action and --resource, or JSON requests on stdin (--stdin)")
            .with_help("agentgate check --principal agent:copilot --action modify --resource .github/workflows/ci.yml");
        return output::fail(args.format, &d.into());
    }
    let store = match ctx.load_store() {
        Ok(s) => s,
        Err(d) => return output::fail(args.format, &d),
    };
    let mut answerer = Answerer {
        ctx,
        store: &store,
        decider: Decider::new(Builder::new(&store)),
        format: args.format,
        compact: flags.is_none(),
        worst: Verdict::Allow,
    };
    if let Some(spec) = flags {
        return match answerer.answer(&spec, None) {
            Ok(()) => answerer.exit(),
            Err(d) => output::fail(args.format, &d.into()),
        };
    }
    // Requests on stdin: JSON Lines or concatenated objects, each answered
    // as soon as it has been read.
    let stdin = std::io::stdin().lock();
    let mut n = 0;
    for item in serde_json::Deserializer::from_reader(stdin).into_iter::<RequestSpec>() {
        n += 1;
        let spec = match item {
            Ok(s) => s,
            Err(e) => {
                let d = usage(format!("request #{n} on stdin is not valid: {e}")).with_help(
                    r#"expected {"principal": "agent:claude-code", "action": "post", "resource": "Channel::\"slack:#general\"", "context": {"visibility": "public"}}"#,
                );
                return output::fail(args.format, &d.into());
            }
        };
        if let Err(d) = answerer.answer(&spec, Some(n)) {
            return output::fail(args.format, &d.into());
        }
    }
    if n == 0 {
        return output::fail(args.format, &usage("no request on stdin").into());
    }
    answerer.exit()
}
