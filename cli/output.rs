//! Output plumbing shared by the commands: the `--format` choice, rendering
//! diagnostics (miette graphics on a terminal, plain text otherwise, JSON on
//! request), and printing JSON.
//!
//! Everything goes to stdout through [`out!`] and [`outln!`], which never
//! panic: when the reader has gone (`agentgate test | head -1`) the rest of
//! the output is dropped and the command still ends with its own exit code.

/// `print!` that ignores a closed or failing stdout instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `eprint!` that ignores a closed or failing stderr instead of panicking.
macro_rules! err {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// `eprintln!` that ignores a closed or failing stderr instead of panicking.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// `println!` that ignores a closed or failing stdout instead of panicking.
macro_rules! outln {
    () => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock());
    }};
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

use std::io::IsTerminal;

use agentgate_core::diag::{Diag, Diags};
pub use agentgate_report::Format;
use serde::Serialize;

use crate::exit::Exit;

/// Configure miette's renderer: colours only on a terminal and without
/// NO_COLOR; unicode graphics either way.
pub fn install_miette_hook() {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .color(color)
                .unicode(color)
                .terminal_links(false)
                .context_lines(1)
                .width(100)
                .build(),
        )
    }));
}

/// Print diagnostics to stderr.
pub fn eprint_diags(diags: &[Diag]) {
    err!("{}", agentgate_report::diag::texts(diags));
}

/// Print a fatal input error in the chosen format and return exit code 2.
pub fn fail(format: Format, diags: &Diags) -> Exit {
    match format {
        Format::Json => print_json(&agentgate_report::diag::json(&diags.0)),
        _ => eprint_diags(&diags.0),
    }
    Exit::Input
}

/// Print a value as pretty JSON on stdout.
pub fn print_json<T: Serialize>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => outln!("{s}"),
        Err(e) => errln!("error: cannot serialise the report: {e}"),
    }
}
