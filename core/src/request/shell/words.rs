//! Splitting a command line into simple commands and words, honouring
//! quotes and backslashes, and the small word-level facts the analysis
//! needs (option clusters, assignments, program names, redirections).

/// Split a simple command's words into its words proper and the targets
/// of its output redirections (`> f`, `>>f`, `2> f`, `&> f`, `>| f`).
/// Input redirections (`< f`) and descriptor copies (`2>&1`) are dropped.
pub(super) fn split_redirections(words: &[String]) -> (Vec<String>, Vec<String>) {
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

/// Whether any short-option cluster (`-rf`) holds one of `flags`.
pub(super) fn has_short_flag(args: &[String], flags: &[char]) -> bool {
    args.iter().any(|a| {
        a.starts_with('-')
            && !a.starts_with("--")
            && a.len() > 1
            && a[1..].chars().any(|c| flags.contains(&c))
    })
}

pub(super) fn skip_options(words: &[String]) -> &[String] {
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

pub(super) fn is_assignment(w: &str) -> bool {
    match w.find('=') {
        Some(pos) if pos > 0 => w[..pos]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_'),
        _ => false,
    }
}

pub(super) fn basename(w: &str) -> String {
    let base = w.rsplit(['/', '\\']).next().unwrap_or(w);
    let base = base.strip_suffix(".exe").unwrap_or(base);
    base.to_ascii_lowercase()
}

/// One simple command: its words, and whether its input is piped from the
/// previous one.
#[derive(Debug)]
pub(super) struct Segment {
    pub(super) words: Vec<String>,
    pub(super) piped: bool,
}

/// Split a line into simple commands at `;`, `&&`, `||`, `|`, `&`,
/// newlines, `$(` and backticks, honouring quotes and backslashes.
pub(super) fn segments(line: &str) -> Vec<Segment> {
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
