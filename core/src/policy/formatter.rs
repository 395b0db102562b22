//! Formatting policy files with cedar-policy-formatter, refusing any result
//! that would lose a comment (the formatter drops some, e.g. comments inside
//! a scope), and writing atomically.

use std::path::Path;
use std::sync::Arc;

use crate::diag::source_file::SourceFile;
use crate::diag::{Code, Diag};
use crate::policy::parse::parse_file;

/// What formatting a file would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Already formatted.
    Unchanged,
    /// Formatting changes it; the new text.
    Changed(String),
}

/// Format a policy file's text. Errors: it does not parse, the formatter
/// fails, or the formatted text would lose a comment.
pub fn format_source(src: &Arc<SourceFile>) -> Result<Outcome, Vec<Diag>> {
    parse_file(src, 0, false)?;
    let crlf = src.text.contains("\r\n");
    let input = if crlf {
        src.text.replace("\r\n", "\n")
    } else {
        src.text.to_string()
    };
    let config = cedar_policy_formatter::Config::default();
    let mut formatted =
        cedar_policy_formatter::policies_str_to_pretty(&input, &config).map_err(|e| {
            vec![Diag::error(Code::Format, format!("the formatter failed: {e}")).in_file(src)]
        })?;
    if input.trim().is_empty() {
        formatted = input.clone();
    }
    if let Some((offset, c)) = lost_comment(&input, &formatted) {
        // Offsets refer to the LF-normalised text; map back to the original
        // when it used CRLF.
        let orig = if crlf {
            map_crlf_offset(&src.text, offset)
        } else {
            offset
        };
        return Err(vec![
            Diag::error(
                Code::FormatDropsComment,
                "the formatter would drop this comment, so the file was left unchanged",
            )
            .at(src, (orig, c.len().max(2)))
            .with_label("this comment would be lost")
            .with_help("move the comment onto its own line above the policy (or inside a when/unless block), then run fmt again"),
        ]);
    }
    if crlf {
        formatted = formatted.replace('\n', "\r\n");
    }
    if formatted == *src.text {
        Ok(Outcome::Unchanged)
    } else {
        Ok(Outcome::Changed(formatted))
    }
}

fn map_crlf_offset(original: &str, lf_offset: usize) -> usize {
    let mut lf = 0;
    for (i, b) in original.bytes().enumerate() {
        if lf == lf_offset {
            return i;
        }
        if b != b'\r' {
            lf += 1;
        }
    }
    original.len()
}

/// The first comment of `before` that `after` no longer holds (compared as
/// a multiset of trimmed comment texts): its offset in `before` and text.
pub fn lost_comment(before: &str, after: &str) -> Option<(usize, String)> {
    let mut remaining: Vec<String> = comments(after).into_iter().map(|(_, c)| c).collect();
    for (offset, c) in comments(before) {
        match remaining.iter().position(|a| *a == c) {
            Some(i) => {
                remaining.swap_remove(i);
            }
            None => return Some((offset, c)),
        }
    }
    None
}

/// Every `//` comment in Cedar text (outside string literals): byte offset
/// and trimmed text.
pub fn comments(text: &str) -> Vec<(usize, String)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = text[i..].find('\n').map_or(text.len(), |e| i + e);
                out.push((i, text[i..end].trim_end().to_string()));
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

/// Replace `path` with `contents` atomically (a temporary file in the same
/// directory, renamed over it), keeping its permissions.
pub fn write_atomic(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".agentgate-fmt")
        .tempfile_in(dir)?;
    tmp.write_all(contents.as_bytes())?;
    tmp.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(path) {
        std::fs::set_permissions(tmp.path(), meta.permissions())?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_skip_strings() {
        let c = comments(
            "permit(principal, action, resource) when { \"a//b\" == \"\\\"//\" }; // real\n",
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].1, "// real");
    }

    #[test]
    fn a_dropped_comment_is_found() {
        let before = "// a\npermit (principal, // b\n action, resource);\n// a\n";
        assert_eq!(
            lost_comment(
                before,
                "// a\npermit (principal, // b\n action, resource);\n// a\n"
            ),
            None
        );
        // One of two identical comments gone is still a loss.
        let lost = lost_comment(
            before,
            "// a\npermit (principal, // b\n action, resource);\n",
        );
        assert_eq!(
            lost,
            Some((before.rfind("// a").unwrap(), "// a".to_string()))
        );
        assert_eq!(
            lost_comment(
                before,
                "// a\npermit (principal, action, resource);\n// a\n"
            )
            .unwrap()
            .1,
            "// b"
        );
    }

    #[test]
    fn formats_and_keeps_comments() {
        let src = SourceFile::new(
            "a.cedar",
            "// intent\n@id(\"x\")\npermit(principal,action,resource);\n",
        );
        match format_source(&src).unwrap() {
            Outcome::Changed(t) => {
                assert!(t.contains("// intent"));
                assert!(t.contains("permit (principal, action, resource);"));
                let again = SourceFile::new("a.cedar", t);
                assert_eq!(format_source(&again).unwrap(), Outcome::Unchanged);
            }
            Outcome::Unchanged => panic!("expected a change"),
        }
    }
}
