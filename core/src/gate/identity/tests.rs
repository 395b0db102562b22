//! What real histories contain, recognised: every documented agent marking,
//! names and trailers of agents and models, and what is not an agent.

use super::*;

fn meta(author: &str, committer: &str, message: &str) -> CommitMeta {
    CommitMeta {
        id: "x".into(),
        author: Person::parse(author),
        committer: Person::parse(committer),
        message: message.into(),
        parents: vec![],
        time: 0,
    }
}

fn ids(inv: &Involvement) -> Vec<&str> {
    inv.agents.iter().map(|a| a.id.as_str()).collect()
}

#[test]
fn every_documented_agent_marking_is_recognised() {
    let c = Catalog::builtin();
    let human = "Alice <alice@example.com>";
    let cases = [
        (
            meta(
                "Copilot <198982749+Copilot@users.noreply.github.com>",
                "GitHub <noreply@github.com>",
                "Fix\n\nCo-authored-by: alice <alice@example.com>",
            ),
            "copilot",
        ),
        (
            meta(
                "copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>",
                human,
                "x",
            ),
            "copilot",
        ),
        (
            meta(
                human,
                human,
                "x\n\nAgent-Logs-Url: https://github.com/o/r/sessions/1",
            ),
            "copilot",
        ),
        (
            meta(
                human,
                human,
                "x\n\nCo-authored-by: Copilot <223556219+Copilot@users.noreply.github.com>",
            ),
            "copilot-cli",
        ),
        (
            meta(
                human,
                human,
                "x\n\nCo-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>",
            ),
            "claude-code",
        ),
        (
            meta(
                human,
                human,
                "x\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)",
            ),
            "claude-code",
        ),
        (
            meta(human, human, "x\n\nClaude-Session: https://claude.ai/x"),
            "claude-code",
        ),
        (
            meta(
                "claude[bot] <209825114+claude[bot]@users.noreply.github.com>",
                human,
                "x",
            ),
            "claude",
        ),
        (
            meta(
                "Devin AI <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
                human,
                "x",
            ),
            "devin",
        ),
        (
            meta(
                "google-labs-jules[bot] <161369871+google-labs-jules[bot]@users.noreply.github.com>",
                human,
                "x",
            ),
            "jules",
        ),
        (
            meta(
                human,
                human,
                "x\n\nCo-authored-by: Codex <noreply@openai.com>",
            ),
            "codex",
        ),
        (
            meta(
                human,
                human,
                "x\n\nCo-authored-by: Cursor <cursoragent@cursor.com>",
            ),
            "cursor",
        ),
        (meta(human, human, "x\n\nMade-with: Cursor"), "cursor"),
        (
            meta("Alice (aider) <alice@example.com>", human, "x"),
            "aider",
        ),
        (meta(human, human, "aider: fix the bug"), "aider"),
        (
            meta(
                human,
                human,
                "x\n\nCo-authored-by: aider (gpt-4o) <aider@aider.chat>",
            ),
            "aider",
        ),
        (
            meta(
                "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>",
                human,
                "x",
            ),
            "dependabot",
        ),
        (
            meta(
                "renovate[bot] <29139614+renovate[bot]@users.noreply.github.com>",
                human,
                "x",
            ),
            "renovate",
        ),
        (
            meta(
                human,
                "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>",
                "x",
            ),
            "github-actions",
        ),
    ];
    for (m, want) in cases {
        let inv = identify(&c, &m);
        assert!(
            ids(&inv).contains(&want),
            "{want} not found in {m:?}: {inv:?}"
        );
    }
}

#[test]
fn tool_trailers_and_unknown_bots_are_agents() {
    let c = Catalog::builtin();
    let h = "Alice <alice@example.com>";
    assert_eq!(
        ids(&identify(
            &c,
            &meta(h, h, "x\n\nAssisted-by: GPT-5:o3 [grep]")
        )),
        vec!["gpt-5"]
    );
    assert_eq!(
        ids(&identify(&c, &meta(h, h, "x\n\nGenerated-by: Claude Code"))),
        vec!["claude-code"]
    );
    assert_eq!(
        ids(&identify(&c, &meta(h, h, "x\n\nAI-Assisted: yes"))),
        vec!["ai-assisted"]
    );
    assert!(
        identify(&c, &meta(h, h, "x\n\nAI-Assisted: no"))
            .agents
            .is_empty()
    );
    let bot = identify(
        &c,
        &meta("x <1+some-app[bot]@users.noreply.github.com>", h, "x"),
    );
    assert_eq!(ids(&bot), vec!["some-app[bot]"]);
}

