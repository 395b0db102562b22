//! Exit codes, one table for every command (documented in the README).

/// What a command's exit status means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Success: valid, formatted, tests passed, allow, pass.
    Ok = 0,
    /// The policy said no: deny, block, failed tests, below coverage,
    /// unformatted files under `--check`, widening found.
    No = 1,
    /// Usage or input error: bad flag, bad file, git error. Never a pass.
    Input = 2,
    /// A human must confirm first.
    Confirm = 3,
}
