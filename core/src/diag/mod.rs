//! Diagnostics: one type for every problem agentgate reports about a user's
//! files (policies, schema, config, test suites), carrying file, line, column
//! and a snippet. It renders through miette (as Cedar's own errors do) and
//! serialises to the stable JSON shape documented in the README.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, SourceCode, SourceSpan};
use serde::Serialize;

mod code;
pub mod source_file;

pub use code::Code;

use source_file::SourceFile;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look; does not fail the command.
    Warning,
    /// The input is unusable; the command fails with exit code 2.
    Error,
}

/// A problem found in a user's file, located when the location is known.
#[derive(Debug, Clone)]
pub struct Diag {
    /// Error or warning.
    pub severity: Severity,
    /// Stable machine-readable code, e.g. `agentgate::duplicate-id` or
    /// `cedar::parse`.
    pub code: Code,
    /// Cedar's own code for a diagnostic Cedar made, when it gave one.
    pub cedar_code: Option<String>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// The file it is in, if any.
    pub source: Option<Arc<SourceFile>>,
    /// Byte span of the primary location in `source`.
    pub span: Option<SourceSpan>,
    /// Label printed under the snippet.
    pub label: Option<String>,
    /// Further locations (e.g. the other definition of a duplicate id).
    pub related: Vec<Diag>,
}

impl Diag {
    /// An error with no location.
    pub fn error(code: Code, message: impl Into<String>) -> Diag {
        Diag {
            severity: Severity::Error,
            code,
            cedar_code: None,
            message: message.into(),
            help: None,
            source: None,
            span: None,
            label: None,
            related: Vec::new(),
        }
    }

    /// A warning with no location.
    pub fn warning(code: Code, message: impl Into<String>) -> Diag {
        Diag {
            severity: Severity::Warning,
            ..Diag::error(code, message)
        }
    }

    /// Attach the file and span the diagnostic is about.
    pub fn at(mut self, source: &Arc<SourceFile>, span: impl Into<SourceSpan>) -> Diag {
        self.source = Some(Arc::clone(source));
        self.span = Some(span.into());
        self
    }

    /// Attach the file only (no precise span known).
    pub fn in_file(mut self, source: &Arc<SourceFile>) -> Diag {
        self.source = Some(Arc::clone(source));
        self
    }

    /// Attach a help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Diag {
        self.help = Some(help.into());
        self
    }

    /// Attach a label for the snippet.
    pub fn with_label(mut self, label: impl Into<String>) -> Diag {
        self.label = Some(label.into());
        self
    }

    /// Attach a related location.
    pub fn with_related(mut self, related: Diag) -> Diag {
        self.related.push(related);
        self
    }

    /// Whether this is an error (as opposed to a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The file's display name, if the diagnostic is located.
    pub fn file(&self) -> Option<&str> {
        self.source.as_deref().map(|s| s.name.as_str())
    }

    /// 1-based line and column of the primary span.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        match (&self.source, &self.span) {
            (Some(src), Some(span)) => Some(src.line_col(span.offset())),
            _ => None,
        }
    }

    /// `file:line:column` (or as much of it as is known).
    pub fn location(&self) -> Option<String> {
        let file = self.file()?;
        Some(match self.line_col() {
            Some((l, c)) => format!("{file}:{l}:{c}"),
            None => file.to_string(),
        })
    }

    /// Convert any miette diagnostic (Cedar's parse, schema and validation
    /// errors are all miette diagnostics) into a `Diag` located in `source`.
    /// Cedar's spans index into the text it was given, which is `source.text`.
    pub fn from_miette(
        d: &dyn Diagnostic,
        severity: Severity,
        code: Code,
        source: Option<&Arc<SourceFile>>,
    ) -> Diag {
        let cedar_code = d.code().map(|c| c.to_string());
        let mut message = d.to_string();
        // Cedar often puts the useful detail in a source error chain.
        let mut cause = std::error::Error::source(d);
        while let Some(c) = cause {
            let s = c.to_string();
            if !message.contains(&s) {
                message = format!("{message}: {s}");
            }
            cause = c.source();
        }
        let mut diag = Diag {
            severity,
            code,
            cedar_code,
            message,
            help: d.help().map(|h| h.to_string()),
            source: None,
            span: None,
            label: None,
            related: Vec::new(),
        };
        if let Some(src) = source {
            diag.source = Some(Arc::clone(src));
            if let Some(mut labels) = d.labels()
                && let Some(first) = labels.next()
            {
                let span = clamp(first.inner(), src.text.len());
                diag.span = Some(span);
                diag.label = first.label().map(str::to_string);
            }
        }
        if let Some(related) = d.related() {
            for r in related {
                diag.related
                    .push(Diag::from_miette(r, severity, code, source));
            }
        }
        diag
    }
}

fn clamp(span: &SourceSpan, len: usize) -> SourceSpan {
    let start = span.offset().min(len);
    let end = (span.offset() + span.len()).min(len);
    SourceSpan::new(start.into(), end - start)
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diag {}

impl Diagnostic for Diag {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Warning => miette::Severity::Warning,
            Severity::Error => miette::Severity::Error,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match (&self.help, self.source.is_some() && self.span.is_none()) {
            (Some(h), true) => Some(Box::new(format!(
                "{h}\n(in {})",
                self.file().unwrap_or_default()
            ))),
            (Some(h), false) => Some(Box::new(h)),
            (None, true) => Some(Box::new(format!("in {}", self.file().unwrap_or_default()))),
            (None, false) => None,
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        match (&self.source, &self.span) {
            (Some(src), Some(_)) => Some(src.as_ref()),
            _ => None,
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        self.source.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            self.label.clone(),
            span,
        ))))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
        }
    }
}

impl SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// JSON shape of a diagnostic (documented in the README).
#[derive(Serialize)]
struct DiagJson<'a> {
    severity: Severity,
    code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    cedar_code: Option<&'a str>,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<DiagJson<'a>>,
}

impl<'a> From<&'a Diag> for DiagJson<'a> {
    fn from(d: &'a Diag) -> Self {
        let lc = d.line_col();
        DiagJson {
            severity: d.severity,
            code: d.code.as_str(),
            cedar_code: d.cedar_code.as_deref(),
            message: &d.message,
            file: d.file(),
            line: lc.map(|x| x.0),
            column: lc.map(|x| x.1),
            help: d.help.as_deref(),
            related: d.related.iter().map(DiagJson::from).collect(),
        }
    }
}

impl Serialize for Diag {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        DiagJson::from(self).serialize(s)
    }
}

/// A list of diagnostics that together make an input unusable.
#[derive(Debug, Clone, Default)]
pub struct Diags(pub Vec<Diag>);

impl Diags {
    /// Whether any of them is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diag::is_error)
    }

    /// The first, with where it is (`file:line:col: message`): what a
    /// one-line reason quotes when policies cannot be used.
    pub fn first_located(&self) -> Option<String> {
        self.0.first().map(|d| match d.location() {
            Some(at) => format!("{at}: {d}"),
            None => d.to_string(),
        })
    }
}

impl fmt::Display for Diags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match d.location() {
                Some(loc) => write!(f, "{loc}: {}", d.message)?,
                None => write!(f, "{}", d.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for Diags {}

impl From<Diag> for Diags {
    fn from(d: Diag) -> Self {
        Diags(vec![d])
    }
}
