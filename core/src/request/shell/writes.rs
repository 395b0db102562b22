//! The paths a command line writes: the targets of known writers (`rm`,
//! `mv`, `cp`, `sed -i`, `tee`, `git checkout --`, ...), joined to the
//! directory each part runs in (`cd`, `git -C`); programs that only read
//! write nothing; the path arguments of programs it does not know are
//! possible writes.

use super::{CommandFacts, SHELLS, WRAPPERS, Written};

/// Programs that read and never write their arguments.
pub(super) const READERS: &[&str] = &[
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
pub(super) const GIT_READERS: &[&str] = &[
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
pub(super) fn push_write(facts: &mut CommandFacts, dir: &str, path: &str, certain: bool) {
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
pub(super) fn join(dir: &str, path: &str) -> String {
    if dir.is_empty() || path.starts_with('/') || path.starts_with('~') {
        path.to_string()
    } else {
        format!("{}/{path}", dir.trim_end_matches('/'))
    }
}

/// Non-option arguments (after `--`, everything counts).
pub(super) fn operands(args: &[String]) -> Vec<&str> {
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
pub(super) fn writes(program: &str, args: &[String], dir: &mut String, facts: &mut CommandFacts) {
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
pub(super) fn git_writes(args: &[String], dir: &str, facts: &mut CommandFacts) {
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
