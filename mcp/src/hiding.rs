//! Which tools to hide from `tools/list`: those no call of which could ever
//! be allowed for this agent, asked of the policies themselves.
//!
//! The tool catalog says, for each way it can map a tool whatever the
//! arguments, which actions every call mapped that way makes
//! ([`agentgate_core::tools::certain_actions`]). For each such action the
//! policies are evaluated *partially* (Cedar's partial evaluation): the
//! principal is the agent and the action is known, while the resource and
//! the whole context (arguments, audience, `confirmed`) are unknown. Cedar
//! answers deny only when the answer is deny whatever they turn out to be
//! (the resource is known only where the catalog says every call acts on
//! the `Tool` itself, e.g. `Tool::"mcp__github__echo"`):
//! a `forbid` that applies to every resource and context (`agents never
//! change access`), or no `permit` that could apply. A tool is hidden when
//! every way of mapping it makes such an action, so hiding is conservative:
//! anything a confirmation, an argument or an audience could allow stays
//! listed, and is judged call by call.

use agentgate_core::policy::PolicyStore;
use agentgate_core::request::{Builder, Req};
use agentgate_core::tools::certain_actions;
use agentgate_core::vocab::{Principal, Resource, action_uid};
use cedar_policy::{Authorizer, Decision, Effect, Request};

/// Why a tool is hidden: the policies that deny every call of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hidden {
    /// The actions every call makes that are always denied.
    pub actions: Vec<String>,
    /// The `forbid`s that always apply (empty: no `permit` ever applies).
    pub policies: Vec<String>,
}

/// Whether every call of `tool` by `agent` is denied whatever its
/// arguments, and by which policies.
pub fn never_allowed(store: &PolicyStore, agent: &str, tool: &str) -> Option<Hidden> {
    let ways = certain_actions(store, tool);
    let mut hidden = Hidden {
        actions: Vec::new(),
        policies: Vec::new(),
    };
    for way in ways {
        // One always-denied action per way is enough: the call is denied.
        let (action, policies) = way.iter().find_map(|c| {
            always_denied(store, agent, tool, &c.action, c.on_tool).map(|p| (&c.action, p))
        })?;
        if !hidden.actions.contains(action) {
            hidden.actions.push(action.clone());
        }
        for p in policies {
            if !hidden.policies.contains(&p) {
                hidden.policies.push(p);
            }
        }
    }
    if hidden.actions.is_empty() {
        return None;
    }
    hidden.policies.sort();
    Some(hidden)
}

/// The policies denying `action` by `agent` on any resource (`on_tool`:
/// on the `Tool` itself) in any context, if Cedar's partial evaluation says
/// it is denied whatever they are.
fn always_denied(
    store: &PolicyStore,
    agent: &str,
    tool: &str,
    action: &str,
    on_tool: bool,
) -> Option<Vec<String>> {
    let principal = Principal::Agent(agent.to_string());
    let action_id = action_uid(action)?;
    // An action the schema lacks fails every call at the request builder;
    // that is a deny too, but not one to hide a tool over.
    if !store.schema.actions().any(|a| *a == action_id) {
        return None;
    }
    // The principal with its teams, and the schema's actions.
    let entities = Builder::new(store)
        .entities(&[Req {
            principal: principal.clone(),
            action: action.to_string(),
            resource: Resource::entity("Tool", tool),
            context: Default::default(),
            signoff: Vec::new(),
        }])
        .ok()?;
    let mut request = Request::builder()
        .principal(principal.uid().ok()?)
        .action(action_id);
    if on_tool {
        request = request.resource(Resource::entity("Tool", tool).uid().ok()?);
    }
    let request = request.build();
    let answer = Authorizer::new().is_authorized_partial(&request, &store.policies, &entities);
    if answer.decision() != Some(Decision::Deny) {
        return None;
    }
    let mut ids: Vec<String> = answer
        .definitely_satisfied()
        .filter(|p| p.effect() == Effect::Forbid)
        .map(|p| p.id().to_string())
        .collect();
    ids.sort();
    Some(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use agentgate_core::file_tree::DirTree;

    #[test]
    fn only_what_is_never_allowed_is_hidden() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let store = PolicyStore::load(&DirTree::new(&root)).expect("shipped policies load");
        let h = never_allowed(&store, "claude-code", "mcp__github__add_collaborator")
            .expect("collaborators are never added");
        assert_eq!(h.actions, ["set_permissions"]);
        assert_eq!(h.policies, ["agents-never-change-access"]);
        // Allowed without `private`/`visibility`; a post is allowed to a
        // private channel; a read with no path is allowed.
        for tool in [
            "mcp__github__update_repository",
            "mcp__slack__chat_postMessage",
            "mcp__fs__read_text_file",
            "mcp__gmail__batch_delete_emails",
            "mcp__x__echo",
        ] {
            assert_eq!(never_allowed(&store, "claude-code", tool), None, "{tool}");
        }
        // A tool no rule names, judged by the verbs in its name: hidden too.
        assert!(never_allowed(&store, "claude-code", "mcp__x__setFileVisibility").is_some());
    }
}
