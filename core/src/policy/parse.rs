//! Parsing one `.cedar` file into policies that know where they came from:
//! id (from `@id`, else Cedar's own `policyN` numbering over the
//! concatenation of all files), file, line, the comment above them (their
//! intent) and their effect.

use std::sync::Arc;

use cedar_policy::{Effect, Policy, PolicyId};
use cedar_policy_core::parser::text_to_cst;
use miette::SourceSpan;

use crate::diag::source_file::SourceFile;
use crate::diag::{Code, Diag, Severity};

/// Where a policy is defined and what it is for.
#[derive(Debug, Clone)]
pub struct PolicyMeta {
    /// The policy id (from `@id`, or `policyN`).
    pub id: String,
    /// The file it is in (`None` for built-in policies).
    pub source: Option<Arc<SourceFile>>,
    /// Display name of its origin: a file path, or `<built-in>`.
    pub origin: String,
    /// Byte span of the whole policy in its file.
    pub span: SourceSpan,
    /// 1-based line of the policy's first token (its first annotation).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The comment directly above it (or its `@intent` annotation), one line.
    pub intent: Option<String>,
    /// permit or forbid.
    pub effect: Effect,
    /// Part of agentgate itself (the floor), not of the user's files.
    pub builtin: bool,
    /// Whether the id came from an `@id` annotation.
    pub explicit_id: bool,
}

impl PolicyMeta {
    /// `file:line` for reports.
    pub fn location(&self) -> String {
        if self.builtin {
            self.origin.clone()
        } else {
            format!("{}:{}", self.origin, self.line)
        }
    }
}

/// Policies parsed from one file.
#[derive(Debug)]
pub struct ParsedFile {
    /// Policies in file order, with their metadata.
    pub policies: Vec<(Policy, PolicyMeta)>,
    /// Non-fatal findings (a missing `@id`, an ignored template).
    pub warnings: Vec<Diag>,
    /// How many policies and templates the file holds: the next file's
    /// `policyN` numbering starts after them, as Cedar would number the
    /// concatenation of the files.
    pub count: usize,
}

/// Parse `source`; un-annotated policies are numbered from `first_index`.
pub fn parse_file(
    source: &Arc<SourceFile>,
    first_index: usize,
    builtin: bool,
) -> Result<ParsedFile, Vec<Diag>> {
    let text: &str = &source.text;
    let to_diags = |errs: cedar_policy_core::parser::err::ParseErrors| -> Vec<Diag> {
        errs.iter()
            .map(|e| Diag::from_miette(e, Severity::Error, Code::CedarParse, Some(source)))
            .collect()
    };
    let cst = text_to_cst::parse_policies(text).map_err(to_diags)?;
    let ast = cst.to_policyset().map_err(to_diags)?;
    let nodes: Vec<_> = cst
        .with_generated_policyids()
        .map_err(to_diags)?
        .map(|(id, node)| (id, node.loc.as_ref().map(|l| l.span)))
        .collect();

    let mut out = ParsedFile {
        policies: Vec::new(),
        warnings: Vec::new(),
        count: nodes.len(),
    };
    for (index, (local_id, span)) in nodes.into_iter().enumerate() {
        let span = span.unwrap_or_else(|| SourceSpan::new(0.into(), 0));
        let Some(ast_policy) = ast.get(&local_id) else {
            // A template: nothing links it, so it never applies (as in Cedar
            // without a links file). Say so rather than drop it silently.
            out.warnings.push(
                Diag::warning(
                    Code::TemplateIgnored,
                    "this is a policy template; agentgate does not link templates, so it never applies",
                )
                .at(source, span)
                .with_help("write a static policy instead (replace ?principal / ?resource)"),
            );
            continue;
        };
        let policy = Policy::from(ast_policy.clone());
        let (id, explicit_id) = match policy.annotation("id") {
            Some(a) => {
                let v = a.to_string();
                if v.trim().is_empty() {
                    return Err(vec![
                        Diag::error(Code::EmptyId, "`@id` is empty")
                            .at(source, span)
                            .with_help(
                                "give the policy a short unique name: @id(\"agents-edit-docs\")",
                            ),
                    ]);
                }
                (v, true)
            }
            None => (format!("policy{}", first_index + index), false),
        };
        let (line, column) = source.line_col(span.offset());
        if !explicit_id && !builtin {
            out.warnings.push(
                Diag::warning(
                    Code::MissingId,
                    format!("policy has no @id; it is called `{id}`, which changes when policies are added or moved"),
                )
                .at(source, (span.offset(), first_token_len(text, span.offset())))
                .with_help("add @id(\"a-stable-name\") above it"),
            );
        }
        let intent = policy
            .annotation("intent")
            .map(str::to_string)
            .or_else(|| comment_above(text, span.offset()));
        let policy = policy.new_id(PolicyId::new(&id));
        let meta = PolicyMeta {
            id,
            source: Some(Arc::clone(source)),
            origin: source.name.clone(),
            span,
            line,
            column,
            intent,
            effect: policy.effect(),
            builtin,
            explicit_id,
        };
        out.policies.push((policy, meta));
    }
    Ok(out)
}

