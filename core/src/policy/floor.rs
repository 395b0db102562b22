//! The built-in floor (DESIGN §5.2): agent changes to the gate's own files
//! (policy directory, schema, config, workflows, CODEOWNERS) always need a
//! human's sign-off, whatever the repository's policies say; at run time
//! agents never edit them. The floor is Cedar policies with their own ids,
//! evaluated and reported like any other.

use cedar_policy::Schema;

use crate::config::Config;
use crate::policy::schema::{cedar_string, has_action};

/// Id of the gate floor policy.
pub const FLOOR_ID: &str = "agentgate-floor";
/// Id of the runtime floor policy.
pub const FLOOR_RUNTIME_ID: &str = "agentgate-floor-runtime";
/// Display origin of built-in policies.
pub const FLOOR_ORIGIN: &str = "<built-in floor>";

/// The Cedar condition "resource is one of the floor paths". An entry
/// ending in `/` is a directory; any other entry protects the file of that
/// name *and* the directory of that name, since people write `deploy` for
/// the directory as often as for a file.
fn condition(paths: &[String]) -> String {
    let parts: Vec<String> = paths
        .iter()
        .map(|p| {
            if p.is_empty() || p.ends_with('/') {
                format!("resource in Dir::{}", cedar_string(p))
            } else {
                format!(
                    "resource == File::{} || resource in Dir::{}",
                    cedar_string(p),
                    cedar_string(&format!("{p}/"))
                )
            }
        })
        .collect();
    if parts.is_empty() {
        "false".into()
    } else {
        parts.join(" ||\n  ")
    }
}

/// The floor policies' Cedar text for this config and schema.
pub fn floor_text(config: &Config, schema: &Schema) -> String {
    let cond = condition(&config.floor_paths());
    let mut text = format!(
        "// Agent changes to agentgate's own files (policies, schema, config, workflows, CODEOWNERS) need a human's sign-off, whatever the policies say.\n\
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
