//! The server's name in tool names (`mcp__<name>__<tool>`), derived from
//! its command or URL when `--name` is not given.
//!
//! The rule, for a command: skip the runner (`npx`, `bunx`, `pnpm dlx`,
//! `uvx`, `pipx run`, `node`, `python -m`, `deno run`, `docker run`, ...)
//! and its flags; take what it runs (a package, module, script or image);
//! drop a version or tag (`@1.2`, `:latest`) and keep the last path
//! segment (`@modelcontextprotocol/server-github` -> `server-github`; for a
//! script called `index.js`, `main.py` and the like, the nearest directory
//! that says more); drop a file extension; then drop the words that only
//! say "MCP server" (`mcp-server-`, `server-`, `-mcp-server`, `-mcp`, ...),
//! and lower-case it. For a URL: the host's most specific label that is not
//! `mcp`, `api` or `www` (`https://mcp.notion.com/mcp` -> `notion`), or
//! `remote` for an address. Anything else than letters, digits, `-` and
//! `_` becomes `-`.

/// Runners: the program, words that follow it, and flags taking a value.
const RUNNERS: &[(&str, &[&str], &[&str])] = &[
    ("npx", &[], &["-p", "--package", "-c", "--call"]),
    ("bunx", &[], &["-p", "--package"]),
    ("pnpm", &["dlx", "exec"], &[]),
    ("yarn", &["dlx"], &["-p", "--package"]),
    ("uvx", &[], &["--from", "--with", "--python", "-p"]),
    (
        "uv",
        &["run", "tool"],
        &["--from", "--with", "--python", "-p", "--directory"],
    ),
    ("pipx", &["run"], &["--spec"]),
    ("node", &[], &["-r", "--require", "--import", "--loader"]),
    ("deno", &["run"], &["--config", "-c"]),
    ("bun", &["run", "x"], &[]),
    ("python", &[], &["-X", "-W"]),
    ("python3", &[], &["-X", "-W"]),
    ("go", &["run"], &[]),
    (
        "cargo",
        &["run"],
        &["-p", "--package", "--bin", "--manifest-path"],
    ),
    (
        "docker",
        &["run", "container"],
        &[
            "-e",
            "--env",
            "--env-file",
            "-v",
            "--volume",
            "--name",
            "--network",
            "-p",
            "--publish",
            "-w",
            "--workdir",
            "-u",
            "--user",
            "--entrypoint",
            "--mount",
            "--platform",
            "-l",
            "--label",
            "--pull",
        ],
    ),
    (
        "podman",
        &["run"],
        &[
            "-e",
            "--env",
            "-v",
            "--volume",
            "--name",
            "--network",
            "-p",
            "-w",
            "-u",
            "--entrypoint",
        ],
    ),
];

/// File names that say nothing about the server.
const GENERIC: &[&str] = &[
    "index", "main", "server", "cli", "app", "run", "start", "build", "dist", "src", "lib", "bin",
    "out", "target", "release", "debug", "__main__",
];

/// The name for a server started by `command` (program first).
pub fn from_command(command: &[String]) -> String {
    let mut words = command.iter().map(String::as_str).peekable();
    let Some(program) = words.next() else {
        return "server".into();
    };
    let base = program.rsplit(['/', '\\']).next().unwrap_or(program);
    let base = base.strip_suffix(".exe").unwrap_or(base);
    let Some((_, subs, valued)) = RUNNERS.iter().find(|(r, _, _)| *r == base) else {
        return clean(program);
    };
    let mut module = false;
    let mut rest: Vec<&str> = Vec::new();
    let mut skip_value = false;
    for w in words {
        if skip_value {
            skip_value = false;
            continue;
        }
        if rest.is_empty() && subs.contains(&w) {
            continue;
        }
        if w == "-m" && base.starts_with("python") {
            module = true;
            continue;
        }
        if w.starts_with('-') {
            skip_value = valued.contains(&w);
            continue;
        }
        rest.push(w);
        break;
    }
    match rest.first() {
        Some(target) if module => clean(&target.replace('.', "/")),
        Some(target) => clean(target),
        None => clean(program),
    }
}

