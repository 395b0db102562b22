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

/// Programs that read and never write their arguments.
const READERS: &[&str] = &[
    "cat",
    "less",
    "more",
    "head",
    "tail",
    "ls",
    "ll",
    "dir",
    "grep",
    "egrep",
    "fgrep",
    "rg",
    "ag",
    "ack",
    "wc",
    "stat",
    "file",
    "tree",
    "diff",
    "cmp",
    "md5sum",
    "sha1sum",
    "sha256sum",
    "sha512sum",
    "b2sum",
    "du",
    "df",
    "echo",
    "printf",
    "pwd",
    "which",
    "type",
    "whereis",
    "true",
    "false",
    "test",
    "[",
    "realpath",
    "readlink",
    "basename",
    "dirname",
    "jq",
    "yq",
    "bat",
    "sort",
    "uniq",
    "cut",
    "tr",
    "column",
    "nl",
    "od",
    "hexdump",
    "xxd",
    "strings",
    "env",
    "printenv",
    "date",
    "whoami",
    "id",
    "uname",
    "hostname",
    "ps",
    "top",
    "sleep",
    "cd",
    "pushd",
    "popd",
    "exit",
    "set",
    "export",
    "unset",
    "source",
    ".",
    "awk",
    "gawk",
    "fzf",
    "man",
    "help",
    "locate",
    "lsof",
    "free",
    "history",
    "alias",
    "wait",
    "read",
];

/// Git subcommands that only read.
const GIT_READERS: &[&str] = &[
    "log",
    "show",
    "diff",
    "status",
    "blame",
    "grep",
    "ls-files",
    "ls-tree",
    "rev-parse",
    "rev-list",
    "describe",
    "shortlog",
    "cat-file",
    "for-each-ref",
    "show-ref",
    "reflog",
    "whatchanged",
    "name-rev",
    "merge-base",
    "check-ignore",
    "check-attr",
    "count-objects",
    "fsck",
    "help",
    "version",
    "var",
    "fetch",
    "remote",
    "config",
    "branch",
    "tag",
];

/// Record that `path` (relative to `dir`, where the part runs) is written.
fn push_write(facts: &mut CommandFacts, dir: &str, path: &str, certain: bool) {
    let path = path.trim();
    if path.is_empty() || path.starts_with("/dev/") || path == "-" || path.starts_with('&') {
        return;
    }
    let joined = join(dir, path);
    if let Some(w) = facts.writes.iter_mut().find(|w| w.path == joined) {
        w.certain |= certain;
    } else {
        facts.writes.push(Written {
            path: joined,
            certain,
        });
    }
}

/// `dir` joined with `path` (absolute and home-relative paths stand alone).
fn join(dir: &str, path: &str) -> String {
    if dir.is_empty() || path.starts_with('/') || path.starts_with('~') {
        path.to_string()
    } else {
        format!("{}/{path}", dir.trim_end_matches('/'))
    }
}

/// Split a simple command's words into its words proper and the targets
/// of its output redirections (`> f`, `>>f`, `2> f`, `&> f`, `>| f`).
/// Input redirections (`< f`) and descriptor copies (`2>&1`) are dropped.
fn split_redirections(words: &[String]) -> (Vec<String>, Vec<String>) {
    let mut out = Vec::new();
    let mut targets = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let lead = w.trim_start_matches(|c: char| c.is_ascii_digit() || c == '&');
        let op = ["&>>", ">>", ">|", "&>", ">"]
            .iter()
            .find(|op| lead.starts_with(**op));
        let input = lead.starts_with('<');
        match (op, input) {
            (Some(op), _) => {
                let rest = &lead[op.len()..];
                let target = if rest.is_empty() {
                    i += 1;
                    words.get(i).cloned().unwrap_or_default()
                } else {
                    rest.to_string()
                };
                if !target.starts_with('&') {
                    targets.push(target);
                }
            }
            (None, true) => {
                if lead.trim_start_matches('<').is_empty() {
                    i += 1;
                }
            }
            (None, false) => out.push(w.clone()),
        }
        i += 1;
    }
    (out, targets)
}

/// Non-option arguments (after `--`, everything counts).
fn operands(args: &[String]) -> Vec<&str> {
    let mut out = Vec::new();
    let mut all = false;
    for a in args {
        if !all && a == "--" {
            all = true;
        } else if all || !a.starts_with('-') || a == "-" {
            out.push(a.as_str());
        }
    }
    out
}

