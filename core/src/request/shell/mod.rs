//! Facts about a shell command line that policies care about (force push,
//! recursive delete, piping into a shell, privilege elevation, permission
//! changes), flagged from its text, and the paths it writes: the targets of
//! known writers (`rm`, `mv`, `cp`, `sed -i`, `tee`, `git checkout --`,
//! ...) and of redirections, relative to the directory each part runs in
//! (`cd .github && sed -i ... workflows/ci.yml` writes
//! `.github/workflows/ci.yml`). Programs that only read (`cat`, `ls`, `git
//! log`, ...) write nothing, whatever they name; the path arguments of
//! programs it does not know are *possible* writes. This is a tokenizer with
//! lists of known shapes, not a shell parser: it errs towards flagging, and
//! the full line is always in the request for policies to match on.

use serde::Serialize;

#[cfg(test)]
mod tests;
mod words;
mod writes;

use words::{basename, has_short_flag, is_assignment, segments, skip_options, split_redirections};
use writes::{push_write, writes};

/// What a command line does, as far as its text shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CommandFacts {
    /// The first program the line runs (basename, after `sudo`, `env`, ...).
    pub program: String,
    /// Every program the line runs, in order.
    pub programs: Vec<String>,
    /// Force-pushes or deletes remote refs.
    pub force_push: bool,
    /// Deletes recursively or destroys data (`rm -r`, `find -delete`,
    /// `git clean -f`, `rsync --delete`, `mkfs`, `dd of=/dev/...`).
    pub recursive_delete: bool,
    /// Feeds something into a shell or interpreter (`curl ... | sh`,
    /// `bash <(curl ...)`, `eval`).
    pub pipe_to_shell: bool,
    /// Runs with elevated privileges (`sudo`, `doas`, `su`, `pkexec`).
    pub elevated: bool,
    /// Changes permissions, ownership or access (`chmod`, `chown`,
    /// `setfacl`, `gh api .../collaborators`, `gh repo edit --visibility`).
    pub changes_permissions: bool,
    /// Paths the line writes (creates, changes, moves or deletes), as
    /// written, joined to the directory each part runs in (`cd`, `git
    /// -C`); `certain` is false for the path arguments of programs it does
    /// not know.
    pub writes: Vec<Written>,
}

/// A path a command line may write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Written {
    /// The path: relative to where the line starts, or absolute.
    pub path: String,
    /// Whether the program surely writes it (a known writer or a
    /// redirection), or only may (an unknown program's argument).
    pub certain: bool,
}

pub(super) const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "dash",
    "ksh",
    "fish",
    "csh",
    "tcsh",
    "ash",
    "busybox",
    "python",
    "python2",
    "python3",
    "perl",
    "ruby",
    "node",
    "php",
    "pwsh",
    "powershell",
    "iex",
    "invoke-expression",
    "source",
    ".",
    "deno",
    "bun",
];
pub(super) const WRAPPERS: &[&str] = &[
    "env",
    "nohup",
    "time",
    "nice",
    "ionice",
    "command",
    "builtin",
    "exec",
    "stdbuf",
    "xargs",
    "timeout",
    "caffeinate",
    "watch",
    "unbuffer",
];
const ELEVATORS: &[&str] = &["sudo", "doas", "su", "pkexec", "runas", "gsudo"];

