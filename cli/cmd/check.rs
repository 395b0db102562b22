//! `agentgate check`: answer allow / deny / confirm for one request, given
//! as flags or as JSON on stdin, with the policies that decided it.

use std::io::{IsTerminal, Read};

use agentgate_core::decide::{Answer, Decider, Probe};
use agentgate_core::decision_log;
use agentgate_core::diag::Diag;
use agentgate_core::policy::PolicyStore;
use agentgate_core::request::{Builder, RequestSpec};
use agentgate_core::vocab::FileKind;
use agentgate_core::vocab::Verdict;
use serde_json::{Map, Value, json};

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
    /// Report format.
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
    Diag::error("agentgate::usage", msg)
}

/// The requests to answer: one from flags, or every JSON request on stdin
/// (one object, or several: JSON Lines or concatenated objects).
fn specs_from(args: &Args) -> Result<Vec<RequestSpec>, Diag> {
    let from_flags = args.principal.is_some() || args.action.is_some() || args.resource.is_some();
    if args.stdin || !from_flags {
        if from_flags {
            return Err(usage(
                "give the request either as flags or on stdin (--stdin), not both",
            ));
        }
        if !args.stdin && std::io::stdin().is_terminal() {
            return Err(usage("no request: pass --principal, --action and --resource, or a JSON request on stdin")
                .with_help("agentgate check --principal agent:copilot --action modify --resource .github/workflows/ci.yml"));
        }
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| usage(format!("cannot read stdin: {e}")))?;
        let mut specs = Vec::new();
        for (i, item) in serde_json::Deserializer::from_str(&text)
            .into_iter::<RequestSpec>()
            .enumerate()
        {
            let spec = item.map_err(|e| {
                usage(format!("request #{} on stdin is not valid: {e}", i + 1)).with_help(
                    r#"expected {"principal": "agent:claude-code", "action": "post", "resource": "Channel::\"slack:#general\"", "context": {"visibility": "public"}}"#,
                )
            })?;
            specs.push(spec);
        }
        if specs.is_empty() {
            return Err(usage("no request on stdin"));
        }
        return Ok(specs);
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
    Ok(vec![RequestSpec {
        principal: need(&args.principal, "principal")?,
        action: need(&args.action, "action")?,
        resource: need(&args.resource, "resource")?,
        kind: args.kind.map(FileKind::from),
        context,
        signoff: args.signoff.clone(),
    }])
}

/// The exit code of several answers: the most serious one (deny over
/// confirm over allow).
fn exit_of(verdicts: &[Verdict]) -> Exit {
    if verdicts.contains(&Verdict::Deny) {
        Exit::No
    } else if verdicts.contains(&Verdict::Confirm) {
        Exit::Confirm
    } else {
        Exit::Ok
    }
}

pub fn run(ctx: &Ctx, args: Args) -> Exit {
    let specs = match specs_from(&args) {
        Ok(s) => s,
        Err(d) => return output::fail(args.format, &d.into()),
    };
    let store = match ctx.load_store() {
        Ok(s) => s,
        Err(d) => return output::fail(args.format, &d),
    };
    // With several requests, errors say which one.
    let many = specs.len() > 1;
    let nth = |i: usize| {
        if many {
            format!(" #{}", i + 1)
        } else {
            String::new()
        }
    };
    let mut reqs = Vec::with_capacity(specs.len());
    for (i, spec) in specs.iter().enumerate() {
        match spec.to_req() {
            Ok(r) => reqs.push(r),
            Err(e) => {
                let msg = if many {
                    format!("request{}: {e}", nth(i))
                } else {
                    e.to_string()
                };
                return output::fail(args.format, &usage(msg).into());
            }
        }
    }
    let decider = Decider::new(Builder::new(&store));
    let mut verdicts = Vec::with_capacity(reqs.len());
    for (i, (spec, req)) in specs.iter().zip(&reqs).enumerate() {
        let answer = match decider.answer(req, Probe::SignOff) {
            Ok(a) => a,
            Err(e) => {
                return output::fail(
                    args.format,
                    &usage(format!("cannot evaluate the request{}: {e}", nth(i))).into(),
                );
            }
        };
        let session = spec
            .context
            .get("session")
            .and_then(Value::as_str)
            .unwrap_or("");
        if let Err(e) =
            decision_log::record(&store, &ctx.root, "check", session, None, req, &answer)
        {
            // The decision stands; the failure is reported.
            errln!("agentgate: decision log: {e}");
        }
        print_answer(&store, spec, &answer, args.format, many);
        verdicts.push(answer.decision);
    }
    exit_of(&verdicts)
}

/// The deciding policies with location and intent.
fn explain(store: &PolicyStore, answer: &Answer) -> Vec<Value> {
    answer
        .policies
        .iter()
        .map(|id| match store.meta.get(id) {
            Some(m) => json!({"id": id, "location": m.location(), "intent": m.intent}),
            None => json!({"id": id}),
        })
        .collect()
}

fn print_answer(
    store: &PolicyStore,
    spec: &RequestSpec,
    answer: &Answer,
    format: Format,
    compact: bool,
) {
    match format {
        Format::Json => {
            let v = json!({
            "decision": answer.decision,
            "policies": answer.policies,
            "explanations": explain(store, answer),
            "errors": answer.errors,
            "signoff_from": answer.signoff_from,
            "request": {
                "principal": spec.principal,
                "action": spec.action,
                "resource": spec.resource,
                "context": answer.context,
            },
            });
            if compact {
                // One answer per line for a stream of requests.
                outln!("{v}");
            } else {
                output::print_json(&v);
            }
        }
        Format::Human => {
            outln!(
                "{}: {} {} {}",
                answer.decision.as_str(),
                spec.principal,
                spec.action,
                spec.resource
            );
            if answer.policies.is_empty() {
                outln!("  no policy permits it (denied by default)");
            }
            for e in explain(store, answer) {
                let id = e["id"].as_str().unwrap_or_default();
                let loc = e["location"].as_str().unwrap_or_default();
                match e["intent"].as_str() {
                    Some(intent) => outln!("  {id} ({loc}): {intent}"),
                    None => outln!("  {id} ({loc})"),
                }
            }
            for err in &answer.errors {
                outln!(
                    "  policy {} failed to evaluate: {}",
                    err.policy,
                    err.message
                );
            }
            match (answer.decision, &answer.signoff_from) {
                (Verdict::Confirm, _) => outln!("  a human must confirm before this is done"),
                (Verdict::Deny, Some(teams)) if teams.is_empty() => {
                    outln!("  no sign-off would allow it")
                }
                (Verdict::Deny, Some(teams)) => outln!(
                    "  would be allowed with sign-off from: {}",
                    teams
                        .iter()
                        .map(|t| if t == "*" {
                            "any eligible human".to_string()
                        } else {
                            t.clone()
                        })
                        .collect::<Vec<_>>()
                        .join(", or ")
                ),
                _ => {}
            }
        }
    }
}
