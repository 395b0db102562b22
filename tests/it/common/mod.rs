//! Helpers for integration tests: run the real `agentgate` binary, make real
//! git repositories in temporary directories.

#![allow(dead_code)]

pub mod fake_github;
pub mod github_run;
pub mod release_server;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Output of a process.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// stdout parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// stdout and stderr together.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// Path of the binary under test.
///
/// `AGENTGATE_TEST_BIN` runs the suite against another build instead (an
/// older one, to see a test written as an attack fail without its fix).
pub fn bin() -> PathBuf {
    match std::env::var_os("AGENTGATE_TEST_BIN") {
        Some(other) => PathBuf::from(other),
        None => PathBuf::from(env!("CARGO_BIN_EXE_agentgate")),
    }
}

/// The repository this test suite ships in.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run agentgate in `dir`.
pub fn agentgate(dir: &Path, args: &[&str]) -> Out {
    agentgate_stdin(dir, args, None)
}

/// Run agentgate in `dir`, feeding `stdin`.
pub fn agentgate_stdin(dir: &Path, args: &[&str], stdin: Option<&str>) -> Out {
    run(agentgate_cmd().args(args).current_dir(dir), stdin)
}

/// The agentgate binary as a command, without the markers of the CI run
/// the tests themselves may be in (`CI`, `GITHUB_ACTIONS`): an unattended
/// run turns every confirmation into a deny, so a test that wants one sets
/// them itself.
pub fn agentgate_cmd() -> Command {
    let mut cmd = Command::new(bin());
    cmd.env_remove("CI").env_remove("GITHUB_ACTIONS");
    cmd
}

/// Run a command, feeding `stdin`, and collect its output.
pub fn run(cmd: &mut Command, stdin: Option<&str>) -> Out {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .env("NO_COLOR", "1");
    // No ambient token leaks into a test, unless the test sets one.
    if !cmd.get_envs().any(|(k, _)| k == "GITHUB_TOKEN") {
        cmd.env_remove("GITHUB_TOKEN");
    }
    let mut child = cmd.spawn().expect("spawn");
    if let Some(s) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(s.as_bytes()).expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Run git in `dir`, asserting success; returns stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = run(
        Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_SYSTEM", "/dev/null"),
        None,
    );
    assert_eq!(out.code, 0, "git {args:?} failed: {}", out.stderr);
    out.stdout
}

/// A fresh git repository with an identity configured.
pub fn git_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["config", "user.name", "Alice Human"]);
    git(dir.path(), &["config", "user.email", "alice@example.com"]);
    git(dir.path(), &["config", "commit.gpgsign", "false"]);
    dir
}

/// A git repository scaffolded by `agentgate init` (not committed).
pub fn init_repo() -> tempfile::TempDir {
    let dir = git_repo();
    let out = agentgate(dir.path(), &["init"]);
    assert_eq!(out.code, 0, "init failed: {}", out.all());
    dir
}

/// Write a file (creating directories).
pub fn write(dir: &Path, rel: &str, contents: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, contents).expect("write");
}

/// Every file under `dir` (except .git) with its contents, sorted.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir") {
            let e = e.expect("entry");
            let p = e.path();
            if p.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).expect("prefix").display().to_string();
                out.push((rel, std::fs::read(&p).expect("read")));
            }
        }
    }
    out.sort();
    out
}

/// Commit everything staged/changed in `dir` with the given author and
/// committer (`Name <email>`), returning the new commit id.
pub fn commit_as(dir: &Path, author: &str, committer: &str, message: &str) -> String {
    git(dir, &["add", "-A"]);
    commit_index_as(dir, author, committer, message)
}

/// Commit the index as it is (no `git add`), for plumbing-made entries.
pub fn commit_index_as(dir: &Path, author: &str, committer: &str, message: &str) -> String {
    let split = |s: &str| -> (String, String) {
        let (n, e) = s.rsplit_once('<').expect("Name <email>");
        (n.trim().to_string(), e.trim_end_matches('>').to_string())
    };
    let (an, ae) = split(author);
    let (cn, ce) = split(committer);
    let out = run(
        Command::new("git")
            .args(["commit", "-q", "--allow-empty", "-m", message])
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", an)
            .env("GIT_AUTHOR_EMAIL", ae)
            .env("GIT_COMMITTER_NAME", cn)
            .env("GIT_COMMITTER_EMAIL", ce),
        None,
    );
    assert_eq!(out.code, 0, "commit failed: {}", out.all());
    git(dir, &["rev-parse", "HEAD"]).trim().to_string()
}

