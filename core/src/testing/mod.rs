//! `agentgate test`: find test files, run each in its format, and measure
//! policy coverage (the share of the repository's policies that determined
//! at least one decision).
//!
//! Formats, told apart by content:
//! - `.toml` with `[[case]]`/`[[matrix]]`: agentgate suites ([`suite`]);
//! - `.toml` with `[expect]` and `[[commit]]`s: gate scenarios, each a real
//!   temporary git repository judged by the real gate ([`scenario`]);
//! - `.json` array of `{request, ...}`: `cedar run-tests` files ([`cedar`]);
//! - `.json` object with `requests` and `shouldValidate`:
//!   cedar-integration-tests files ([`cedar`]).

pub mod cedar;
mod discover;
mod results;
pub mod scenario;
pub mod suite;

pub use discover::{Parsed, TestFile, discover, parse_all};
pub use results::{CaseResult, Coverage, FileKind, FileResult, Status, TestRun, Uncovered};

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use cedar_policy::Entities;
use globset::{Glob, GlobMatcher};
use serde_json::Value;

use crate::decide::{Decider, Probe};
use crate::diag::{Code, Diag, Diags};
use crate::policy::PolicyStore;
use crate::request::Builder;

/// Options of a run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Only cases whose name matches this glob.
    pub filter: Option<String>,
    /// Root for cedar-integration-tests relative paths.
    pub cedar_root: Option<PathBuf>,
    /// The repository whose policy files scenarios put in their base commit.
    pub repo_root: Option<PathBuf>,
    /// Why the repository's policy set cannot be used (it does not
    /// validate): every suite and scenario case is then an error saying so,
    /// and Cedar's `run-tests` cases error by Cedar's own validation.
    pub invalid_policies: Option<String>,
}

/// Run the files. `store` is required when any file needs it. Files run in
/// parallel where cores allow; results come back in the files' order.
pub fn run(
    store: Option<&PolicyStore>,
    files: &[TestFile],
    opts: &RunOptions,
) -> Result<TestRun, Diags> {
    let parsed_files = parse_all(files)?;
    let filter: Option<GlobMatcher> = match &opts.filter {
        Some(g) => Some(
            Glob::new(g)
                .map_err(|e| Diag::error(Code::Usage, format!("--filter {g:?}: {e}")))?
                .compile_matcher(),
        ),
        None => None,
    };
    let keep = |name: &str| filter.as_ref().is_none_or(|m| m.is_match(name));
    let jobs: Vec<(&TestFile, Parsed)> = files.iter().zip(parsed_files).collect();
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len())
        .max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut mine = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some((file, parsed)) = jobs.get(i) else {
                break;
            };
            mine.push((i, run_file(store, file, parsed, opts, &keep)));
        }
        mine
    };
    let mut done: Vec<(usize, FileOutcome)> = if workers <= 1 {
        work()
    } else {
        let work = &work;
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers).map(|_| scope.spawn(work)).collect();
            handles
                .into_iter()
                .flat_map(|h| {
                    h.join().unwrap_or_else(|_| {
                        vec![(
                            usize::MAX,
                            Err(Diag::error(
                                Code::Internal,
                                "a test worker failed internally (a bug: please report it)",
                            )
                            .into()),
                        )]
                    })
                })
                .collect()
        })
    };
    done.sort_by_key(|(i, _)| *i);
    let mut touched: BTreeSet<String> = BTreeSet::new();
    let mut tested_store = false;
    let mut results = Vec::new();
    for (_, outcome) in done {
        let (result, t, tested) = outcome?;
        touched.extend(t);
        tested_store |= tested;
        results.push(result);
    }
    let coverage = match (store, tested_store) {
        (Some(store), true) => Some(coverage(store, &touched)),
        _ => None,
    };
    Ok(TestRun {
        files: results,
        coverage,
    })
}

/// One file's result, the policies it touched, whether it tested the store.
type FileOutcome = Result<(FileResult, BTreeSet<String>, bool), Diags>;