/// Analyse a command line.
pub fn analyze(line: &str) -> CommandFacts {
    let mut facts = CommandFacts::default();
    let lowered = line.to_ascii_lowercase();
    if lowered.contains("<(curl")
        || lowered.contains("<(wget")
        || lowered.contains("$(curl")
        || lowered.contains("$(wget")
        || lowered.contains("`curl")
        || lowered.contains("`wget")
    {
        // Downloaded text used as code or arguments.
        facts.pipe_to_shell = true;
    }
    // The directory the next part runs in, relative to where the line
    // starts ("" = there; absolute after `cd /x`).
    let mut dir = String::new();
    for (i, seg) in segments(line).into_iter().enumerate() {
        let piped_into = seg.piped && i > 0;
        let (seg_words, redirected) = split_redirections(&seg.words);
        for target in redirected {
            push_write(&mut facts, &dir, &target, true);
        }
        let mut words: &[String] = &seg_words;
        // Skip environment assignments and wrappers; note elevation.
        while let Some(first) = words.first() {
            let base = basename(first);
            if is_assignment(first) {
                words = &words[1..];
            } else if ELEVATORS.contains(&base.as_str()) {
                facts.elevated = true;
                words = skip_options(&words[1..]);
            } else if WRAPPERS.contains(&base.as_str()) {
                words = skip_options(&words[1..]);
                if base == "timeout"
                    && words
                        .first()
                        .is_some_and(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
                {
                    words = &words[1..];
                }
            } else {
                break;
            }
        }
        let Some(first) = words.first() else { continue };
        let program = basename(first);
        if facts.program.is_empty() {
            facts.program = program.clone();
        }
        facts.programs.push(program.clone());
        let args = &words[1..];
        if SHELLS.contains(&program.as_str()) {
            if piped_into {
                facts.pipe_to_shell = true;
            }
            // `bash -c "curl ... | sh"` and the like: look inside.
            if let Some(pos) = args.iter().position(|a| a == "-c")
                && let Some(inner) = args.get(pos + 1)
            {
                let inner = analyze(inner);
                facts.force_push |= inner.force_push;
                facts.recursive_delete |= inner.recursive_delete;
                facts.pipe_to_shell |= inner.pipe_to_shell;
                facts.elevated |= inner.elevated;
                facts.changes_permissions |= inner.changes_permissions;
                facts.programs.extend(inner.programs);
                for w in inner.writes {
                    push_write(&mut facts, &dir, &w.path, w.certain);
                }
            }
        }
        let lower_args: Vec<String> = args.iter().map(|a| a.to_ascii_lowercase()).collect();
        writes(&program, args, &mut dir, &mut facts);
        match program.as_str() {
            "eval" => facts.pipe_to_shell = true,
            "git" => git(args, &mut facts),
            "curl" | "http" | "https" | "xh" | "wget" => {
                // An API call that deletes (`curl -X DELETE ...`).
                facts.recursive_delete |= lower_args.windows(2).any(|w| {
                    matches!(w[0].as_str(), "-x" | "--request" | "--method") && w[1] == "delete"
                }) || lower_args
                    .iter()
                    .any(|a| a == "-xdelete" || a == "--request=delete" || a == "delete");
            }
            "rm" | "del" | "rd" | "rmdir" | "remove-item" | "ri" => {
                facts.recursive_delete |= has_short_flag(args, &['r', 'R'])
                    || lower_args
                        .iter()
                        .any(|a| a == "--recursive" || a == "/s" || a == "-recurse");
            }
            "find" => {
                facts.recursive_delete |= args.iter().any(|a| a == "-delete")
                    || args.windows(2).any(|w| {
                        w[0] == "-exec" && matches!(basename(&w[1]).as_str(), "rm" | "shred")
                    });
            }
            "rsync" => {
                facts.recursive_delete |= args
                    .iter()
                    .any(|a| a.starts_with("--delete") || a == "--remove-source-files");
            }
            "shred" | "wipefs" | "srm" => facts.recursive_delete = true,
            p if p.starts_with("mkfs") => facts.recursive_delete = true,
            "dd" => facts.recursive_delete |= args.iter().any(|a| a.starts_with("of=/dev/")),
            "chmod" | "chown" | "chgrp" | "setfacl" | "icacls" | "takeown" | "chattr" | "cacls" => {
                facts.changes_permissions = true;
            }
            "gh" => {
                let joined = lower_args.join(" ");
                facts.changes_permissions |= joined.contains("collaborators")
                    || joined.contains("permission")
                    || joined.contains("--visibility")
                    || joined.contains("/protection")
                    || joined.contains("/teams")
                    || (joined.contains("secret") && joined.contains("set"));
                let sub = (
                    lower_args.first().map(String::as_str),
                    lower_args.get(1).map(String::as_str),
                );
                facts.recursive_delete |= matches!(
                    sub,
                    (
                        Some(
                            "repo"
                                | "release"
                                | "gist"
                                | "run"
                                | "cache"
                                | "label"
                                | "variable"
                                | "secret"
                                | "ssh-key"
                                | "gpg-key"
                        ),
                        Some("delete")
                    )
                ) || (sub.0 == Some("api")
                    && (lower_args
                        .windows(2)
                        .any(|w| matches!(w[0].as_str(), "-x" | "--method") && w[1] == "delete")
                        || lower_args
                            .iter()
                            .any(|a| a == "-xdelete" || a == "--method=delete")));
                // Merging past branch protection is acting as an admin.
                facts.elevated |=
                    sub == (Some("pr"), Some("merge")) && lower_args.iter().any(|a| a == "--admin");
            }
            _ => {}
        }
    }
    facts
}

fn git(args: &[String], facts: &mut CommandFacts) {
    // Skip git's global options to find the subcommand.
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if a == "-C" || a == "-c" || a == "--git-dir" || a == "--work-tree" || a == "--namespace" {
            i += 2;
        } else if a.starts_with('-') {
            i += 1;
        } else {
            break;
        }
    }
    let Some(sub) = args.get(i) else { return };
    let rest = &args[i + 1..];
    match sub.as_str() {
        "push" => {
            let forced = rest.iter().any(|a| {
                a == "--force"
                    || a.starts_with("--force-with-lease")
                    || a == "--force-if-includes"
                    || a == "--mirror"
                    || a == "--delete"
                    || a == "--prune"
            }) || has_short_flag(rest, &['f', 'd'])
                || rest.iter().any(|a| {
                    !a.starts_with('-')
                        && (a.starts_with('+') || (a.starts_with(':') && a.len() > 1))
                });
            if forced {
                facts.force_push = true;
            }
        }
        "clean" => {
            facts.recursive_delete |=
                has_short_flag(rest, &['f']) || rest.iter().any(|a| a == "--force");
        }
        // Throwing away uncommitted work.
        "reset" => facts.recursive_delete |= rest.iter().any(|a| a == "--hard" || a == "--merge"),
        "checkout" | "switch" => {
            facts.recursive_delete |= rest
                .iter()
                .any(|a| a == "-f" || a == "--force" || a == "--discard-changes")
        }
        "stash" => {
            facts.recursive_delete |= rest.first().is_some_and(|a| a == "drop" || a == "clear")
        }
        "branch" => {
            facts.recursive_delete |= rest.iter().any(|a| a == "-D")
                || (has_short_flag(rest, &['d']) && has_short_flag(rest, &['f']));
        }
        _ => {}
    }
}
