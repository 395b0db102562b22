//! Release downloads for the install tests: a real HTTP server on 127.0.0.1
//! serving a directory laid out as GitHub serves releases
//! (`<root>/<tag>/<asset>`), and the release assets themselves, made with
//! the project's own `scripts/package.sh` and `scripts/sha256sums.sh`.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use super::{Out, repo_root, run};

/// A static file server on 127.0.0.1; lives until the test process ends.
pub struct ReleaseServer {
    /// `http://127.0.0.1:PORT`: the AGENTGATE_RELEASE_URL of a test.
    pub url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl ReleaseServer {
    /// Serve the files under `root`: 200 with the file, 404 for anything
    /// else (directories, `..`, missing files).
    pub fn start(root: &Path) -> ReleaseServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let root = root.to_path_buf();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let seen = seen.clone();
                let root = root.clone();
                std::thread::spawn(move || serve(stream, &root, &seen));
            }
        });
        ReleaseServer { url, requests }
    }

    /// Paths requested so far (`/v1.2.3/SHA256SUMS`).
    pub fn requests(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

fn serve(stream: TcpStream, root: &Path, seen: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    // Headers, up to the blank line.
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => return,
            Ok(_) if header == "\r\n" || header == "\n" => break,
            Ok(_) => {}
        }
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("").to_string();
    seen.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(target.clone());
    let file = (method == "GET" && !target.split('/').any(|c| c == ".."))
        .then(|| root.join(target.trim_start_matches('/')))
        .filter(|p| p.is_file());
    let (status, body) = match file {
        Some(p) => ("200 OK", std::fs::read(p).expect("read served file")),
        None => ("404 Not Found", b"Not Found".to_vec()),
    };
    let mut out = stream;
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = out.write_all(head.as_bytes());
    let _ = out.write_all(&body);
    let _ = out.flush();
}

/// The target triple the install tests name (AGENTGATE_TARGET), whatever
/// the machine: the fake binaries are shell scripts.
pub const TEST_TARGET: &str = "x86_64-unknown-linux-musl";

/// A fake `agentgate`: a shell script that prints `agentgate VERSION` for
/// `--version` and, when `marker` is given, creates that file whenever it
/// runs (to prove a binary was never run).
pub fn fake_agentgate(dir: &Path, version: &str, marker: Option<&Path>) -> PathBuf {
    let path = dir.join(format!("fake-agentgate-{version}"));
    let touch = marker
        .map(|m| format!("touch '{}'\n", m.display()))
        .unwrap_or_default();
    std::fs::write(
        &path,
        format!("#!/bin/sh\n{touch}echo \"agentgate {version}\"\n"),
    )
    .expect("write fake agentgate");
    make_executable(&path);
    path
}

/// Make `path` executable (0755).
pub fn make_executable(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod 0755");
    }
}

/// `scripts/package.sh TARGET TAG BIN OUTDIR`; the archive's path.
pub fn package(target: &str, tag: &str, bin: &Path, outdir: &Path) -> PathBuf {
    let out = script(
        "package.sh",
        &[target, tag, path_str(bin), path_str(outdir)],
    );
    assert_eq!(out.code, 0, "package.sh failed:\n{}", out.all());
    PathBuf::from(out.stdout.trim())
}

/// `scripts/sha256sums.sh DIR`.
pub fn sha256sums(dir: &Path) -> Out {
    let out = script("sha256sums.sh", &[path_str(dir)]);
    assert_eq!(out.code, 0, "sha256sums.sh failed:\n{}", out.all());
    out
}

/// A release `tag` under `root` (`root/tag/`) whose binary is `bin`, with
/// its SHA256SUMS; the release directory.
pub fn publish(root: &Path, tag: &str, bin: &Path) -> PathBuf {
    let dir = root.join(tag);
    package(TEST_TARGET, tag, bin, &dir);
    sha256sums(&dir);
    dir
}

/// The asset name the install script downloads for `tag`.
pub fn asset_name(tag: &str) -> String {
    format!("agentgate-{tag}-{TEST_TARGET}.tar.gz")
}

/// Run `bash scripts/NAME ARGS` with the environment cleared but PATH.
pub fn script(name: &str, args: &[&str]) -> Out {
    let mut cmd = Command::new("bash");
    cmd.arg(repo_root().join("scripts").join(name))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    run(&mut cmd, None)
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}
