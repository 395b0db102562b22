//! agentgate's test suite format (TOML), designed for people: a case names
//! who, what action, on what (a path becomes a `File`), the context and
//! sign-offs that matter, and the expected answer. `[defaults]` cut
//! repetition; `[[matrix]]` expands principals × actions × resources.
//!
//! ```toml
//! [defaults]
//! principal = "agent:copilot"
//!
//! [[case]]
//! name = "agent edits CI without sign-off"
//! action = "modify"
//! resource = ".github/workflows/ci.yml"
//! expect = "deny"
//! signoff_from = ["maintainers"]
//!
//! [[matrix]]
//! name = "agents change ordinary files"
//! principals = ["agent:copilot", "agent:claude-code"]
//! actions = ["create", "modify", "delete"]
//! resources = ["src/main.rs", "docs/guide.md"]
//! expect = "allow"
//! ```

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value};
use toml::Spanned;

use crate::diag::source_file::SourceFile;
use crate::diag::{Code, Diag};
use crate::request::{Req, RequestSpec};
use crate::vocab::FileKind;
use crate::vocab::Verdict;

/// Fields a case (or `[defaults]`) may set.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFields {
    /// Case name (unique within the file).
    pub name: Option<String>,
    /// `agent:<id>`, `human:<login>` or a Cedar uid.
    pub principal: Option<String>,
    /// Action id.
    pub action: Option<String>,
    /// A path (a `File`) or a Cedar uid.
    pub resource: Option<String>,
    /// `File.kind` for a path resource.
    pub kind: Option<FileKind>,
    /// Context fields; the rest get defaults.
    pub context: Option<Map<String, Value>>,
    /// Who signed off: logins, or `team:<name>` for any member of a team.
    pub signoff: Option<Vec<String>>,
    /// `allow`, `deny` or `confirm`.
    pub expect: Option<Expect>,
    /// Exactly these policies decided (set-equal), when given.
    pub reasons: Option<Vec<String>>,
    /// Exactly these policies errored (set-equal), when given.
    pub errors: Option<Vec<String>>,
    /// On deny: exactly these sign-off alternatives (set-equal), when given.
    pub signoff_from: Option<Vec<String>>,
}

/// Expected answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    /// allow
    Allow,
    /// deny
    Deny,
    /// confirm
    Confirm,
}

