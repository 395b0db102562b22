#!/usr/bin/env python3
"""Generate the pathological pull request with `git fast-import`: every
commit carries TRAILERS attribution trailers (each a different agent), and
the pull request creates PATHS protected files (under `.github/`), so the
gate must report PATHS x TRAILERS blocked changes.

The base commit holds the repository's policy set (agentgate.toml, schema,
policies) and a few ordinary files. Deterministic.
"""
import argparse
import os
import subprocess
import sys

TRAILERS = [
    "Co-authored-by: Claude <noreply@anthropic.com>",
    "Co-authored-by: Copilot <198982749+Copilot@users.noreply.github.com>",
    "Co-authored-by: Cursor Agent <cursoragent@cursor.com>",
    "Co-authored-by: devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
    "Co-authored-by: Codex <codex@openai.com>",
    "Co-authored-by: aider (gpt-4o) <aider@aider.chat>",
    "Co-authored-by: OpenHands <openhands@all-hands.dev>",
    "Co-authored-by: gemini-code-assist[bot] <176961590+gemini-code-assist[bot]@users.noreply.github.com>",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--paths", type=int, default=20_000)
    ap.add_argument("--commits", type=int, default=20)
    ap.add_argument("--trailers", type=int, default=7)
    ap.add_argument("--policy-root", default=os.path.join(os.path.dirname(__file__), ".."))
    a = ap.parse_args()
    if a.trailers > len(TRAILERS):
        sys.exit(f"at most {len(TRAILERS)} trailers")

    os.makedirs(a.out, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", a.out], check=True)
    fi = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=a.out, stdin=subprocess.PIPE)
    w = fi.stdin.write

    def data(b):
        w(b"data %d\n" % len(b))
        w(b)
        w(b"\n")

    t = 1_600_000_000

    def commit(ref, who, msg, changes, parent, mark):
        nonlocal t
        t += 60
        w(b"commit %s\nmark :%d\n" % (ref.encode(), mark))
        w(b"author %s %d +0000\n" % (who.encode(), t))
        w(b"committer %s %d +0000\n" % (who.encode(), t))
        data(msg.encode())
        if parent:
            w(b"from :%d\n" % parent)
        for path, content in changes:
            w(b"M 100644 inline %s\n" % path.encode())
            data(content)

    human = "Alice Human <alice@example.com>"
    root = [(f"src/f{i:03d}.rs", f"// {i}\n".encode()) for i in range(100)]
    for rel in ["agentgate.toml", "schemas/agentgate.cedarschema"] + [
        os.path.join("policies", f) for f in sorted(os.listdir(os.path.join(a.policy_root, "policies")))
    ]:
        with open(os.path.join(a.policy_root, rel), "rb") as f:
            root.append((rel, f.read()))
    commit("refs/heads/main", human, "base", root, None, 1)

    trailers = "\n".join(TRAILERS[: a.trailers])
    per = -(-a.paths // a.commits)
    k = 0
    for c in range(a.commits):
        changes = []
        for _ in range(per):
            if k >= a.paths:
                break
            changes.append((f".github/generated/d{k // 500:03d}/f{k % 500:03d}.yml", f"# {k}\n".encode()))
            k += 1
        commit("refs/heads/pr", human, f"Generated workflows, part {c}\n\n{trailers}\n", changes, (c + 1) if c else 1, c + 2)
    fi.stdin.close()
    if fi.wait() != 0:
        sys.exit("fast-import failed")
    subprocess.run(["git", "-C", a.out, "repack", "-adq"], check=True)
    print(f"{a.out}: {a.commits} commits creating {a.paths} protected paths, {a.trailers} agent trailers each")


if __name__ == "__main__":
    main()