/// The paths `program` writes, and `cd`'s effect on where later parts run.
fn writes(program: &str, args: &[String], dir: &mut String, facts: &mut CommandFacts) {
    let ops = operands(args);
    let write =
        |facts: &mut CommandFacts, p: &str, certain: bool| push_write(facts, dir, p, certain);
    match program {
        "cd" | "pushd" => {
            *dir = match ops.first() {
                Some(&"-") | None => String::new(),
                Some(d) => join(dir, d),
            };
        }
        "rm" | "rmdir" | "unlink" | "shred" | "srm" | "trash" | "trash-put" | "touch" | "mkdir"
        | "truncate" | "tee" | "mv" | "del" | "rd" | "remove-item" | "ri" | "new-item"
        | "set-content" | "add-content" | "out-file" => {
            for p in ops {
                write(facts, p, true);
            }
        }
        "cp" | "install" | "ln" | "rsync" | "scp" | "copy" | "copy-item" | "move-item" => {
            // The destination: `-t DIR`, else the last operand.
            if let Some(t) = args
                .windows(2)
                .find(|w| w[0] == "-t" || w[0] == "--target-directory")
            {
                write(facts, &t[1], true);
            } else if let Some(last) = ops.last() {
                write(facts, last, true);
            }
            if program == "rsync" && args.iter().any(|a| a == "--remove-source-files") {
                for p in &ops[..ops.len().saturating_sub(1)] {
                    write(facts, p, true);
                }
            }
        }
        "chmod" | "chown" | "chgrp" | "chattr" | "setfacl" => {
            // The first operand is the mode or owner.
            for p in ops.iter().skip(1) {
                write(facts, p, true);
            }
        }
        "sed" | "perl" | "ruby" | "gsed" => {
            let in_place = args.iter().any(|a| {
                a.starts_with("-i")
                    || a == "--in-place"
                    || a.starts_with("--in-place=")
                    || (a.starts_with('-')
                        && !a.starts_with("--")
                        && a.contains('i')
                        && program != "sed")
            });
            if in_place {
                let scripted = args
                    .iter()
                    .any(|a| a == "-e" || a == "-f" || a == "--expression");
                for p in ops.iter().skip(usize::from(!scripted)) {
                    write(facts, p, true);
                }
            }
        }
        "dd" => {
            for a in args {
                if let Some(p) = a.strip_prefix("of=") {
                    write(facts, p, true);
                }
            }
        }
        "tar" | "unzip" | "7z" | "bsdtar" => {
            // Extraction into a directory.
            for w in args.windows(2) {
                if w[0] == "-C" || w[0] == "--directory" || w[0] == "-d" {
                    write(facts, &w[1], true);
                }
            }
        }
        "vi" | "vim" | "nvim" | "nano" | "emacs" | "ed" | "ex" | "code" | "subl" | "pico" => {
            for p in ops {
                write(facts, p, false);
            }
        }
        "git" => git_writes(args, dir, facts),
        "curl" | "wget" | "http" | "xh" => {
            for w in args.windows(2) {
                if matches!(
                    w[0].as_str(),
                    "-o" | "--output" | "-O" | "--output-document" | "-P" | "--directory-prefix"
                ) && !w[1].starts_with('-')
                {
                    write(facts, &w[1], true);
                }
            }
        }
        p if READERS.contains(&p) || WRAPPERS.contains(&p) => {}
        // `bash -c '...'`: the inner line is analysed on its own.
        p if SHELLS.contains(&p) && args.iter().any(|a| a == "-c") => {}
        "find" => {
            if args
                .iter()
                .any(|a| a == "-delete" || a == "-exec" || a == "-execdir" || a == "-fprint")
            {
                for p in ops
                    .iter()
                    .take_while(|p| !p.starts_with('(') && !p.starts_with('!'))
                {
                    write(facts, p, true);
                }
            }
        }
        _ => {
            // A program it does not know: its path arguments may be written.
            for p in ops {
                let pathlike = (p.contains('/') || p.contains('.'))
                    && !p.contains("://")
                    && !p.contains('=')
                    && !p.starts_with('@');
                if pathlike {
                    write(facts, p, false);
                }
            }
        }
    }
}

