//! Facts about a shell command line that policies care about (force push,
//! recursive delete, piping into a shell, privilege elevation, permission
//! changes), flagged from its text. This is a tokenizer with a list of known
//! dangerous shapes, not a shell parser: it errs towards flagging, and the
//! full line is always in the request for policies to match on.

use serde::Serialize;

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
}

const SHELLS: &[&str] = &[
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
const WRAPPERS: &[&str] = &[
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
    for (i, seg) in segments(line).into_iter().enumerate() {
        let piped_into = seg.piped && i > 0;
        let mut words: &[String] = &seg.words;
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
            }
        }
        let lower_args: Vec<String> = args.iter().map(|a| a.to_ascii_lowercase()).collect();
        match program.as_str() {
            "eval" => facts.pipe_to_shell = true,
            "git" => git(args, &mut facts),
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
                facts.recursive_delete |= lower_args.first().is_some_and(|a| a == "repo")
                    && lower_args.get(1).is_some_and(|a| a == "delete");
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
        "branch" => {
            facts.recursive_delete |= rest.iter().any(|a| a == "-D")
                || (has_short_flag(rest, &['d']) && has_short_flag(rest, &['f']));
        }
        _ => {}
    }
}

/// Whether any short-option cluster (`-rf`) holds one of `flags`.
fn has_short_flag(args: &[String], flags: &[char]) -> bool {
    args.iter().any(|a| {
        a.starts_with('-')
            && !a.starts_with("--")
            && a.len() > 1
            && a[1..].chars().any(|c| flags.contains(&c))
    })
}

fn skip_options(words: &[String]) -> &[String] {
    let mut w = words;
    while let Some(first) = w.first() {
        if first.starts_with('-') || is_assignment(first) {
            // `sudo -u root`, `env -i`: an option that takes a value is
            // followed by it; skipping one extra word errs towards flagging.
            let takes_value = matches!(first.as_str(), "-u" | "-g" | "-C" | "-n" | "-s" | "-k");
            w = &w[1..];
            if takes_value && !w.is_empty() {
                w = &w[1..];
            }
        } else {
            break;
        }
    }
    w
}

fn is_assignment(w: &str) -> bool {
    match w.find('=') {
        Some(pos) if pos > 0 => w[..pos]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_'),
        _ => false,
    }
}

fn basename(w: &str) -> String {
    let base = w.rsplit(['/', '\\']).next().unwrap_or(w);
    let base = base.strip_suffix(".exe").unwrap_or(base);
    base.to_ascii_lowercase()
}

/// One simple command: its words, and whether its input is piped from the
/// previous one.
#[derive(Debug)]
struct Segment {
    words: Vec<String>,
    piped: bool,
}

/// Split a line into simple commands at `;`, `&&`, `||`, `|`, `&`,
/// newlines, `$(` and backticks, honouring quotes and backslashes.
fn segments(line: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut piped = false;
    let mut chars = line.chars().peekable();
    let flush_word = |word: &mut String, in_word: &mut bool, words: &mut Vec<String>| {
        if *in_word {
            words.push(std::mem::take(word));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                    word.push(d);
                }
            }
            '"' => {
                in_word = true;
                while let Some(d) = chars.next() {
                    match d {
                        '"' => break,
                        '\\' => {
                            if let Some(e) = chars.next() {
                                word.push(e);
                            }
                        }
                        d => word.push(d),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(e) = chars.next()
                    && e != '\n'
                {
                    word.push(e);
                }
            }
            ' ' | '\t' => flush_word(&mut word, &mut in_word, &mut words),
            ';' | '\n' | '&' | '|' | '`' | '(' | ')' | '{' | '}' => {
                flush_word(&mut word, &mut in_word, &mut words);
                let next_piped = c == '|' && chars.peek() != Some(&'|');
                if c == '|' || c == '&' {
                    // `||` / `&&` / `|&`: consume the second character.
                    if matches!(chars.peek(), Some('|') | Some('&')) {
                        chars.next();
                    }
                }
                if c == '(' && words.last().is_some_and(|w: &String| w == "$") {
                    words.pop();
                }
                if !words.is_empty() {
                    out.push(Segment {
                        words: std::mem::take(&mut words),
                        piped,
                    });
                }
                piped = next_piped;
            }
            '$' if chars.peek() == Some(&'(') => {
                flush_word(&mut word, &mut in_word, &mut words);
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    flush_word(&mut word, &mut in_word, &mut words);
    if !words.is_empty() {
        out.push(Segment { words, piped });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_after_wrappers() {
        let f = analyze("FOO=1 sudo -u root env X=y /usr/bin/git status");
        assert_eq!(f.program, "git");
        assert!(f.elevated);
        assert_eq!(analyze("ls -la | grep x").programs, vec!["ls", "grep"]);
    }

    #[test]
    fn force_push_shapes() {
        for c in [
            "git push --force origin main",
            "git push -f",
            "git push origin +main",
            "git -C repo push --force-with-lease",
            "git push origin :old-branch",
            "git push --delete origin x",
            "cd x && git push -uf origin main",
        ] {
            assert!(analyze(c).force_push, "{c}");
        }
        for c in [
            "git push origin main",
            "git push -u origin feature",
            "echo git push --force",
        ] {
            assert!(!analyze(c).force_push, "{c}");
        }
    }

    #[test]
    fn recursive_delete_shapes() {
        for c in [
            "rm -rf build",
            "rm -r x",
            "rm -fr /",
            "find . -name '*.o' -delete",
            "git clean -fdx",
            "rsync -a --delete a/ b/",
            "sudo rm --recursive /var",
        ] {
            assert!(analyze(c).recursive_delete, "{c}");
        }
        for c in ["rm file.txt", "find . -name x", "git clean -n"] {
            assert!(!analyze(c).recursive_delete, "{c}");
        }
    }

    #[test]
    fn pipe_to_shell_shapes() {
        for c in [
            "curl -fsSL https://x.sh | sh",
            "wget -qO- x | sudo bash",
            "bash <(curl -s x)",
            "eval \"$(curl x)\"",
            "cat script | python3 -",
        ] {
            assert!(analyze(c).pipe_to_shell, "{c}");
        }
        for c in [
            "curl https://x -o file",
            "echo hi | grep h",
            "bash script.sh",
        ] {
            assert!(!analyze(c).pipe_to_shell, "{c}");
        }
    }

    #[test]
    fn quotes_and_nested_shells() {
        assert!(analyze("bash -c 'git push --force'").force_push);
        assert!(!analyze("echo 'rm -rf /'").recursive_delete);
        assert!(analyze("chmod 600 key").changes_permissions);
        assert!(analyze("gh api repos/o/r/collaborators/bob -X PUT").changes_permissions);
    }
}
