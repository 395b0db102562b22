//! agentgate's lints: mistakes Cedar accepts but that defeat a policy's
//! purpose in agentgate's model.

use cedar_policy::{
    ActionConstraint, Effect, EntityUid, Policy, PrincipalConstraint, ResourceConstraint,
};

use crate::diag::{Code, Diag};
use crate::policy::{PolicyMeta, PolicyStore};
use crate::vocab::cedar_string;

/// Lint every user policy. `already_never` lists ids Cedar already reported
/// on (as never applying, or as not typechecking).
pub fn lint(store: &PolicyStore, already_never: &[String]) -> Vec<Diag> {
    let mut out = Vec::new();
    let mut teams: Vec<&str> = store.config.teams.keys().map(String::as_str).collect();
    teams.extend(store.config.github.teams.keys().map(String::as_str));
    let mut warned_empty: Vec<String> = Vec::new();
    for policy in store.user_policies.policies() {
        let Some(meta) = store.meta(policy.id()) else {
            continue;
        };
        if !already_never.iter().any(|id| id == &meta.id)
            && policy
                .get_valid_request_envs(&store.schema)
                .next()
                .is_none()
        {
            out.push(
                Diag::warning(
                    Code::NeverApplies,
                    format!(
                        "policy `{}` can never apply: no principal, action and resource the schema allows match its scope",
                        meta.id
                    ),
                )
                .at_meta(meta)
                .with_help("check the action and the `is` types in its scope against the schema"),
            );
        }
        if permits_agents_everything(policy) {
            out.push(
                Diag::warning(
                    Code::AgentsDoAnything,
                    format!(
                        "policy `{}` lets agents do everything: any action on any resource, with no condition",
                        meta.id
                    ),
                )
                .at_meta(meta)
                .with_help("narrow its action (e.g. `action in Action::\"change\"`) or add a `when` condition"),
            );
        }
        for uid in policy.entity_literals() {
            let ty = uid.type_name().to_string();
            let id = uid.id().unescaped();
            match ty.as_str() {
                "Dir" if !id.is_empty() && !id.ends_with('/') => out.push(
                    located(
                        Diag::warning(
                            Code::DirWithoutSlash,
                            format!(
                                "policy `{}`: Dir::{} never matches anything: directory ids end with `/`",
                                meta.id,
                                cedar_string(id)
                            ),
                        ),
                        meta,
                        &uid,
                    )
                    .with_help(format!("write Dir::{}", cedar_string(&format!("{id}/")))),
                ),
                "File" if id.ends_with('/') => out.push(
                    located(
                        Diag::warning(
                            Code::FileWithSlash,
                            format!(
                                "policy `{}`: File::{} never matches anything: file ids do not end with `/`",
                                meta.id,
                                cedar_string(id)
                            ),
                        ),
                        meta,
                        &uid,
                    )
                    .with_help(format!(
                        "for everything under the directory write `resource in Dir::{}`",
                        cedar_string(id)
                    )),
                ),
                "Team" if !teams.contains(&id) => out.push(
                    located(
                        Diag::warning(
                            Code::UnknownTeam,
                            format!(
                                "policy `{}` names Team::{}, but agentgate.toml defines no such team: nobody can be in it",
                                meta.id,
                                cedar_string(id)
                            ),
                        ),
                        meta,
                        &uid,
                    )
                    .with_help(format!("add `{id} = [\"login\", ...]` under [teams] in agentgate.toml")),
                ),
                "Team"
                    if store.config.members(id).is_empty()
                        && !store.config.github.teams.contains_key(id)
                        && !warned_empty.iter().any(|w| w == id) =>
                {
                    warned_empty.push(id.to_string());
                    out.push(
                        located(
                            Diag::warning(
                                Code::EmptyTeam,
                                format!(
                                    "policy `{}` needs Team::{}, which has no members in agentgate.toml: nobody can sign off for it",
                                    meta.id,
                                    cedar_string(id)
                                ),
                            ),
                            meta,
                            &uid,
                        )
                        .with_help(format!(
                            "list its people under [teams] (`{id} = [\"alice\"]`), or map it to a GitHub team under [github.teams]"
                        )),
                    )
                }
                _ => {}
            }
        }
    }
    out
}

/// Locate a diagnostic at the literal's text inside the policy, falling back
/// to the policy's first line.
fn located(d: Diag, meta: &PolicyMeta, uid: &EntityUid) -> Diag {
    let lit = format!(
        "{}::{}",
        uid.type_name(),
        cedar_string(uid.id().unescaped())
    );
    if let Some(src) = &meta.source {
        let start = meta.span.offset();
        let end = start + meta.span.len();
        if let Some(body) = src.text.get(start..end)
            && let Some(pos) = body.find(&lit)
        {
            return d.at(src, (start + pos, lit.len()));
        }
    }
    d.at_meta(meta)
}

fn permits_agents_everything(policy: &Policy) -> bool {
    if policy.effect() != Effect::Permit || policy.has_non_scope_constraint() {
        return false;
    }
    let agent_principal = match policy.principal_constraint() {
        PrincipalConstraint::Any => true,
        PrincipalConstraint::Is(t) | PrincipalConstraint::IsIn(t, _) => t.to_string() == "Agent",
        PrincipalConstraint::Eq(uid) => uid.type_name().to_string() == "Agent",
        PrincipalConstraint::In(uid) => {
            let t = uid.type_name().to_string();
            t == "Team" || t == "Agent"
        }
    };
    let any_action = matches!(policy.action_constraint(), ActionConstraint::Any);
    let any_resource = match policy.resource_constraint() {
        ResourceConstraint::Any => true,
        ResourceConstraint::In(uid) => {
            uid.type_name().to_string() == "Dir" && uid.id().unescaped().is_empty()
        }
        _ => false,
    };
    agent_principal && any_action && any_resource
}