impl Expect {
    /// As a verdict.
    pub fn verdict(self) -> Verdict {
        match self {
            Expect::Allow => Verdict::Allow,
            Expect::Deny => Verdict::Deny,
            Expect::Confirm => Verdict::Confirm,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Matrix {
    name: Option<String>,
    #[serde(default)]
    principals: Vec<String>,
    #[serde(default)]
    actions: Vec<String>,
    #[serde(default)]
    resources: Vec<String>,
    kind: Option<FileKind>,
    context: Option<Map<String, Value>>,
    signoff: Option<Vec<String>>,
    expect: Option<Expect>,
    reasons: Option<Vec<String>>,
    errors: Option<Vec<String>>,
    signoff_from: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SuiteFile {
    /// Extra Cedar JSON entities, relative to the suite file.
    entities: Option<String>,
    defaults: Option<CaseFields>,
    #[serde(default)]
    case: Vec<Spanned<CaseFields>>,
    #[serde(default)]
    matrix: Vec<Spanned<Matrix>>,
}

/// One runnable case.
#[derive(Debug, Clone)]
pub struct Case {
    /// Name.
    pub name: String,
    /// 1-based line where it is defined.
    pub line: usize,
    /// The request.
    pub req: Req,
    /// Expected answer.
    pub expect: Verdict,
    /// Expected deciding policies (set-equal).
    pub reasons: Option<Vec<String>>,
    /// Expected erroring policies (set-equal).
    pub errors: Option<Vec<String>>,
    /// Expected sign-off alternatives (set-equal).
    pub signoff_from: Option<Vec<String>>,
}

/// A parsed suite.
#[derive(Debug)]
pub struct Suite {
    /// The file.
    pub source: Arc<SourceFile>,
    /// Extra entities file, relative to the suite.
    pub entities: Option<String>,
    /// Cases, matrices expanded, in file order.
    pub cases: Vec<Case>,
}

/// Parse a suite. Every problem is an error located in the file.
pub fn parse(source: &Arc<SourceFile>) -> Result<Suite, Vec<Diag>> {
    let file: SuiteFile = toml::from_str(&source.text).map_err(|e| {
        let d = Diag::error(Code::Suite, e.message().to_string())
            .with_help("see the README's `agentgate test` section for the suite format");
        vec![match e.span() {
            Some(s) => d.at(source, s),
            None => d.in_file(source),
        }]
    })?;
    let defaults = file.defaults.unwrap_or_default();
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for (i, spanned) in file.case.iter().enumerate() {
        let span = spanned.span();
        let c = merge(&defaults, spanned.get_ref());
        let at = |d: Diag| d.at(source, (span.start, header_len(&source.text, span.start)));
        let name = c.name.clone().unwrap_or_else(|| format!("case {}", i + 1));
        match build_case(&c, name) {
            Ok(mut case) => {
                case.line = source.line_col(span.start).0;
                cases.push(case);
            }
            Err(e) => errors.push(at(Diag::error(Code::Suite, e.to_string()))),
        }
    }
    for (i, spanned) in file.matrix.iter().enumerate() {
        let span = spanned.span();
        let m = spanned.get_ref();
        let at = |d: Diag| d.at(source, (span.start, header_len(&source.text, span.start)));
        let line = source.line_col(span.start).0;
        let base = m
            .name
            .clone()
            .unwrap_or_else(|| format!("matrix {}", i + 1));
        let principals = or_default(&m.principals, &defaults.principal);
        let actions = or_default(&m.actions, &defaults.action);
        let resources = or_default(&m.resources, &defaults.resource);
        if principals.is_empty() || actions.is_empty() || resources.is_empty() {
            errors.push(at(Diag::error(
                Code::Suite,
                format!("matrix `{base}` needs non-empty `principals`, `actions` and `resources` (or [defaults])"),
            )));
            continue;
        }
        for p in &principals {
            for a in &actions {
                for r in &resources {
                    let fields = CaseFields {
                        name: Some(format!("{base} [{p} {a} {r}]")),
                        principal: Some(p.clone()),
                        action: Some(a.clone()),
                        resource: Some(r.clone()),
                        kind: m.kind,
                        context: m.context.clone(),
                        signoff: m.signoff.clone(),
                        expect: m.expect,
                        reasons: m.reasons.clone(),
                        errors: m.errors.clone(),
                        signoff_from: m.signoff_from.clone(),
                    };
                    let c = merge(&defaults, &fields);
                    match build_case(&c, c.name.clone().unwrap_or_default()) {
                        Ok(mut case) => {
                            case.line = line;
                            cases.push(case);
                        }
                        Err(e) => errors.push(at(Diag::error(Code::Suite, e.to_string()))),
                    }
                }
            }
        }
    }
    // File order: [[case]] and [[matrix]] interleave as written.
    cases.sort_by_key(|c| c.line);
    let mut seen = std::collections::HashMap::new();
    for c in &cases {
        if let Some(first) = seen.insert(c.name.clone(), c.line) {
            let off = crate::diag::source_file::line_offset(&source.text, c.line);
            errors.push(
                Diag::error(
                    Code::Suite,
                    format!(
                        "two cases are named `{}` (lines {first} and {})",
                        c.name, c.line
                    ),
                )
                .at(source, (off, header_len(&source.text, off)))
                .with_help("give each case a unique name so failures can be told apart"),
            );
        }
    }
    if cases.is_empty() && errors.is_empty() {
        errors.push(
            Diag::error(Code::Suite, "the suite has no [[case]] or [[matrix]]").in_file(source),
        );
    }
    if errors.is_empty() {
        Ok(Suite {
            source: Arc::clone(source),
            entities: file.entities,
            cases,
        })
    } else {
        Err(errors)
    }
}

fn or_default(list: &[String], default: &Option<String>) -> Vec<String> {
    if list.is_empty() {
        default.iter().cloned().collect()
    } else {
        list.to_vec()
    }
}

fn header_len(text: &str, start: usize) -> usize {
    text.get(start..)
        .and_then(|r| r.find('\n'))
        .unwrap_or(0)
        .max(1)
}

fn merge(d: &CaseFields, c: &CaseFields) -> CaseFields {
    let context = match (&d.context, &c.context) {
        (Some(a), Some(b)) => {
            let mut m = a.clone();
            m.extend(b.clone());
            Some(m)
        }
        (a, b) => b.clone().or_else(|| a.clone()),
    };
    CaseFields {
        name: c.name.clone(),
        principal: c.principal.clone().or_else(|| d.principal.clone()),
        action: c.action.clone().or_else(|| d.action.clone()),
        resource: c.resource.clone().or_else(|| d.resource.clone()),
        kind: c.kind.or(d.kind),
        context,
        signoff: c.signoff.clone().or_else(|| d.signoff.clone()),
        expect: c.expect.or(d.expect),
        reasons: c.reasons.clone().or_else(|| d.reasons.clone()),
        errors: c.errors.clone().or_else(|| d.errors.clone()),
        signoff_from: c.signoff_from.clone().or_else(|| d.signoff_from.clone()),
    }
}

/// A case that cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CaseError {
    /// A required field is set neither in the case nor in `[defaults]`.
    #[error("case `{case}` has no `{key}` (set it in the case or in [defaults])")]
    Missing {
        /// The case.
        case: String,
        /// The field.
        key: &'static str,
    },
    /// The request is not understood.
    #[error("case `{case}`: {source}")]
    Request {
        /// The case.
        case: String,
        /// Why.
        source: crate::request::RequestError,
    },
}

fn build_case(c: &CaseFields, name: String) -> Result<Case, CaseError> {
    let need = |v: &Option<String>, key: &'static str| -> Result<String, CaseError> {
        v.clone().ok_or_else(|| CaseError::Missing {
            case: name.clone(),
            key,
        })
    };
    let spec = RequestSpec {
        principal: need(&c.principal, "principal")?,
        action: need(&c.action, "action")?,
        resource: need(&c.resource, "resource")?,
        kind: c.kind,
        context: c.context.clone().unwrap_or_default(),
        signoff: c.signoff.clone().unwrap_or_default(),
    };
    let req = spec.to_req().map_err(|source| CaseError::Request {
        case: name.clone(),
        source,
    })?;
    let expect = c
        .expect
        .ok_or_else(|| CaseError::Missing {
            case: name.clone(),
            key: "expect",
        })?
        .verdict();
    Ok(Case {
        req,
        name,
        line: 0,
        expect,
        reasons: c.reasons.clone(),
        errors: c.errors.clone(),
        signoff_from: c.signoff_from.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_matrix_and_lines() {
        let src = SourceFile::new(
            "s.toml",
            "[defaults]\nprincipal = \"agent:copilot\"\ncontext = { a = 1 }\n\n[[case]]\nname = \"one\"\naction = \"modify\"\nresource = \"src/x.rs\"\ncontext = { b = 2 }\nexpect = \"allow\"\n\n[[matrix]]\nname = \"m\"\nactions = [\"create\", \"delete\"]\nresources = [\"a\", \"b\"]\nexpect = \"deny\"\n",
        );
        let s = parse(&src).unwrap();
        assert_eq!(s.cases.len(), 5);
        assert_eq!(s.cases[0].line, 5);
        assert!(s.cases.windows(2).all(|w| w[0].line <= w[1].line));
        assert_eq!(s.cases[0].req.context.len(), 2);
        assert_eq!(s.cases[1].name, "m [agent:copilot create a]");
        assert_eq!(s.cases[1].line, 12);
    }

    #[test]
    fn typo_is_located() {
        let src = SourceFile::new("s.toml", "[[case]]\nname = \"x\"\nexpcet = \"allow\"\n");
        let e = parse(&src).unwrap_err();
        assert!(e[0].message.contains("expcet"), "{}", e[0].message);
        assert_eq!(e[0].line_col().unwrap().0, 3);
    }

    #[test]
    fn bad_values_are_located_at_their_case() {
        let src = SourceFile::new(
            "s.toml",
            "[[case]]\nname = \"ok\"\nprincipal = \"agent:a\"\naction = \"modify\"\nresource = \"x\"\nexpect = \"allow\"\n\n[[case]]\nname = \"bad\"\nprincipal = \"alice\"\naction = \"modify\"\nresource = \"x\"\nexpect = \"allow\"\n",
        );
        let e = parse(&src).unwrap_err();
        assert_eq!(e[0].line_col().unwrap().0, 8);
        assert!(e[0].message.contains("alice"));
        let src = SourceFile::new("s.toml", "[[case]]\nname = \"x\"\nexpect = \"maybe\"\n");
        let e = parse(&src).unwrap_err();
        assert_eq!(e[0].line_col().unwrap().0, 3);
    }
}
