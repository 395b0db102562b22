//! Rendering a test run: for a terminal, as JSON (the documented shape), and
//! as JUnit XML for CI systems.

use std::fmt::Write as _;

use serde_json::{Value, json};

use agentgate_core::testing::{Status, TestRun};

use crate::plural;

/// Terminal report: one line per case, failures with their reason and
/// location, a summary, and coverage with uncovered policies located.
pub fn human(run: &TestRun, min_coverage: Option<f64>) -> String {
    let mut out = String::new();
    for f in &run.files {
        let _ = writeln!(
            out,
            "{} ({} case{})",
            f.file,
            f.cases.len(),
            plural(f.cases.len())
        );
        for c in &f.cases {
            let mark = match c.status {
                Status::Pass => "ok   ",
                Status::Fail => "FAIL ",
                Status::Error => "ERROR",
            };
            let _ = writeln!(out, "  {mark} {}", c.name);
            if let Some(m) = &c.message {
                let loc = match c.line {
                    Some(l) => format!("{}:{l}", c.file),
                    None => c.file.clone(),
                };
                let _ = writeln!(out, "        {m}\n        at {loc}");
            }
        }
    }
    let (p, f, e) = (
        run.count(Status::Pass),
        run.count(Status::Fail),
        run.count(Status::Error),
    );
    let _ = writeln!(out, "\n{p} passed, {f} failed, {e} errored");
    if let Some(cov) = &run.coverage {
        let _ = write!(
            out,
            "coverage: {:.1}% of policies decided at least one case ({} of {})",
            cov.percent,
            cov.covered.len(),
            cov.total
        );
        if let Some(min) = min_coverage {
            let _ = write!(out, ", minimum {min:.1}%");
        }
        out.push('\n');
        for u in &cov.uncovered {
            let _ = writeln!(out, "  not covered: {} ({}:{})", u.id, u.file, u.line);
        }
    }
    out
}

/// JSON report.
pub fn json(run: &TestRun, min_coverage: Option<f64>) -> Value {
    json!({
        "passed": run.count(Status::Pass),
        "failed": run.count(Status::Fail),
        "errored": run.count(Status::Error),
        "min_coverage": min_coverage,
        "files": run.files,
        "coverage": run.coverage,
    })
}

/// JUnit XML: one `<testsuite>` per file, one `<testcase>` per case,
/// `<failure>` for wrong answers and `<error>` for cases that could not run.
pub fn junit(run: &TestRun) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let total: usize = run.files.iter().map(|f| f.cases.len()).sum();
    let time: f64 = run
        .files
        .iter()
        .flat_map(|f| &f.cases)
        .map(|c| c.seconds)
        .sum();
    let _ = writeln!(
        out,
        "<testsuites name=\"agentgate\" tests=\"{total}\" failures=\"{}\" errors=\"{}\" time=\"{time:.6}\">",
        run.count(Status::Fail),
        run.count(Status::Error)
    );
    for f in &run.files {
        let fails = f.cases.iter().filter(|c| c.status == Status::Fail).count();
        let errs = f.cases.iter().filter(|c| c.status == Status::Error).count();
        let t: f64 = f.cases.iter().map(|c| c.seconds).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{fails}\" errors=\"{errs}\" skipped=\"0\" time=\"{t:.6}\">",
            xml(&f.file),
            f.cases.len()
        );
        for c in &f.cases {
            let line_attr = match c.line {
                Some(l) => format!(" file=\"{}\" line=\"{l}\"", xml(&c.file)),
                None => format!(" file=\"{}\"", xml(&c.file)),
            };
            let open = format!(
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.6}\"{line_attr}",
                xml(&c.name),
                xml(&f.file),
                c.seconds
            );
            match (&c.status, &c.message) {
                (Status::Pass, _) | (_, None) => {
                    let _ = writeln!(out, "{open}/>");
                }
                (Status::Fail, Some(m)) => {
                    let _ = writeln!(
                        out,
                        "{open}>\n      <failure message=\"{}\" type=\"wrong-answer\">{}</failure>\n    </testcase>",
                        xml(m),
                        xml(m)
                    );
                }
                (Status::Error, Some(m)) => {
                    let _ = writeln!(
                        out,
                        "{open}>\n      <error message=\"{}\" type=\"cannot-evaluate\">{}</error>\n    </testcase>",
                        xml(m),
                        xml(m)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Escape text for XML attributes and content; characters XML 1.0 cannot
/// hold at all are replaced by U+FFFD.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn xml_escapes_everything_dangerous() {
        assert_eq!(xml("a<b>&\"'\u{1}"), "a&lt;b&gt;&amp;&quot;&apos;\u{FFFD}");
    }
}
