//! Gate scenarios: a TOML file describing a base tree, commits (authors,
//! trailers, files written, deleted, renamed, chmodded, symlinked,
//! submodules), reviews, and the expected verdict. Each scenario becomes a
//! real temporary git repository (written with gix) whose base commit holds
//! the repository's own policy files, judged by the real gate. (The
//! format and the repository it becomes are one concern, so they share
//! this file, though it runs past 500 lines.)
//!
//! ```toml
//! description = "an agent edits CI without sign-off"
//! teams = { maintainers = ["alice"] }          # replaces [teams] of the config
//!
//! [base]
//! files = { ".github/workflows/ci.yml" = "on: push\n" }
//!
//! [[commit]]
//! author = "Copilot <198982749+Copilot@users.noreply.github.com>"
//! write = { ".github/workflows/ci.yml" = "on: [push, pull_request]\n" }
//!
//! [[review]]
//! login = "alice"                               # APPROVED on head by a User
//!
//! [expect]
//! verdict = "pass"
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::objs::tree::EntryKind;
use serde::Deserialize;
use toml::Spanned;

use crate::diag::source_file::SourceFile;
use crate::diag::{Code, Diag};
use crate::file_tree::Tree;
use crate::gate::signoff::{Review, ReviewUser};
use crate::gate::{self, GateInput, GateVerdict};
use crate::policy::PolicyStore;
use crate::policy::config::CONFIG_FILE;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    description: Option<String>,
    /// Replaces `[teams]` of the repository's config in the base commit.
    teams: Option<BTreeMap<String, Vec<String>>>,
    #[serde(default)]
    base: BaseSpec,
    #[serde(default)]
    commit: Vec<Spanned<CommitSpec>>,
    #[serde(default)]
    review: Vec<ReviewSpec>,
    expect: Spanned<ExpectSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaseSpec {
    #[serde(default)]
    files: BTreeMap<String, String>,
    /// Replace the whole `agentgate.toml` of the base commit.
    config: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommitSpec {
    author: Option<String>,
    committer: Option<String>,
    message: Option<String>,
    #[serde(default)]
    trailers: Vec<String>,
    #[serde(default)]
    write: BTreeMap<String, String>,
    #[serde(default)]
    delete: Vec<String>,
    #[serde(default)]
    rename: BTreeMap<String, String>,
    #[serde(default)]
    chmod: BTreeMap<String, String>,
    #[serde(default)]
    symlink: BTreeMap<String, String>,
    #[serde(default)]
    submodule: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewSpec {
    login: String,
    #[serde(rename = "type", default = "user")]
    kind: String,
    #[serde(default = "approved")]
    state: String,
    /// `head` (default), `base`, or a commit number (1 = first).
    #[serde(default)]
    on: Option<toml::Value>,
}

fn user() -> String {
    "User".into()
}
fn approved() -> String {
    "APPROVED".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectSpec {
    verdict: ExpectedVerdict,
    /// Set-equal: the union of `signoff_from` over the blocked changes.
    signoff_from: Option<Vec<String>>,
    /// Set-equal: the blocked paths.
    blocked: Option<Vec<String>>,
    /// Substring of the error message, with `verdict = "error"`.
    error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum ExpectedVerdict {
    Pass,
    Block,
    Error,
}

/// A parsed scenario.
#[derive(Debug)]
pub struct Scenario {
    /// Name shown in reports (its description, else the file name).
    pub name: String,
    /// Line of `[expect]`.
    pub line: usize,
    file: ScenarioFile,
}

/// Whether a TOML text is a scenario (it has `[expect]` and commits or a
/// base) rather than a suite.
pub fn is_scenario(text: &str) -> bool {
    match text.parse::<toml::Table>() {
        Ok(t) => t.contains_key("expect") && (t.contains_key("commit") || t.contains_key("base")),
        Err(_) => false,
    }
}

/// Parse a scenario file.
pub fn parse(source: &Arc<SourceFile>) -> Result<Scenario, Vec<Diag>> {
    let file: ScenarioFile = toml::from_str(&source.text).map_err(|e| {
        let d = Diag::error(Code::Scenario, e.message().to_string())
            .with_help("see the README's scenario format under `agentgate test`");
        vec![match e.span() {
            Some(s) => d.at(source, s),
            None => d.in_file(source),
        }]
    })?;
    let mut errors = Vec::new();
    for c in &file.commit {
        let span = c.span();
        let c = c.get_ref();
        for (p, mode) in &c.chmod {
            if mode != "+x" && mode != "-x" {
                errors.push(
                    Diag::error(
                        Code::Scenario,
                        format!("chmod {p:?} = {mode:?}: use \"+x\" or \"-x\""),
                    )
                    .at(source, (span.start, 1)),
                );
            }
        }
        for (p, sha) in &c.submodule {
            if sha.parse::<ObjectId>().is_err() {
                errors.push(
                    Diag::error(
                        Code::Scenario,
                        format!("submodule {p:?} = {sha:?}: not a 40-hex commit id"),
                    )
                    .at(source, (span.start, 1)),
                );
            }
        }
    }
    for r in &file.review {
        if let Some(on) = &r.on {
            let ok = match on {
                toml::Value::String(s) => s == "head" || s == "base",
                toml::Value::Integer(n) => *n >= 1 && (*n as usize) <= file.commit.len(),
                _ => false,
            };
            if !ok {
                errors.push(Diag::error(Code::Scenario, format!("review by {}: `on` must be \"head\", \"base\" or a commit number 1..{}", r.login, file.commit.len())).in_file(source));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let name = file
        .description
        .clone()
        .unwrap_or_else(|| source.name.clone());
    let line = source.line_col(file.expect.span().start).0;
    Ok(Scenario { name, line, file })
}

/// A scenario's repository could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// A step of making it failed.
    #[error("{what}: {source}")]
    Setup {
        /// The step.
        what: String,
        /// Why.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A commit changes a path that does not exist.
    #[error("commit {commit}: {what} of {path}, which does not exist")]
    Missing {
        /// The commit (1-based).
        commit: usize,
        /// `rename` or `chmod`.
        what: &'static str,
        /// The path.
        path: String,
    },
}

/// Map an error of step `what` to a [`ScenarioError`].
fn setup<E: std::error::Error + Send + Sync + 'static>(
    what: &str,
) -> impl FnOnce(E) -> ScenarioError + '_ {
    move |e| ScenarioError::Setup {
        what: what.to_string(),
        source: Box::new(e),
    }
}

/// The outcome of one scenario: `None` if it passed, else why not.
pub fn run(
    scenario: &Scenario,
    work: &dyn Tree,
    store: &PolicyStore,
) -> Result<Option<String>, ScenarioError> {
    let dir = tempfile::tempdir().map_err(setup("a temporary directory"))?;
    let repo = gix::init_bare(dir.path()).map_err(setup("git init"))?;
    let f = &scenario.file;

    // The base tree: the repository's policy set, then the scenario's files.
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut copy = |path: &str| -> Result<(), ScenarioError> {
        if let Some(bytes) = work.read(path).map_err(setup("the policy set"))? {
            files.insert(path.to_string(), bytes);
        }
        Ok(())
    };
    copy(&store.config.schema)?;
    for extra in &store.config.schemas {
        copy(extra)?;
    }
    for p in work
        .list(&store.config.policies)
        .map_err(setup("the policy directory"))?
    {
        copy(&p)?;
    }
    let config_text = match (&f.base.config, &f.teams) {
        (Some(text), _) => Some(text.clone()),
        (None, Some(teams)) => {
            let original = store
                .config_source
                .as_ref()
                .map(|s| s.text.to_string())
                .unwrap_or_default();
            let mut table: toml::Table = original.parse().map_err(setup(CONFIG_FILE))?;
            table.insert(
                "teams".into(),
                toml::Value::try_from(teams).map_err(setup("the scenario's teams"))?,
            );
            Some(toml::to_string(&table).map_err(setup(CONFIG_FILE))?)
        }
        (None, None) => store.config_source.as_ref().map(|s| s.text.to_string()),
    };
    if let Some(t) = config_text {
        files.insert(CONFIG_FILE.to_string(), t.into_bytes());
    }
    for (p, content) in &f.base.files {
        files.insert(p.clone(), content.clone().into_bytes());
    }
    let git = |e: gix::Error| ScenarioError::Setup {
        what: "git".into(),
        source: Box::new(e),
    };
    let mut editor = repo
        .edit_tree(ObjectId::empty_tree(repo.object_hash()))
        .map_err(git)?;
    for (p, bytes) in &files {
        let blob = repo.write_blob(bytes).map_err(git)?;
        editor
            .upsert(p.as_str(), EntryKind::Blob, blob)
            .map_err(git)?;
    }
    let base_tree = editor.write().map_err(git)?.detach();
    let sig = |s: &str, t: u64| -> (String, String, String) {
        let p = crate::git::Person::parse(s);
        (p.name, p.email, format!("{} +0000", 1_700_000_000 + t))
    };
    let commit = |who: &(String, String, String),
                  by: &(String, String, String),
                  msg: &str,
                  tree: ObjectId,
                  parents: Vec<ObjectId>,
                  reference: &str|
     -> Result<ObjectId, ScenarioError> {
        let author = gix::actor::SignatureRef {
            name: who.0.as_bytes().as_bstr(),
            email: who.1.as_bytes().as_bstr(),
            time: &who.2,
        };
        let committer = gix::actor::SignatureRef {
            name: by.0.as_bytes().as_bstr(),
            email: by.1.as_bytes().as_bstr(),
            time: &by.2,
        };
        repo.commit_as(committer, author, reference, msg, tree, parents)
            .map(|id| id.detach())
            .map_err(setup("git commit"))
    };
    let base_sig = sig("Base Maintainer <base@example.com>", 0);
    let base = commit(
        &base_sig,
        &base_sig,
        "base",
        base_tree,
        vec![],
        "refs/heads/main",
    )?;

    let mut ids = Vec::new();
    let mut tree = base_tree;
    let mut parent = base;
    for (i, spanned) in f.commit.iter().enumerate() {
        let c = spanned.get_ref();
        let mut ed = repo.edit_tree(tree).map_err(git)?;
        let current = repo.find_tree(tree).map_err(git)?;
        for (p, content) in &c.write {
            let kind = match current.lookup_entry_by_path(p) {
                Ok(Some(e)) if e.mode().is_executable() => EntryKind::BlobExecutable,
                _ => EntryKind::Blob,
            };
            let blob = repo.write_blob(content.as_bytes()).map_err(git)?;
            ed.upsert(p.as_str(), kind, blob).map_err(git)?;
        }
        for p in &c.delete {
            ed.remove(p.as_str()).map_err(git)?;
        }
        for (from, to) in &c.rename {
            let entry = current
                .lookup_entry_by_path(from)
                .map_err(git)?
                .ok_or_else(|| ScenarioError::Missing {
                    commit: i + 1,
                    what: "rename",
                    path: from.clone(),
                })?;
            ed.remove(from.as_str()).map_err(git)?;
            ed.upsert(to.as_str(), entry.mode().kind(), entry.object_id())
                .map_err(git)?;
        }
        for (p, mode) in &c.chmod {
            let entry = current
                .lookup_entry_by_path(p)
                .map_err(git)?
                .ok_or_else(|| ScenarioError::Missing {
                    commit: i + 1,
                    what: "chmod",
                    path: p.clone(),
                })?;
            let kind = if mode == "+x" {
                EntryKind::BlobExecutable
            } else {
                EntryKind::Blob
            };
            ed.upsert(p.as_str(), kind, entry.object_id())
                .map_err(git)?;
        }
        for (p, target) in &c.symlink {
            let blob = repo.write_blob(target.as_bytes()).map_err(git)?;
            ed.upsert(p.as_str(), EntryKind::Link, blob).map_err(git)?;
        }
        for (p, sha) in &c.submodule {
            let id: ObjectId = sha
                .parse()
                .map_err(setup(&format!("the submodule id of {p}")))?;
            ed.upsert(p.as_str(), EntryKind::Commit, id).map_err(git)?;
        }
        tree = ed.write().map_err(git)?.detach();
        let author = sig(
            c.author
                .as_deref()
                .unwrap_or("Alice Human <alice@example.com>"),
            i as u64 + 1,
        );
        let committer = match &c.committer {
            Some(s) => sig(s, i as u64 + 1),
            None => author.clone(),
        };
        let mut message = c
            .message
            .clone()
            .unwrap_or_else(|| format!("commit {}", i + 1));
        if !c.trailers.is_empty() {
            message = format!("{}\n\n{}\n", message.trim_end(), c.trailers.join("\n"));
        }
        parent = commit(
            &author,
            &committer,
            &message,
            tree,
            vec![parent],
            "refs/heads/pr",
        )?;
        ids.push(parent);
    }
    let head = parent;

    let reviews: Vec<Review> = f
        .review
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let on = match &r.on {
                None => head,
                Some(toml::Value::String(s)) if s == "base" => base,
                Some(toml::Value::Integer(n)) => ids
                    .get((*n as usize).saturating_sub(1))
                    .copied()
                    .unwrap_or(head),
                _ => head,
            };
            Review {
                id: Some(i as u64 + 1),
                user: Some(ReviewUser {
                    login: r.login.clone(),
                    kind: Some(r.kind.clone()),
                }),
                state: r.state.clone(),
                commit_id: Some(on.to_string()),
                submitted_at: Some(format!("2025-01-01T00:00:{:02}Z", i.min(59))),
            }
        })
        .collect();

    let input = GateInput {
        base: base.to_string(),
        head: head.to_string(),
        ..GateInput::default()
    };
    let expect = f.expect.get_ref();
    let report = match gate::run(dir.path(), &input, &gate::Offline { reviews }) {
        Ok(r) => r,
        Err(e) => {
            let msg = e.to_string();
            return Ok(match (expect.verdict, &expect.error) {
                (ExpectedVerdict::Error, Some(want)) if !msg.contains(want.as_str()) => {
                    Some(format!("expected an error containing {want:?}, got: {msg}"))
                }
                (ExpectedVerdict::Error, _) => None,
                _ => Some(format!("the gate failed: {msg}")),
            });
        }
    };
    let mut problems = Vec::new();
    let got = match report.verdict {
        GateVerdict::Pass => ExpectedVerdict::Pass,
        GateVerdict::Block => ExpectedVerdict::Block,
    };
    if got != expect.verdict {
        let why: Vec<String> = report
            .blocked
            .iter()
            .map(|b| format!("{} {} ({})", b.action, b.path, b.policies.join(", ")))
            .collect();
        problems.push(format!(
            "expected {:?}, got {:?}{}",
            expect.verdict,
            got,
            if why.is_empty() {
                String::new()
            } else {
                format!(": blocked {}", why.join("; "))
            }
        ));
    }
    if let Some(want) = &expect.signoff_from {
        let w: BTreeSet<&String> = want.iter().collect();
        let g: BTreeSet<&String> = report
            .blocked
            .iter()
            .flat_map(|b| &b.signoff_from)
            .collect();
        if w != g {
            problems.push(format!("expected sign-off from {w:?}, got {g:?}"));
        }
    }
    if let Some(want) = &expect.blocked {
        let w: BTreeSet<&String> = want.iter().collect();
        let g: BTreeSet<&String> = report.blocked.iter().map(|b| &b.path).collect();
        if w != g {
            problems.push(format!("expected blocked paths {w:?}, got {g:?}"));
        }
    }
    Ok(if problems.is_empty() {
        None
    } else {
        Some(problems.join("; "))
    })
}