fn first_token_len(text: &str, offset: usize) -> usize {
    text.get(offset..)
        .and_then(|rest| rest.find(|c: char| c.is_whitespace() || c == '('))
        .unwrap_or(0)
        .max(1)
}

/// The `//` comment lines directly above `offset` (no blank line between),
/// joined into one line. Separator lines (`// ----`) are skipped.
pub fn comment_above(text: &str, offset: usize) -> Option<String> {
    let before = text.get(..offset)?;
    let mut lines: Vec<&str> = before.lines().collect();
    // The policy starts at `offset`; the line it starts on may hold nothing
    // before it but whitespace.
    if !before.ends_with('\n') {
        match lines.pop() {
            Some(l) if l.trim().is_empty() => {}
            Some(_) => return None,
            None => return None,
        }
    }
    let mut comments = Vec::new();
    while let Some(l) = lines.pop() {
        let t = l.trim();
        match t.strip_prefix("//") {
            Some(c) => comments.push(c.trim()),
            None => break,
        }
    }
    comments.reverse();
    let text: Vec<&str> = comments
        .into_iter()
        .filter(|c| !c.is_empty() && !c.chars().all(|ch| "-=*#/ ".contains(ch)))
        .collect();
    if text.is_empty() {
        None
    } else {
        Some(text.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_lines_and_intents() {
        let src = SourceFile::new(
            "p.cedar",
            "// header\n\n// Agents may read.\n@id(\"read\")\npermit (principal, action, resource);\n\nforbid (principal, action, resource);\n",
        );
        let f = parse_file(&src, 3, false).unwrap();
        assert_eq!(f.count, 2);
        let (p0, m0) = &f.policies[0];
        assert_eq!(p0.id().to_string(), "read");
        assert_eq!(m0.line, 4);
        assert_eq!(m0.intent.as_deref(), Some("Agents may read."));
        let (p1, m1) = &f.policies[1];
        assert_eq!(p1.id().to_string(), "policy4");
        assert_eq!(m1.line, 7);
        assert!(m1.intent.is_none());
        assert_eq!(f.warnings.len(), 1);
        assert_eq!(f.warnings[0].line_col().unwrap().0, 7);
    }

    #[test]
    fn syntax_error_is_located() {
        let src = SourceFile::new(
            "bad.cedar",
            "permit (principal, action, resource)\nwhen { principal.x == };\n",
        );
        let errs = parse_file(&src, 0, false).unwrap_err();
        assert!(!errs.is_empty());
        assert_eq!(errs[0].file(), Some("bad.cedar"));
        assert_eq!(errs[0].line_col().unwrap().0, 2);
    }

    #[test]
    fn templates_warn() {
        let src = SourceFile::new(
            "t.cedar",
            "permit (principal == ?principal, action, resource);\n",
        );
        let f = parse_file(&src, 0, false).unwrap();
        assert!(f.policies.is_empty());
        assert_eq!(f.count, 1);
        assert!(f.warnings[0].message.contains("template"));
    }
}