#[test]
fn identities_seen_in_real_histories_are_recognised() {
    let c = Catalog::builtin();
    let h = "Alice <alice@example.com>";
    let cases = [
        ("x\n\nCo-authored-by: Codex <codex@openai.com>", "codex"),
        (
            "x\n\nCo-authored-by: Copilot <copilot@github.com>",
            "copilot",
        ),
        (
            "x\n\nCo-authored-by: aider (anthropic/claude-3.7-sonnet) <noreply@aider.dev>",
            "aider",
        ),
        (
            "x\n\nCo-authored-by: aider (gpt-4o) <someone@else.example>",
            "aider",
        ),
        (
            "x\n\nCo-Authored-By: apk@cognition.ai <apk@cognition.ai>",
            "devin",
        ),
        (
            "Bump serde\n\nSigned-off-by: dependabot[bot] <support@github.com>",
            "dependabot",
        ),
        (
            "x\n\nCo-authored-by: Jane Doe (claude-sonnet-4) <jane@example.com>",
            "claude",
        ),
        (
            "x\n\nCo-authored-by: Sam (gpt-4.1-mini) <sam@example.com>",
            "gpt-4.1-mini",
        ),
        ("x\n\nGenerated-by: ChatGPT", "chatgpt"),
        ("x\n\nMade-with: Windsurf", "windsurf"),
    ];
    for (message, want) in cases {
        let inv = identify(&c, &meta(h, h, message));
        assert!(ids(&inv).contains(&want), "{want} in {message:?}: {inv:?}");
    }
    for (author, want) in [
        (
            "github-advanced-security[bot] <62310815+github-advanced-security[bot]@users.noreply.github.com>",
            "copilot-autofix",
        ),
        (
            "github-code-quality[bot] <1+github-code-quality[bot]@users.noreply.github.com>",
            "copilot-autofix",
        ),
        ("Paul Gauthier (aider) <paul@example.com>", "aider"),
        ("aider (o3-mini) <x@example.com>", "aider"),
        ("Tom (llama3) <tom@example.com>", "llama3"),
    ] {
        let inv = identify(&c, &meta(author, h, "x"));
        assert!(ids(&inv).contains(&want), "{want} for {author}: {inv:?}");
    }
}

#[test]
fn generic_tool_trailers_need_an_ai_tool_or_model() {
    let c = Catalog::builtin();
    let h = "Alice <alice@example.com>";
    for message in [
        "x\n\nMade-with: love and coffee",
        "x\n\nGenerated-by: protoc 3.21",
        "x\n\nGenerated-by: make docs",
        "x\n\nMade-with: Rust",
    ] {
        let inv = identify(&c, &meta(h, h, message));
        assert!(inv.agents.is_empty(), "{message:?}: {inv:?}");
    }
    // A name in parentheses that is no model stays a human.
    for author in [
        "Alice (Work) <a@example.com>",
        "Bob (he/him) <b@example.com>",
    ] {
        assert!(
            identify(&c, &meta(author, h, "x")).agents.is_empty(),
            "{author}"
        );
    }
    // AI-specific keys count whatever they say.
    let inv = identify(&c, &meta(h, h, "x\n\nAI-Tool: in-house"));
    assert_eq!(ids(&inv), vec!["in-house"]);
}

#[test]
fn automation_is_told_from_ai() {
    use crate::policy::config::AgentKind;
    let c = Catalog::builtin();
    for id in ["dependabot", "renovate", "github-actions", "pre-commit-ci"] {
        assert_eq!(c.kind(id), AgentKind::Automation, "{id}");
    }
    for id in ["copilot", "claude-code", "devin", "some-app[bot]", "gpt-5"] {
        assert_eq!(c.kind(id), AgentKind::Ai, "{id}");
    }
}

#[test]
fn humans_stay_humans_and_coauthors_are_kept() {
    let c = Catalog::builtin();
    let h = "Alice <alice@example.com>";
    let inv = identify(
        &c,
        &meta(
            h,
            "GitHub <noreply@github.com>",
            "Fix\n\nCo-authored-by: Bob <bob@example.com>\nSigned-off-by: Alice <alice@example.com>",
        ),
    );
    assert!(inv.agents.is_empty());
    assert_eq!(
        inv.named,
        vec![
            Person::parse("Bob <bob@example.com>"),
            Person::parse("Alice <alice@example.com>")
        ]
    );
}

#[test]
fn noreply_logins() {
    assert_eq!(
        noreply_login(&Person::parse("x <123+Alice@users.noreply.github.com>")).as_deref(),
        Some("alice")
    );
    assert_eq!(
        noreply_login(&Person::parse("x <alice@users.noreply.github.com>")).as_deref(),
        Some("alice")
    );
    assert_eq!(noreply_login(&Person::parse("x <alice@example.com>")), None);
}

/// The trailer reader as it was written first (split at the first colon,
/// then check the key): the fast reader must find exactly the same
/// trailers on any message.
fn trailers_reference(message: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in message.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim();
        if key.is_empty()
            || key.len() > 40
            || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            continue;
        }
        if line.starts_with(char::is_whitespace) {
            continue;
        }
        out.push((key.to_string(), value.trim().to_string()));
    }
    out
}

#[test]
fn trailers_are_read_as_the_reference_reads_them() {
    let pieces = [
        "Co-authored-by",
        "Signed-off-by",
        "a",
        "-",
        "x-y-z",
        "Key with space",
        "é",
        "0123456789012345678901234567890123456789",
        "01234567890123456789012345678901234567890",
        ":",
        " ",
        "\t",
        "\u{3000}",
        "\u{a0}",
        "\r",
        "\n",
        " : ",
        "Claude <noreply@anthropic.com>",
        "::",
        "https://example.com/a:b",
        "",
    ];
    // A small deterministic generator: every run checks the same 20,000
    // messages made of the pieces above.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let mut message = String::new();
        for _ in 0..(next() % 12) {
            message.push_str(pieces[(next() % pieces.len() as u64) as usize]);
        }
        let fast: Vec<(String, String)> = trailers(&message)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(fast, trailers_reference(&message), "message {message:?}");
    }
}
