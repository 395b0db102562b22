//! agentgate-report: every report agentgate prints, in one place. Each
//! command's result renders here as text (for a terminal), Markdown (for a
//! pull request comment or job summary), JSON (a stable, documented shape)
//! or JUnit (test runs); errors render here too, as diagnostics with file,
//! line and snippet. The commands and the GitHub runner only choose.
//!
//! - [`gate`]: the gate's report, with the policy-impact section;
//! - [`impact`]: what a policy change grants (`agentgate diff`);
//! - [`audit`]: agent commits in history that touched protected paths;
//! - [`check`]: one decision, explained;
//! - [`tests`]: a test run (text, JSON, JUnit);
//! - [`diag`]: diagnostics and the error block every command shares.

pub mod audit;
pub mod check;
pub mod diag;
pub mod gate;
pub mod impact;
pub mod tests;

/// The one `--format` vocabulary of every command (not every command
/// offers every format; each says which).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// For a terminal.
    #[default]
    #[value(alias = "human")]
    Text,
    /// JSON with a stable, documented shape.
    Json,
    /// Markdown, for a pull request comment or job summary.
    Markdown,
    /// JUnit XML, for CI systems (`test` only).
    Junit,
}

/// Text made safe for a Markdown table cell or list item: every character
/// Markdown or HTML would read is escaped, and newlines fold.
pub fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text inside Markdown backticks: backticks cannot be escaped there.
pub fn md_code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'"))
}

/// `""` or `"s"`.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn markdown_is_escaped_once_for_everyone() {
        assert_eq!(
            md("a|b <x> [y](z) *q* _r_ `c`\nd &"),
            "a\\|b &lt;x&gt; \\[y\\](z) \\*q\\* \\_r\\_ \\`c\\` d &amp;"
        );
        assert_eq!(md_code("a`b"), "`a'b`");
    }
}
