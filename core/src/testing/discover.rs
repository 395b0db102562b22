//! Finding test files and telling their formats apart by content (an
//! agentgate suite or gate scenario in TOML, a `cedar run-tests` or
//! cedar-integration-tests file in JSON).

use std::path::{Path, PathBuf};

use super::{FileKind, cedar, scenario, suite};
use crate::diag::source_file::SourceFile;
use crate::diag::{Code, Diag, Diags};

/// A test file parsed ahead of running.
pub enum Parsed {
    /// A TOML suite.
    Suite(suite::Suite),
    /// A gate scenario.
    Scenario(Box<scenario::Scenario>),
    /// A JSON file, parsed when run.
    Json,
}

/// A test file found on disk, with its format.
#[derive(Debug, Clone)]
pub struct TestFile {
    /// Path on disk.
    pub path: PathBuf,
    /// Name shown in reports.
    pub display: String,
    /// Format.
    pub kind: FileKind,
    /// Text.
    pub text: String,
}

impl TestFile {
    /// Whether running it needs the repository's policies.
    pub fn needs_store(&self) -> bool {
        matches!(
            self.kind,
            FileKind::Suite | FileKind::Scenario | FileKind::CedarRunTests
        )
    }
}

/// Find test files: each path is a file, or a directory searched
/// recursively for `.toml` and `.json` test files (other JSON, such as
/// entity files, is skipped). Paths are shown relative to `base`.
pub fn discover(paths: &[PathBuf], base: &Path) -> Result<Vec<TestFile>, Diags> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found)
                .map_err(|e| Diag::error(Code::Read, format!("{}: {e}", p.display())))?;
            found.sort();
            for f in found {
                match classify(&f, base) {
                    Ok(Some(t)) => out.push(t),
                    Ok(None) => {}
                    Err(d) => errors.push(d),
                }
            }
        } else if p.is_file() {
            match classify(p, base) {
                Ok(Some(t)) => out.push(t),
                Ok(None) => errors.push(Diag::error(
                    Code::TestFormat,
                    format!("{} is not a test file agentgate knows (a TOML suite, a `cedar run-tests` JSON array, or a cedar-integration-tests JSON object)", show(p, base)),
                )),
                Err(d) => errors.push(d),
            }
        } else {
            errors.push(
                Diag::error(Code::NoTests, format!("{} does not exist", show(p, base)))
                    .with_help("pass test files or directories, or set `tests` in agentgate.toml"),
            );
        }
    }
    if !errors.is_empty() {
        return Err(Diags(errors));
    }
    if out.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| show(p, base)).collect();
        return Err(Diag::error(
            Code::NoTests,
            format!("no test files found in {}", shown.join(", ")),
        )
        .with_help("write a suite (see `agentgate init`), or pass test files")
        .into());
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("toml" | "json")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

fn show(p: &Path, base: &Path) -> String {
    p.strip_prefix(base).unwrap_or(p).display().to_string()
}

fn classify(path: &Path, base: &Path) -> Result<Option<TestFile>, Diag> {
    let display = show(path, base);
    let text = std::fs::read_to_string(path)
        .map_err(|e| Diag::error(Code::Read, format!("cannot read {display}: {e}")))?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let kind = match ext {
        "toml" if scenario::is_scenario(&text) => FileKind::Scenario,
        "toml" => FileKind::Suite,
        "json" => {
            let format = cedar::detect(&text).map_err(|e| {
                let src = SourceFile::new(display.clone(), text.clone());
                let off = crate::diag::source_file::line_offset(&text, e.line());
                Diag::error(Code::Json, format!("invalid JSON: {e}"))
                    .at(&src, (off + e.column().saturating_sub(1), 1))
            })?;
            match format {
                Some(cedar::CedarFormat::RunTests) => FileKind::CedarRunTests,
                Some(cedar::CedarFormat::Integration) => FileKind::CedarIntegration,
                None => return Ok(None),
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(TestFile {
        path: path.to_path_buf(),
        display,
        kind,
        text,
    }))
}

/// Parse every TOML file up front, so a typo anywhere stops the run with a
/// located error before anything runs.
pub fn parse_all(files: &[TestFile]) -> Result<Vec<Parsed>, Diags> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for f in files {
        let src = SourceFile::new(f.display.clone(), f.text.clone());
        let parsed = match f.kind {
            FileKind::Suite => suite::parse(&src).map(Parsed::Suite),
            FileKind::Scenario => scenario::parse(&src).map(|s| Parsed::Scenario(Box::new(s))),
            FileKind::CedarRunTests | FileKind::CedarIntegration => Ok(Parsed::Json),
        };
        match parsed {
            Ok(p) => out.push(p),
            Err(e) => {
                errors.extend(e);
                out.push(Parsed::Json);
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Diags(errors))
    }
}