/// Run one test file.
fn run_file(
    store: Option<&PolicyStore>,
    file: &TestFile,
    parsed: &Parsed,
    opts: &RunOptions,
    keep: &(dyn Fn(&str) -> bool + Sync),
) -> FileOutcome {
    let mut touched: BTreeSet<String> = BTreeSet::new();
    let mut tested_store = false;
    let mut cases = Vec::new();
    match file.kind {
        FileKind::Scenario => {
            let (Some(store), Parsed::Scenario(sc)) = (store, parsed) else {
                return Err(missing_store(file));
            };
            if let Some(why) = &opts.invalid_policies {
                if keep(&sc.name) {
                    cases.push(unusable(&sc.name, &file.display, Some(sc.line), why));
                }
                return Ok((
                    FileResult {
                        file: file.display.clone(),
                        kind: file.kind,
                        cases,
                    },
                    touched,
                    tested_store,
                ));
            }
            let root = opts.repo_root.clone().unwrap_or_else(|| PathBuf::from("."));
            let work = crate::file_tree::DirTree::new(root);
            if keep(&sc.name) {
                let start = Instant::now();
                let (status, message) = match scenario::run(sc, &work, store) {
                    Ok(None) => (Status::Pass, None),
                    Ok(Some(m)) => (Status::Fail, Some(m)),
                    Err(m) => (Status::Error, Some(format!("cannot run the scenario: {m}"))),
                };
                cases.push(CaseResult {
                    name: sc.name.clone(),
                    file: file.display.clone(),
                    line: Some(sc.line),
                    status,
                    message,
                    expected: None,
                    actual: None,
                    policies: Vec::new(),
                    seconds: start.elapsed().as_secs_f64(),
                });
            }
        }
        FileKind::Suite => {
            let (Some(store), Parsed::Suite(suite)) = (store, parsed) else {
                return Err(missing_store(file));
            };
            tested_store = true;
            if let Some(why) = &opts.invalid_policies {
                for case in suite.cases.iter().filter(|c| keep(&c.name)) {
                    cases.push(unusable(&case.name, &file.display, Some(case.line), why));
                }
                return Ok((
                    FileResult {
                        file: file.display.clone(),
                        kind: file.kind,
                        cases,
                    },
                    touched,
                    tested_store,
                ));
            }
            let extra = match &suite.entities {
                Some(rel) => load_extra(store, file, rel)?,
                None => Vec::new(),
            };
            let decider = Decider::new(Builder::with_extra(store, extra));
            for case in suite.cases.iter().filter(|c| keep(&c.name)) {
                let r = run_case(&decider, case, &file.display, &mut touched);
                cases.push(r);
            }
        }
        FileKind::CedarRunTests => {
            let Some(store) = store else {
                return Err(missing_store(file));
            };
            tested_store = true;
            let dir = dir_of(&file.path);
            for r in cedar::run_tests(&file.text, &store.user_policies, &store.schema, dir) {
                touched.extend(r.reasons.iter().cloned());
                if keep(&r.name) {
                    cases.push(cedar_result(r, &file.display));
                }
            }
        }
        FileKind::CedarIntegration => {
            let json: Value = serde_json::from_str(&file.text).unwrap_or(Value::Null);
            for r in cedar::run_integration(&json, &file.path, opts.cedar_root.as_deref()) {
                if keep(&r.name) {
                    cases.push(cedar_result(r, &file.display));
                }
            }
        }
    }
    Ok((
        FileResult {
            file: file.display.clone(),
            kind: file.kind,
            cases,
        },
        touched,
        tested_store,
    ))
}

/// The directory a test file's relative paths start from (`.` for a bare
/// file name, whose parent is the empty path).
fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A case that cannot run because the policy set does not validate.
fn unusable(name: &str, file: &str, line: Option<usize>, why: &str) -> CaseResult {
    CaseResult {
        name: name.to_string(),
        file: file.to_string(),
        line,
        status: Status::Error,
        message: Some(why.to_string()),
        expected: None,
        actual: None,
        policies: Vec::new(),
        seconds: 0.0,
    }
}

fn missing_store(file: &TestFile) -> Diags {
    Diag::error(
        Code::NoPolicies,
        format!(
            "{} tests the repository's policies, but none were loaded",
            file.display
        ),
    )
    .into()
}