/// Identities used across gate tests.
pub const COPILOT: &str = "Copilot <198982749+Copilot@users.noreply.github.com>";
pub const GITHUB: &str = "GitHub <noreply@github.com>";
pub const ALICE: &str = "Alice Human <alice@example.com>";
pub const BOB: &str = "Bob Human <bob@example.com>";

/// A repository made by `agentgate init`, with `maintainers = ["alice"]`,
/// a workflow and a source file, committed as the base on `main`; `pr` is
/// checked out at the same commit. Returns (dir, base id).
pub fn gate_repo() -> (tempfile::TempDir, String) {
    let dir = init_repo();
    let cfg = std::fs::read_to_string(dir.path().join("agentgate.toml")).unwrap();
    std::fs::write(
        dir.path().join("agentgate.toml"),
        cfg.replace("maintainers = []", "maintainers = [\"alice\"]"),
    )
    .unwrap();
    write(dir.path(), ".github/workflows/ci.yml", "on: push\n");
    write(dir.path(), "src/main.rs", "fn main() {}\n");
    let base = commit_as(dir.path(), ALICE, ALICE, "base");
    git(dir.path(), &["checkout", "-q", "-b", "pr"]);
    (dir, base)
}

/// A reviews file (GitHub's shape) in `dir`; each entry is
/// (login, type, state, commit id, submitted_at).
pub fn reviews_file(dir: &Path, reviews: &[(&str, &str, &str, &str, &str)]) -> PathBuf {
    let v: Vec<serde_json::Value> = reviews
        .iter()
        .enumerate()
        .map(|(i, (login, kind, state, commit, at))| {
            serde_json::json!({
                "id": i + 1,
                "user": {"login": login, "type": kind},
                "state": state,
                "commit_id": commit,
                "submitted_at": at,
            })
        })
        .collect();
    let p = dir.join(format!("reviews-{}.json", std::process::id()));
    std::fs::write(&p, serde_json::to_string(&v).unwrap()).unwrap();
    p
}

/// Judge `base..head` both ways a team runs the gate, and insist they agree:
/// `agentgate gate --format json` (returned), and `agentgate github` on the
/// same pull request against a fake GitHub serving the same reviews. Every
/// gate case written with this helper is a case of both entry points.
pub fn gate_cli_and_github(dir: &Path, base: &str, head: &str, signoffs: Option<&Path>) -> Out {
    let mut args = vec!["gate", "--base", base, "--head", head, "--format", "json"];
    let s;
    if let Some(p) = signoffs {
        s = p.to_str().unwrap().to_string();
        args.extend(["--signoffs", s.as_str()]);
    }
    let out = agentgate(dir, &args);
    // The same pull request through `agentgate github` and a fake GitHub
    // must get the same verdict: every gate test is also a test of the
    // GitHub path.
    let reviews = match signoffs {
        None => Some(Vec::new()),
        Some(p) => github_run::reviews_from_file(p),
    };
    if let Some(reviews) = reviews {
        let mirrored = github_run::mirror(dir, base, head, reviews);
        github_run::assert_same_verdict(&out, &mirrored);
    }
    out
}

/// Run git with `author` and `committer` (`Name <email>`) as the identities
/// of any commit it makes; returns stdout.
pub fn git_as(dir: &Path, author: &str, committer: &str, args: &[&str]) -> String {
    let split = |s: &str| -> (String, String) {
        let (n, e) = s.rsplit_once('<').expect("Name <email>");
        (n.trim().to_string(), e.trim_end_matches('>').to_string())
    };
    let (an, ae) = split(author);
    let (cn, ce) = split(committer);
    let out = run(
        Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", an)
            .env("GIT_AUTHOR_EMAIL", ae)
            .env("GIT_COMMITTER_NAME", cn)
            .env("GIT_COMMITTER_EMAIL", ce),
        None,
    );
    assert_eq!(out.code, 0, "git {args:?} failed: {}", out.all());
    out.stdout
}

/// `git commit-tree TREE -p P1 -p P2 ...` as `who`: a commit of any shape,
/// pointing nowhere. Returns its id.
pub fn commit_tree_as(
    dir: &Path,
    who: &str,
    tree: &str,
    parents: &[&str],
    message: &str,
) -> String {
    let mut args = vec!["commit-tree", tree, "-m", message];
    for p in parents {
        args.extend(["-p", p]);
    }
    git_as(dir, who, who, &args).trim().to_string()
}
