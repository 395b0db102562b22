//! Helpers for integration tests: run the real `agentgate` binary, make real
//! git repositories in temporary directories.

#![allow(dead_code)]

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
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_agentgate"))
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
    run(Command::new(bin()).args(args).current_dir(dir), stdin)
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
    .env("NO_COLOR", "1")
    .env_remove("GITHUB_TOKEN");
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