fn load_extra(
    store: &PolicyStore,
    file: &TestFile,
    rel: &str,
) -> Result<Vec<cedar_policy::Entity>, Diags> {
    let path = dir_of(&file.path).join(rel);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Diag::error(
            Code::Suite,
            format!("{}: entities file {}: {e}", file.display, path.display()),
        )
    })?;
    let ents = Entities::from_json_str(&text, Some(&store.schema)).map_err(|e| {
        Diag::error(
            Code::Suite,
            format!(
                "{}: entities file {} does not conform to the schema: {e}",
                file.display,
                path.display()
            ),
        )
    })?;
    Ok(ents.iter().cloned().collect())
}

fn run_case(
    decider: &Decider<'_>,
    case: &suite::Case,
    file: &str,
    touched: &mut BTreeSet<String>,
) -> CaseResult {
    let start = Instant::now();
    let probe = if case.signoff_from.is_some() {
        Probe::SignOff
    } else {
        Probe::Off
    };
    let mut result = CaseResult {
        name: case.name.clone(),
        file: file.to_string(),
        line: Some(case.line),
        status: Status::Pass,
        message: None,
        expected: Some(case.expect.as_str().to_string()),
        actual: None,
        policies: Vec::new(),
        seconds: 0.0,
    };
    match decider.answer(&case.req, probe) {
        Err(e) => {
            result.status = Status::Error;
            result.message = Some(format!("cannot evaluate: {e}"));
        }
        Ok(answer) => {
            touched.extend(answer.touched.iter().cloned());
            result.actual = Some(answer.decision.as_str().to_string());
            result.policies = answer.policies.clone();
            let mut problems = Vec::new();
            if answer.decision != case.expect {
                problems.push(format!(
                    "expected {}, got {} ({})",
                    case.expect.as_str(),
                    answer.decision.as_str(),
                    describe_policies(&answer.policies)
                ));
            }
            if let Some(want) = &case.reasons {
                let w: BTreeSet<&String> = want.iter().collect();
                let g: BTreeSet<&String> = answer.policies.iter().collect();
                if w != g {
                    problems.push(format!("expected deciding policies {w:?}, got {g:?}"));
                }
            }
            if let Some(want) = &case.errors {
                let w: BTreeSet<&String> = want.iter().collect();
                let g: BTreeSet<&String> = answer.errors.iter().map(|e| &e.policy).collect();
                if w != g {
                    problems.push(format!("expected erroring policies {w:?}, got {g:?}"));
                }
            }
            if let Some(want) = &case.signoff_from {
                let w: BTreeSet<&String> = want.iter().collect();
                let got = answer.signoff_from.clone().unwrap_or_default();
                let g: BTreeSet<&String> = got.iter().collect();
                if w != g {
                    problems.push(format!("expected sign-off from {w:?}, got {g:?}"));
                }
            }
            if !problems.is_empty() {
                result.status = Status::Fail;
                result.message = Some(problems.join("; "));
            }
        }
    }
    result.seconds = start.elapsed().as_secs_f64();
    result
}

fn describe_policies(p: &[String]) -> String {
    if p.is_empty() {
        "no policy applied: denied by default".into()
    } else {
        format!("decided by {}", p.join(", "))
    }
}

fn cedar_result(r: cedar::CedarTestResult, file: &str) -> CaseResult {
    CaseResult {
        name: r.name,
        file: file.to_string(),
        line: None,
        status: match (&r.failure, r.errored) {
            (None, _) => Status::Pass,
            (Some(_), true) => Status::Error,
            (Some(_), false) => Status::Fail,
        },
        message: r.failure,
        expected: r.expected,
        actual: r.actual,
        policies: r.reasons,
        seconds: r.seconds,
    }
}

/// Coverage of the store's own policies by the ids in `touched`.
pub fn coverage(store: &PolicyStore, touched: &BTreeSet<String>) -> Coverage {
    let metas = store.user_meta();
    let mut covered = Vec::new();
    let mut uncovered = Vec::new();
    for m in &metas {
        if touched.contains(&m.id) {
            covered.push(m.id.clone());
        } else {
            uncovered.push(Uncovered {
                id: m.id.clone(),
                file: m.origin.clone(),
                line: m.line,
            });
        }
    }
    let total = metas.len();
    let percent = if total == 0 {
        100.0
    } else {
        (covered.len() as f64) * 100.0 / (total as f64)
    };
    Coverage {
        percent,
        total,
        covered,
        uncovered,
    }
}