/// Paths git writes in the work tree: `checkout`/`restore` of paths, `rm`,
/// `mv`, and `-C` moving where it runs.
fn git_writes(args: &[String], dir: &str, facts: &mut CommandFacts) {
    let mut here = dir.to_string();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if a == "-C" {
            if let Some(d) = args.get(i + 1) {
                here = join(&here, d);
            }
            i += 2;
        } else if a == "-c" || a == "--git-dir" || a == "--work-tree" || a == "--namespace" {
            i += 2;
        } else if a.starts_with('-') {
            i += 1;
        } else {
            break;
        }
    }
    let Some(sub) = args.get(i) else { return };
    let rest = &args[i + 1..];
    if GIT_READERS.contains(&sub.as_str()) {
        return;
    }
    match sub.as_str() {
        "checkout" | "restore" => {
            // Paths after `--`, or every operand of `restore`; `checkout
            // <tree-ish> <paths>` without `--`: the operands after the first.
            let dashdash = rest.iter().position(|a| a == "--");
            let paths: Vec<&String> = match dashdash {
                Some(p) => rest[p + 1..].iter().collect(),
                None if sub == "restore" => rest.iter().filter(|a| !a.starts_with('-')).collect(),
                None => rest
                    .iter()
                    .filter(|a| !a.starts_with('-'))
                    .skip(1)
                    .collect(),
            };
            for p in paths {
                push_write(facts, &here, p, true);
            }
        }
        "rm" | "mv" => {
            for p in operands(rest) {
                push_write(facts, &here, p, true);
            }
        }
        "clone" => {
            // `git clone <url> [dir]`: the directory it creates.
            if let Some(d) = operands(rest).get(1) {
                push_write(facts, &here, d, true);
            }
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

    fn written(line: &str) -> Vec<(String, bool)> {
        analyze(line)
            .writes
            .into_iter()
            .map(|w| (w.path, w.certain))
            .collect()
    }

    #[test]
    fn writes_follow_cd_redirections_and_known_writers() {
        let cases: &[(&str, &[(&str, bool)])] = &[
            (
                "cd .github && sed -i 's/a/b/' workflows/ci.yml",
                &[(".github/workflows/ci.yml", true)],
            ),
            ("mv .github /tmp/x", &[(".github", true), ("/tmp/x", true)]),
            ("git checkout HEAD~1 -- .github", &[(".github", true)]),
            ("git -C sub restore CODEOWNERS", &[("sub/CODEOWNERS", true)]),
            ("echo '* @me' > CODEOWNERS", &[("CODEOWNERS", true)]),
            (
                "cat x >>policies/a.cedar 2>&1",
                &[("policies/a.cedar", true)],
            ),
            (
                "cp /tmp/p.cedar policies/acl.cedar",
                &[("policies/acl.cedar", true)],
            ),
            ("cp -t .git/hooks evil pre-commit", &[(".git/hooks", true)]),
            (
                "printf x | tee -a .git/hooks/pre-push",
                &[(".git/hooks/pre-push", true)],
            ),
            ("rm -rf build docs", &[("build", true), ("docs", true)]),
            (
                "chmod +x .git/hooks/post-checkout",
                &[(".git/hooks/post-checkout", true)],
            ),
            (
                "curl -fsSL https://x -o .github/workflows/x.yml",
                &[(".github/workflows/x.yml", true)],
            ),
            (
                "cd src; cd ../.github; touch a",
                &[("src/../.github/a", true)],
            ),
            (
                "bash -c 'cd .github && rm -r workflows'",
                &[(".github/workflows", true)],
            ),
            (
                "python3 tools/gen.py --out .github/x.yml",
                &[("tools/gen.py", false), (".github/x.yml", false)],
            ),
        ];
        for (line, want) in cases {
            let got = written(line);
            for (p, certain) in *want {
                assert!(
                    got.contains(&(p.to_string(), *certain)),
                    "{line}: {p} ({certain}) not in {got:?}"
                );
            }
        }
        for line in [
            "cat .github/workflows/ci.yml",
            "git log -- CODEOWNERS",
            "ls tests/policies/",
            "grep -r foo policies/",
            "git diff .github/",
            "less agentgate.toml | head -5",
            "cargo test --workspace",
            "echo done > /dev/null",
        ] {
            assert!(written(line).is_empty(), "{line}: {:?}", written(line));
        }
    }

    #[test]
    fn destructive_forms_are_flagged() {
        for c in [
            "git reset --hard origin/main",
            "git clean -fdx",
            "git stash drop",
            "gh api -X DELETE repos/o/r",
            "gh api --method DELETE /x",
            "curl -X DELETE https://api/x",
            "gh release delete v1",
        ] {
            assert!(analyze(c).recursive_delete, "{c}");
        }
        for c in [
            "git push origin +main",
            "git push --force-with-lease",
            "git push origin --delete x",
        ] {
            assert!(analyze(c).force_push, "{c}");
        }
        assert!(analyze("gh pr merge 12 --admin --squash").elevated);
        assert!(!analyze("gh pr merge 12 --squash").elevated);
        assert!(!analyze("git reset HEAD~1").recursive_delete);
    }

    #[test]
    fn quotes_and_nested_shells() {
        assert!(analyze("bash -c 'git push --force'").force_push);
        assert!(!analyze("echo 'rm -rf /'").recursive_delete);
        assert!(analyze("chmod 600 key").changes_permissions);
        assert!(analyze("gh api repos/o/r/collaborators/bob -X PUT").changes_permissions);
    }
}