/// The name for a server at `url`.
pub fn from_url(url: &str) -> String {
    let host = url
        .split("://")
        .nth(1)
        .unwrap_or(url)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    if host.is_empty() || host == "localhost" || host.parse::<std::net::IpAddr>().is_ok() {
        return "remote".into();
    }
    let labels: Vec<&str> = host.split('.').collect();
    let mut names = labels[..labels.len().saturating_sub(1)]
        .iter()
        .rev()
        .filter(|l| !matches!(**l, "mcp" | "api" | "www" | "co" | "com"));
    names
        .next()
        .map_or_else(|| "remote".into(), |n| sanitize(n))
}

/// A package, module, script or image name to a server name.
fn clean(target: &str) -> String {
    // An image or package version: `name@1.2`, `image:tag`.
    let mut t = target.trim();
    if let Some((before, _)) = t.rsplit_once('@')
        && !before.is_empty()
    {
        t = before;
    }
    if let Some((before, after)) = t.rsplit_once(':')
        && !after.contains('/')
    {
        t = before;
    }
    let segments: Vec<&str> = t.split(['/', '\\']).filter(|s| !s.is_empty()).collect();
    let stem = |s: &str| -> String {
        let s = s.to_lowercase();
        for ext in [".js", ".mjs", ".cjs", ".ts", ".py", ".exe", ".jar", ".sh"] {
            if let Some(x) = s.strip_suffix(ext) {
                return x.to_string();
            }
        }
        s
    };
    let chosen = segments
        .iter()
        .rev()
        .map(|s| stem(s))
        .find(|s| !GENERIC.contains(&s.as_str()) && !s.starts_with('@'))
        .or_else(|| segments.last().map(|s| stem(s)))
        .unwrap_or_default();
    let mut name = chosen.replace('_', "-");
    for prefix in ["mcp-server-", "server-", "mcp-"] {
        if let Some(x) = name.strip_prefix(prefix)
            && !x.is_empty()
        {
            name = x.to_string();
            break;
        }
    }
    for suffix in ["-mcp-server", "-server-mcp", "-mcp", "-server"] {
        if let Some(x) = name.strip_suffix(suffix)
            && !x.is_empty()
        {
            name = x.to_string();
            break;
        }
    }
    if name.is_empty() {
        return "server".into();
    }
    sanitize(&name)
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(s: &str) -> String {
        from_command(&s.split(' ').map(String::from).collect::<Vec<_>>())
    }

    #[test]
    fn commands_name_their_servers() {
        for (line, want) in [
            ("npx -y @modelcontextprotocol/server-github", "github"),
            (
                "npx -y @modelcontextprotocol/server-filesystem /home/me",
                "filesystem",
            ),
            (
                "npx -y @modelcontextprotocol/server-everything@2026.8.31",
                "everything",
            ),
            ("npx -y @notionhq/notion-mcp-server", "notion"),
            ("uvx mcp-server-git --repository .", "git"),
            ("uvx --from mcp-server-fetch mcp-server-fetch", "fetch"),
            ("python -m mcp_server_fetch", "fetch"),
            ("pipx run mcp-atlassian", "atlassian"),
            (
                "docker run -i --rm -e GITHUB_PERSONAL_ACCESS_TOKEN ghcr.io/github/github-mcp-server",
                "github",
            ),
            ("docker run -i --rm mcp/slack:latest", "slack"),
            ("node /opt/slack-mcp/dist/index.js", "slack"),
            ("/usr/local/bin/github-mcp-server stdio", "github"),
            ("korotovsky-slack-mcp-server", "korotovsky-slack"),
            ("pnpm dlx @softeria/ms-365-mcp-server", "ms-365"),
            ("", "server"),
        ] {
            assert_eq!(cmd(line), want, "{line}");
        }
    }

    #[test]
    fn urls_name_their_servers() {
        for (url, want) in [
            ("https://mcp.notion.com/mcp", "notion"),
            ("https://api.githubcopilot.com/mcp/", "githubcopilot"),
            ("https://mcp.linear.app/sse", "linear"),
            ("http://127.0.0.1:8080/mcp", "remote"),
            ("http://localhost:3000/mcp", "remote"),
        ] {
            assert_eq!(from_url(url), want, "{url}");
        }
    }
}
