//! Source texts that diagnostics point into: a file's display path and its
//! contents, with byte-offset to line/column conversion.

use std::sync::Arc;

/// One source text (a policy file, schema, config, test suite), named the way
/// a user would find it: a path relative to the repository, or with a
/// `commit:` prefix when it was read from git.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Display name: the path the user would open.
    pub name: String,
    /// Full text. Shared, because Cedar's own locations hold an `Arc<str>`.
    pub text: Arc<str>,
}

impl SourceFile {
    /// A source with the given display name and text.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Arc<SourceFile> {
        Arc::new(SourceFile {
            name: name.into(),
            text: text.into(),
        })
    }

    /// 1-based line and column (in characters) of a byte offset. Offsets past
    /// the end point at the end; offsets inside a multi-byte character point
    /// at that character.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(&self.text, offset)
    }
}

/// 1-based line and column (in characters) of a byte offset into `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut line = 1;
    let mut line_start = 0;
    for (i, b) in text.as_bytes()[..offset].iter().enumerate() {
        if *b == b'\n' {
            line += 1;
            line_start = i + 1;
        }
    }
    let prefix = &text.as_bytes()[line_start..offset];
    // Count characters, not bytes: continuation bytes do not start a character.
    let col = prefix.iter().filter(|b| (**b & 0xC0) != 0x80).count() + 1;
    (line, col)
}

/// Byte offset of the start of a 1-based line (the end of the text if the line
/// does not exist).
pub fn line_offset(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    let mut seen = 1;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            seen += 1;
            if seen == line {
                return i + 1;
            }
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_characters() {
        let t = "ab\ncé\nx";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        // 'é' is two bytes; the offset after it is column 3.
        assert_eq!(line_col(t, 6), (2, 3));
        assert_eq!(line_col(t, 7), (3, 1));
        assert_eq!(line_col(t, 999), (3, 2));
    }

    #[test]
    fn line_offset_finds_line_starts() {
        let t = "a\nbb\nccc";
        assert_eq!(line_offset(t, 1), 0);
        assert_eq!(line_offset(t, 2), 2);
        assert_eq!(line_offset(t, 3), 5);
        assert_eq!(line_offset(t, 9), t.len());
    }
}
