//! The built-in floor (DESIGN §5.2, §5.9): agent changes to agentgate's own
//! files and to what wires it in (policy directory, schema, any
//! `agentgate.toml`, the decision log, workflows, harness hook settings, MCP
//! server lists, CODEOWNERS, `.git/`; see `Config::floor_entries`) always
//! need a human's sign-off, whatever the repository's policies say; at run
//! time agents never edit them. The floor is Cedar policies with their own
//! ids, evaluated and reported like any other.

use cedar_policy::Schema;

use crate::policy::config::{Config, Protected};
use crate::policy::schema::has_action;
use crate::vocab::cedar_string;

/// Id of the gate floor policy.
pub const FLOOR_ID: &str = "agentgate-floor";
/// Id of the runtime floor policy.
pub const FLOOR_RUNTIME_ID: &str = "agentgate-floor-runtime";
/// Display origin of built-in policies.
pub const FLOOR_ORIGIN: &str = "<built-in floor>";

/// The Cedar condition "resource is one of the protected paths". A
/// `FileOrDir` entry protects the file of that name *and* the directory of
/// that name, since people write `deploy` for the directory as often as for
/// a file.
fn condition(entries: &[Protected]) -> String {
    let parts: Vec<String> = entries
        .iter()
        .map(|p| match p {
            Protected::Dir(d) => format!("resource in Dir::{}", cedar_string(d)),
            Protected::FileOrDir(f) => format!(
                "resource == File::{} || resource in Dir::{}",
                cedar_string(f),
                cedar_string(&format!("{f}/"))
            ),
            Protected::Name(n) => format!("resource.name == {}", cedar_string(n)),
            Protected::Like(l) => format!("resource.path like {}", cedar_like(l)),
        })
        .collect();
    if parts.is_empty() {
        "false".into()
    } else {
        parts.join(" ||\n  ")
    }
}

/// A Cedar `like` pattern literal: `*` stays a wildcard, everything else is
/// literal.
fn cedar_like(pattern: &str) -> String {
    let mut out = String::from("\"");
    for c in pattern.chars() {
        match c {
            '*' => out.push('*'),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The floor policies' Cedar text for this config and schema.
pub fn floor_text(config: &Config, schema: &Schema) -> String {
    let cond = condition(&config.floor_entries());
    let mut text = format!(
        "// Agent changes to agentgate's own files (policies, schema, config, workflows, hook wiring, CODEOWNERS) need a human's sign-off, whatever the policies say.\n\
         @id(\"{FLOOR_ID}\")\n\
         forbid (principal is Agent, action in Action::\"change\", resource)\n\
         when {{\n  {cond}\n}}\n\
         unless {{ context.approvals > 0 }};\n"
    );
    let runtime: Vec<&str> = ["edit", "remove"]
        .into_iter()
        .filter(|a| has_action(schema, a))
        .collect();
    if !runtime.is_empty() {
        let actions: Vec<String> = runtime
            .iter()
            .map(|a| format!("Action::{}", cedar_string(a)))
            .collect();
        text.push_str(&format!(
            "\n// Agents never edit or delete agentgate's own files at run time.\n\
             @id(\"{FLOOR_RUNTIME_ID}\")\n\
             forbid (principal is Agent, action in [{}], resource is File)\n\
             when {{\n  {cond}\n}};\n",
            actions.join(", ")
        ));
    }
    text
}
