//! Errors as every command prints them: diagnostics with file, line and
//! snippet (rendered by miette, as Cedar renders its own), and the error
//! block of a command that could not decide (a gate error is a block,
//! never a pass), in text, Markdown and JSON.

use agentgate_core::diag::{Code, Diag};
use agentgate_core::gate::GateError;
use serde_json::{Value, json};

use crate::Format;

/// One diagnostic as text, with its snippet.
pub fn text(d: &Diag) -> String {
    format!("{:?}", miette::Report::new(d.clone()))
}

/// Diagnostics as text, one after another.
pub fn texts(diags: &[Diag]) -> String {
    diags.iter().map(|d| text(d) + "\n").collect()
}

/// The JSON of a command that failed on its input: `{"error",
/// "diagnostics"}`.
pub fn json(diags: &[Diag]) -> Value {
    json!({
        "error": diags.first().map(|d| d.message.clone()),
        "diagnostics": diags,
    })
}

/// Why a deciding command could not decide, and what to do.
#[derive(Debug, Clone)]
pub struct ErrorBlock {
    /// What went wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// Located diagnostics (e.g. the policy that does not validate).
    pub diagnostics: Vec<Diag>,
}

impl ErrorBlock {
    /// The block for a gate error.
    pub fn from_gate(e: &GateError) -> ErrorBlock {
        let (message, help, diagnostics) = match e {
            GateError::Git(g) => (g.to_string(), Some(g.help()), Vec::new()),
            GateError::Policies { commit, diags } => (
                format!("the policies at {commit} cannot be used, so nothing can be judged"),
                Some(
                    "fix the policy set on the base branch first (`agentgate validate` there)"
                        .to_string(),
                ),
                diags.0.clone(),
            ),
            GateError::Reviews(_) => (
                e.to_string(),
                Some(
                    "give every review an RFC 3339 `submitted_at` (as GitHub's API does)"
                        .to_string(),
                ),
                Vec::new(),
            ),
            GateError::Request { .. } | GateError::WorkerPanicked => {
                (e.to_string(), None, Vec::new())
            }
        };
        ErrorBlock {
            message,
            help,
            diagnostics,
        }
    }

    /// `{"verdict": "error", "error", "help", "diagnostics"}`.
    pub fn json(&self) -> Value {
        json!({
            "verdict": "error",
            "error": self.message,
            "help": self.help,
            "diagnostics": self.diagnostics,
        })
    }

    /// For a pull request comment or job summary.
    pub fn markdown(&self) -> String {
        let mut md = format!(
            "### ⛔ agentgate: cannot decide, so the merge is blocked\n\n```\n{}\n```\n",
            self.message.replace("```", "'''")
        );
        if let Some(h) = &self.help {
            md.push_str(&format!("\n{h}\n"));
        }
        for d in &self.diagnostics {
            let at = d.location().map(|l| format!("{l}: ")).unwrap_or_default();
            md.push_str(&format!("\n- {}{}", crate::md(&at), crate::md(&d.message)));
        }
        if !self.diagnostics.is_empty() {
            md.push('\n');
        }
        md
    }

    /// For a terminal: the diagnostics, then the error with its help.
    pub fn text(&self) -> String {
        let mut d = Diag::error(
            Code::CannotDecide,
            format!(
                "{} (the gate blocks: an error is never a pass)",
                self.message
            ),
        );
        if let Some(h) = &self.help {
            d = d.with_help(h.clone());
        }
        texts(&self.diagnostics) + &text(&d) + "\n"
    }

    /// (stdout, stderr) for `format`: JSON and Markdown go to stdout, text
    /// to stderr.
    pub fn render(&self, format: Format) -> (String, String) {
        match format {
            Format::Json => (
                serde_json::to_string_pretty(&self.json()).unwrap_or_default() + "\n",
                String::new(),
            ),
            Format::Markdown => (self.markdown(), texts(&self.diagnostics)),
            Format::Text | Format::Junit => (String::new(), self.text()),
        }
    }
}
