//! The Action's install step, `scripts/install.sh`, run for real (bash,
//! curl, tar) against release assets made by `scripts/package.sh` and
//! `scripts/sha256sums.sh` and served by a real HTTP server on 127.0.0.1.
//! Nothing here leaves loopback.
//!
//! (A catalogue of independent cases, one test each, for one component; it
//! runs past 500 lines because each case is read on its own, top to bottom.)

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::release_server::{
    ReleaseServer, TEST_TARGET, asset_name, fake_agentgate, make_executable, package, publish,
    sha256sums,
};
use crate::common::{Out, bin, repo_root, run};

/// A runner's world for one install: RUNNER_TEMP, GITHUB_PATH,
/// GITHUB_OUTPUT, and the action's own source (GITHUB_ACTION_PATH) with a
/// Cargo.toml of version `cargo_version`.
struct Runner {
    dir: tempfile::TempDir,
}

impl Runner {
    fn new(cargo_version: &str) -> Runner {
        let dir = tempfile::tempdir().expect("tempdir");
        let action = dir.path().join("action");
        std::fs::create_dir_all(action.join("src")).expect("mkdir action");
        std::fs::write(
            action.join("Cargo.toml"),
            format!(
                "[package]\nname = \"agentgate\"\nversion = \"{cargo_version}\"\n\n[dependencies]\nserde = {{ version = \"1\" }}\n"
            ),
        )
        .expect("write Cargo.toml");
        std::fs::write(action.join("Cargo.lock"), "version = 4\n").expect("write Cargo.lock");
        std::fs::write(action.join("src/main.rs"), "fn main() {}\n").expect("write main.rs");
        std::fs::create_dir_all(dir.path().join("runner")).expect("mkdir runner");
        Runner { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn action(&self) -> PathBuf {
        self.path("action")
    }

    /// The release install directory.
    fn bin_dir(&self) -> PathBuf {
        self.path("runner/agentgate-bin")
    }

    /// The source build's `cargo install --root`.
    fn source_root(&self) -> PathBuf {
        self.path("runner/agentgate-source")
    }

    /// Run `scripts/install.sh ARGS` with only this runner's environment
    /// (plus PATH and HOME) and `env`.
    fn install(&self, args: &[&str], env: &[(&str, &str)]) -> Out {
        let mut cmd = Command::new("bash");
        cmd.arg(repo_root().join("scripts/install.sh"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("RUNNER_TEMP", self.path("runner"))
            .env("GITHUB_PATH", self.path("github_path"))
            .env("GITHUB_OUTPUT", self.path("github_output"))
            .env("GITHUB_ACTION_PATH", self.action())
            .env("AGENTGATE_TARGET", TEST_TARGET)
            .env("AGENTGATE_ACTION_REPOSITORY", "agentgate/agentgate");
        for (k, v) in env {
            cmd.env(k, v);
        }
        run(&mut cmd, None)
    }

    /// Lines appended to GITHUB_PATH.
    fn github_path(&self) -> Vec<String> {
        read_lines(&self.path("github_path"))
    }

    /// GITHUB_OUTPUT as a map (the last value of a key wins, as on GitHub).
    fn outputs(&self) -> BTreeMap<String, String> {
        read_lines(&self.path("github_output"))
            .into_iter()
            .filter_map(|l| {
                l.split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
            })
            .collect()
    }

    /// A source build command for AGENTGATE_SOURCE_BUILD_CMD: records that it
    /// ran in `marker`, and "builds" an agentgate that says `version`.
    fn fake_source_build(&self, version: &str) -> String {
        format!(
            "touch '{marker}' && mkdir -p \"$AGENTGATE_SOURCE_ROOT/bin\" && \
             printf '#!/bin/sh\\necho \"agentgate {version}\"\\n' > \"$AGENTGATE_SOURCE_ROOT/bin/agentgate\" && \
             chmod +x \"$AGENTGATE_SOURCE_ROOT/bin/agentgate\" && \
             test \"$AGENTGATE_ACTION_PATH\" = '{action}'",
            marker = self.source_build_marker().display(),
            action = self.action().display(),
        )
    }

    fn source_build_marker(&self) -> PathBuf {
        self.path("source-build-ran")
    }
}

fn read_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Releases served from a temporary directory on 127.0.0.1.
struct Releases {
    root: tempfile::TempDir,
    server: ReleaseServer,
}

impl Releases {
    fn new() -> Releases {
        let root = tempfile::tempdir().expect("tempdir");
        let server = ReleaseServer::start(root.path());
        Releases { root, server }
    }

    /// Publish `tag` with a fake binary that says `agentgate <says>`.
    fn publish_fake(&self, tag: &str, says: &str) -> PathBuf {
        let bins = self.root.path().join(".bins");
        std::fs::create_dir_all(&bins).expect("mkdir");
        let fake = fake_agentgate(&bins, says, None);
        publish(self.root.path(), tag, &fake)
    }

    fn url(&self) -> &str {
        &self.server.url
    }
}

fn assert_installed(runner: &Runner, out: &Out, says: &str) {
    assert_eq!(out.code, 0, "install failed:\n{}", out.all());
    let dir = runner.bin_dir();
    assert_eq!(
        runner.github_path(),
        vec![dir.display().to_string()],
        "the install directory goes on GITHUB_PATH"
    );
    let installed = run(Command::new(dir.join("agentgate")).arg("--version"), None);
    assert_eq!(installed.stdout.trim(), format!("agentgate {says}"));
    assert!(
        out.stdout.contains(&format!("agentgate {says}")),
        "prints the installed version:\n{}",
        out.all()
    );
}

fn assert_nothing_installed(runner: &Runner) {
    assert!(
        !runner.bin_dir().exists(),
        "nothing may be installed: {:?}",
        std::fs::read_dir(runner.bin_dir()).map(|d| d.count())
    );
    assert!(runner.github_path().is_empty(), "GITHUB_PATH untouched");
    assert!(
        !runner.source_build_marker().exists(),
        "no fallback to a source build"
    );
}

#[test]
fn install_explicit_version_downloads_verifies_and_puts_it_on_path() {
    let releases = Releases::new();
    releases.publish_fake("v1.2.3", "1.2.3");
    let runner = Runner::new("0.9.0");
    let out = runner.install(
        &[],
        &[
            ("INPUT_VERSION", "v1.2.3"),
            ("AGENTGATE_RELEASE_URL", releases.url()),
        ],
    );
    assert_installed(&runner, &out, "1.2.3");
    let outputs = runner.outputs();
    assert_eq!(outputs.get("method").map(String::as_str), Some("release"));
    assert_eq!(outputs.get("version").map(String::as_str), Some("v1.2.3"));
    assert!(out.all().contains("verified"), "{}", out.all());
    assert_eq!(
        releases.server.requests(),
        vec![
            format!("/v1.2.3/{}", asset_name("v1.2.3")),
            "/v1.2.3/SHA256SUMS".to_string()
        ]
    );
    // The download's temporary directory is gone.
    let leftovers: Vec<_> = std::fs::read_dir(runner.path("runner"))
        .expect("runner dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("agentgate-install."))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn install_release_of_the_real_binary() {
    // The real binary's --version is what install.sh checks against the tag.
    let releases = Releases::new();
    let version = env!("CARGO_PKG_VERSION");
    let tag = format!("v{version}");
    publish(releases.root.path(), &tag, &bin());
    let runner = Runner::new(version);
    let out = runner.install(
        &[],
        &[
            ("AGENTGATE_ACTION_REF", &tag),
            ("AGENTGATE_RELEASE_URL", releases.url()),
        ],
    );
    assert_installed(&runner, &out, version);
}

#[test]
fn install_full_tag_ref_installs_that_release() {
    let releases = Releases::new();
    releases.publish_fake("v2.0.1", "2.0.1");
    let runner = Runner::new("2.0.1");
    let out = runner.install(
        &[],
        &[
            ("AGENTGATE_ACTION_REF", "v2.0.1"),
            ("AGENTGATE_RELEASE_URL", releases.url()),
        ],
    );
    assert_installed(&runner, &out, "2.0.1");
}

#[test]
fn install_moving_tag_ref_installs_the_cargo_toml_version() {
    let releases = Releases::new();
    releases.publish_fake("v0.4.2", "0.4.2");
    for moving in ["v0", "v0.4"] {
        let runner = Runner::new("0.4.2");
        let out = runner.install(
            &[],
            &[
                ("AGENTGATE_ACTION_REF", moving),
                ("AGENTGATE_RELEASE_URL", releases.url()),
            ],
        );
        assert_installed(&runner, &out, "0.4.2");
    }
}

#[test]
fn install_tampered_asset_is_a_checksum_mismatch_and_never_runs() {
    let releases = Releases::new();
    let dir = releases.publish_fake("v1.2.3", "1.2.3");
    // Swap the asset for one whose binary would leave a mark if it ever ran,
    // keeping the published SHA256SUMS.
    let evil_dir = releases.root.path().join(".evil");
    std::fs::create_dir_all(&evil_dir).expect("mkdir");
    let ran = releases.root.path().join("tampered-binary-ran");
    let evil = fake_agentgate(&evil_dir, "1.2.3", Some(&ran));
    let evil_asset = package(TEST_TARGET, "v1.2.3", &evil, &evil_dir);
    std::fs::copy(&evil_asset, dir.join(asset_name("v1.2.3"))).expect("swap asset");

    // Asked for explicitly, or derived from the ref: the same hard error,
    // no fallback to building from source.
    for env in [
        ("INPUT_VERSION", "v1.2.3"),
        ("AGENTGATE_ACTION_REF", "v1.2.3"),
    ] {
        let runner = Runner::new("1.2.3");
        let build = runner.fake_source_build("1.2.3");
        let out = runner.install(
            &[],
            &[
                env,
                ("AGENTGATE_RELEASE_URL", releases.url()),
                ("AGENTGATE_SOURCE_BUILD_CMD", &build),
            ],
        );
        assert_ne!(out.code, 0, "{}", out.all());
        assert!(out.stderr.contains("checksum mismatch"), "{}", out.all());
        assert!(out.stderr.contains(&asset_name("v1.2.3")), "{}", out.all());
        assert_nothing_installed(&runner);
        assert!(!ran.exists(), "the tampered binary ran");
        assert!(!runner.outputs().contains_key("method"));
    }
}

#[test]
fn install_tampered_asset_is_an_error_annotation_on_github() {
    let releases = Releases::new();
    let dir = releases.publish_fake("v1.2.3", "1.2.3");
    let asset = dir.join(asset_name("v1.2.3"));
    let mut bytes = std::fs::read(&asset).expect("read asset");
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&asset, bytes).expect("tamper");
    let runner = Runner::new("1.2.3");
    let out = runner.install(
        &[],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("INPUT_VERSION", "v1.2.3"),
            ("AGENTGATE_RELEASE_URL", releases.url()),
        ],
    );
    assert_ne!(out.code, 0);
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("::error title=agentgate install::checksum mismatch")),
        "{}",
        out.all()
    );
    assert_nothing_installed(&runner);
}

#[test]
fn install_missing_explicit_version_is_an_error_naming_it_and_the_url() {
    let releases = Releases::new();
    releases.publish_fake("v1.2.3", "1.2.3");
    let runner = Runner::new("1.2.3");
    let build = runner.fake_source_build("1.2.3");
    let out = runner.install(
        &[],
        &[
            ("INPUT_VERSION", "v9.9.9"),
            ("AGENTGATE_RELEASE_URL", releases.url()),
            ("AGENTGATE_SOURCE_BUILD_CMD", &build),
        ],
    );
    assert_ne!(out.code, 0, "{}", out.all());
    let url = format!("{}/v9.9.9/{}", releases.url(), asset_name("v9.9.9"));
    assert!(out.stderr.contains("v9.9.9"), "{}", out.all());
    assert!(out.stderr.contains(&url), "names the URL:\n{}", out.all());
    assert!(out.stderr.contains("404"), "{}", out.all());
    assert_nothing_installed(&runner);
}

#[test]
fn install_missing_ref_version_falls_back_to_building_the_action_source() {
    let releases = Releases::new();
    let runner = Runner::new("3.1.4");
    let build = runner.fake_source_build("3.1.4");
    let out = runner.install(
        &[],
        &[
            ("AGENTGATE_ACTION_REF", "v3.1.4"),
            ("AGENTGATE_RELEASE_URL", releases.url()),
            ("AGENTGATE_SOURCE_BUILD_CMD", &build),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stderr.contains("notice"), "{}", out.all());
    assert!(
        out.stderr
            .contains("building agentgate from the action's own source"),
        "{}",
        out.all()
    );
    assert!(
        runner.source_build_marker().exists(),
        "the source build ran"
    );
    assert!(!runner.bin_dir().exists());
    let source_bin = runner.source_root().join("bin");
    assert_eq!(runner.github_path(), vec![source_bin.display().to_string()]);
    assert!(out.stdout.contains("agentgate 3.1.4"), "{}", out.all());
    let outputs = runner.outputs();
    assert_eq!(outputs.get("method").map(String::as_str), Some("source"));
    let hash = outputs.get("source-hash").cloned().unwrap_or_default();
    assert!(
        hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "source-hash is the cache key: {hash:?}"
    );
}

#[test]
fn install_release_phase_leaves_the_source_build_to_the_cache_steps() {
    // What action.yml runs first: when no release applies it only says so
    // (method=source, source-hash) for actions/cache; nothing is built.
    let releases = Releases::new();
    for ref_ in ["v3.1.4", "main", ""] {
        let runner = Runner::new("3.1.4");
        let build = runner.fake_source_build("3.1.4");
        let out = runner.install(
            &["release"],
            &[
                ("AGENTGATE_ACTION_REF", ref_),
                ("AGENTGATE_RELEASE_URL", releases.url()),
                ("AGENTGATE_SOURCE_BUILD_CMD", &build),
            ],
        );
        assert_eq!(out.code, 0, "{ref_:?}: {}", out.all());
        let outputs = runner.outputs();
        assert_eq!(outputs.get("method").map(String::as_str), Some("source"));
        assert_eq!(outputs.get("source-hash").map(String::len), Some(64));
        assert!(!runner.source_build_marker().exists());
        assert!(runner.github_path().is_empty());
    }
}

#[test]
fn install_source_phase_builds_unless_the_cache_restored_the_build() {
    let runner = Runner::new("3.1.4");
    let build = runner.fake_source_build("3.1.4");
    let out = runner.install(&["source"], &[("AGENTGATE_SOURCE_BUILD_CMD", &build)]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(runner.source_build_marker().exists());

    // A restored cache (the build is in AGENTGATE_SOURCE_ROOT): no build.
    std::fs::remove_file(runner.source_build_marker()).expect("rm marker");
    let out = runner.install(
        &["source"],
        &[
            ("AGENTGATE_SOURCE_BUILD_CMD", &build),
            ("AGENTGATE_CACHE_HIT", "true"),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(!runner.source_build_marker().exists(), "{}", out.all());
    assert!(out.stderr.contains("cached build"), "{}", out.all());

    // A failing build is an error.
    let out = runner.install(&["source"], &[("AGENTGATE_SOURCE_BUILD_CMD", "exit 3")]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("failed"), "{}", out.all());
}

#[test]
fn install_asset_without_its_line_in_sha256sums_is_an_error() {
    let releases = Releases::new();
    let dir = releases.publish_fake("v1.2.3", "1.2.3");
    // SHA256SUMS lists another asset, not ours.
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).expect("read sums");
    let other = sums.replace(
        &asset_name("v1.2.3"),
        "agentgate-v1.2.3-other-target.tar.gz",
    );
    std::fs::write(dir.join("SHA256SUMS"), other).expect("write sums");
    let runner = Runner::new("1.2.3");
    let out = runner.install(
        &[],
        &[
            ("INPUT_VERSION", "v1.2.3"),
            ("AGENTGATE_RELEASE_URL", releases.url()),
        ],
    );
    assert_ne!(out.code, 0, "{}", out.all());
    assert!(
        out.stderr
            .contains(&format!("no line for {}", asset_name("v1.2.3"))),
        "{}",
        out.all()
    );
    assert_nothing_installed(&runner);
}

#[test]
fn install_release_without_sha256sums_is_an_error() {
    let releases = Releases::new();
    let dir = releases.publish_fake("v1.2.3", "1.2.3");
    std::fs::remove_file(dir.join("SHA256SUMS")).expect("rm sums");
    let runner = Runner::new("1.2.3");
    let build = runner.fake_source_build("1.2.3");
    let out = runner.install(
        &[],
        &[
            ("AGENTGATE_ACTION_REF", "v1.2.3"),
            ("AGENTGATE_RELEASE_URL", releases.url()),
            ("AGENTGATE_SOURCE_BUILD_CMD", &build),
        ],
    );
    assert_ne!(out.code, 0, "{}", out.all());
    assert!(out.stderr.contains("no SHA256SUMS"), "{}", out.all());
    assert_nothing_installed(&runner);
}

#[test]
fn install_asset_that_reports_another_version_is_refused() {
    let releases = Releases::new();
    releases.publish_fake("v1.2.3", "1.2.2");
    let runner = Runner::new("1.2.3");
    let out = runner.install(
        &[],
        &[
            ("INPUT_VERSION", "v1.2.3"),
            ("AGENTGATE_RELEASE_URL", releases.url()),
        ],
    );
    assert_ne!(out.code, 0, "{}", out.all());
    assert!(out.stderr.contains("agentgate 1.2.2"), "{}", out.all());
    assert_nothing_installed(&runner);
}

#[test]
fn install_refuses_plain_http_off_loopback() {
    let runner = Runner::new("1.2.3");
    for url in [
        "http://example.com/releases",
        "http://127.0.0.1.example.com",
        "http://127.0.0.1:80@example.com",
        "ftp://127.0.0.1/releases",
    ] {
        let out = runner.install(
            &[],
            &[("INPUT_VERSION", "v1.2.3"), ("AGENTGATE_RELEASE_URL", url)],
        );
        assert_ne!(out.code, 0, "{url}: {}", out.all());
        assert!(
            out.stderr.contains("neither https nor http to loopback"),
            "{url}: {}",
            out.all()
        );
        assert!(!out.stderr.contains("downloading"), "{url}: {}", out.all());
    }
    assert_nothing_installed(&runner);
}

/// `install.sh resolve`: the version `release` would download.
fn resolve(runner: &Runner, env: &[(&str, &str)]) -> Out {
    runner.install(&["resolve"], env)
}

#[test]
fn install_version_derivation_from_input_and_action_ref() {
    let runner = Runner::new("1.2.3");
    let cases: &[(&[(&str, &str)], &str)] = &[
        // The input wins, whatever the ref.
        (
            &[
                ("INPUT_VERSION", "v0.2.0"),
                ("AGENTGATE_ACTION_REF", "v1.2.3"),
            ],
            "v0.2.0",
        ),
        // Full tags are their release.
        (&[("AGENTGATE_ACTION_REF", "v1.2.3")], "v1.2.3"),
        (&[("AGENTGATE_ACTION_REF", "v7.0.0")], "v7.0.0"),
        (&[("AGENTGATE_ACTION_REF", "v1.3.0-rc.1")], "v1.3.0-rc.1"),
        // Moving tags: Cargo.toml's version, when it matches.
        (&[("AGENTGATE_ACTION_REF", "v1")], "v1.2.3"),
        (&[("AGENTGATE_ACTION_REF", "v1.2")], "v1.2.3"),
        (&[("AGENTGATE_ACTION_REF", "v2")], ""),
        (&[("AGENTGATE_ACTION_REF", "v1.3")], ""),
        (&[("AGENTGATE_ACTION_REF", "v12")], ""),
        // Branches, commits, local actions: no release.
        (&[("AGENTGATE_ACTION_REF", "main")], ""),
        (&[("AGENTGATE_ACTION_REF", "release/v1")], ""),
        (&[("AGENTGATE_ACTION_REF", "v1.2.3.4")], ""),
        (
            &[(
                "AGENTGATE_ACTION_REF",
                "0123456789abcdef0123456789abcdef01234567",
            )],
            "",
        ),
        (&[("AGENTGATE_ACTION_REF", "")], ""),
        (&[], ""),
    ];
    for (env, want) in cases {
        let out = resolve(&runner, env);
        assert_eq!(out.code, 0, "{env:?}: {}", out.all());
        assert_eq!(out.stdout.trim(), *want, "{env:?}");
    }

    // A `version` that is not a release tag is an error, not a guess.
    for bad in ["1.2.3", "v1", "latest", "v1.2.3; rm -rf /"] {
        let out = resolve(&runner, &[("INPUT_VERSION", bad)]);
        assert_ne!(out.code, 0, "{bad}");
        assert!(out.stderr.contains("not a release tag"), "{}", out.all());
    }
}

#[test]
fn install_version_derivation_reads_the_ref_from_the_action_path() {
    // The runner can leave github.action_ref empty in composite actions;
    // the ref is then the last part of _actions/OWNER/REPO/REF.
    let runner = Runner::new("1.2.3");
    let unpacked = runner.path("work/_actions/agentgate/agentgate/v1");
    std::fs::create_dir_all(&unpacked).expect("mkdir");
    std::fs::copy(
        runner.action().join("Cargo.toml"),
        unpacked.join("Cargo.toml"),
    )
    .expect("cp");
    let path = unpacked.display().to_string();
    let out = resolve(&runner, &[("GITHUB_ACTION_PATH", &path)]);
    assert_eq!(out.stdout.trim(), "v1.2.3", "{}", out.all());
    // The ref given wins over the path.
    let out = resolve(
        &runner,
        &[
            ("GITHUB_ACTION_PATH", &path),
            ("AGENTGATE_ACTION_REF", "main"),
        ],
    );
    assert_eq!(out.stdout.trim(), "", "{}", out.all());
    // A branch with a slash is not mistaken for OWNER/REPO/REF.
    let nested = runner.path("work/_actions/agentgate/agentgate/release/v1");
    std::fs::create_dir_all(&nested).expect("mkdir");
    let out = resolve(
        &runner,
        &[("GITHUB_ACTION_PATH", &nested.display().to_string())],
    );
    assert_eq!(out.stdout.trim(), "", "{}", out.all());
}

#[test]
fn install_source_hash_follows_the_source_only() {
    let runner = Runner::new("1.2.3");
    let hash = || {
        let out = runner.install(&["source-hash"], &[]);
        assert_eq!(out.code, 0, "{}", out.all());
        out.stdout.trim().to_string()
    };
    let first = hash();
    assert_eq!(first.len(), 64);
    assert_eq!(hash(), first, "stable");
    std::fs::write(runner.action().join("README.md"), "docs\n").expect("write");
    std::fs::create_dir_all(runner.action().join("target/debug")).expect("mkdir");
    std::fs::write(runner.action().join("target/debug/x.rs"), "// built\n").expect("write");
    assert_eq!(hash(), first, "docs and target/ are not the source");
    std::fs::write(runner.action().join("src/main.rs"), "fn main() { }\n").expect("write");
    let second = hash();
    assert_ne!(second, first, "a .rs change is");
    std::fs::write(
        runner.action().join("src/policy.cedar"),
        "permit(principal, action, resource);\n",
    )
    .expect("write");
    assert_ne!(hash(), second, "a .cedar change is");
}

#[test]
fn package_and_sha256sums_make_the_assets_install_sh_expects() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fake = fake_agentgate(dir.path(), "1.0.0", None);
    let out_dir = dir.path().join("dist");
    let linux = package(TEST_TARGET, "v1.0.0", &fake, &out_dir);
    assert_eq!(
        linux.file_name().and_then(|n| n.to_str()),
        Some("agentgate-v1.0.0-x86_64-unknown-linux-musl.tar.gz")
    );
    let listing = run(Command::new("tar").arg("-tzf").arg(&linux), None);
    let mut files: Vec<&str> = listing.stdout.lines().collect();
    files.sort_unstable();
    assert_eq!(files, ["README.md", "agentgate"], "flat: binary and README");
    let extracted = dir.path().join("x");
    std::fs::create_dir_all(&extracted).expect("mkdir");
    let untar = run(
        Command::new("tar")
            .arg("-xzf")
            .arg(&linux)
            .arg("-C")
            .arg(&extracted),
        None,
    );
    assert_eq!(untar.code, 0, "{}", untar.all());
    make_executable(&extracted.join("agentgate"));
    let says = run(
        Command::new(extracted.join("agentgate")).arg("--version"),
        None,
    );
    assert_eq!(says.stdout.trim(), "agentgate 1.0.0");

    let sums = sha256sums(&out_dir);
    let lines: Vec<&str> = sums.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let (hash, name) = lines[0].split_once("  ").expect("`<hash>  <asset>`");
    assert_eq!(hash.len(), 64);
    assert!(
        hash.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert_eq!(name, "agentgate-v1.0.0-x86_64-unknown-linux-musl.tar.gz");
    let check = run(
        Command::new("sha256sum")
            .args(["--check", "--strict", "SHA256SUMS"])
            .current_dir(&out_dir),
        None,
    );
    assert_eq!(check.code, 0, "{}", check.all());

    // Bad arguments are refused with what to do.
    for (target, tag) in [("x86_64-unknown-linux-musl", "1.0.0"), ("../x", "v1.0.0")] {
        let out = crate::common::release_server::script(
            "package.sh",
            &[target, tag, fake.to_str().expect("utf-8"), "/tmp/unused"],
        );
        assert_ne!(out.code, 0, "{target} {tag}");
        assert!(out.stderr.contains("package.sh: error"), "{}", out.all());
    }
}
