#!/usr/bin/env python3
"""Generate a benchmark repository with `git fast-import`.

Layout: a root commit with FILES files (DIRS directories) plus the
repository's policy set and workflows; HISTORY commits on `main` (about a
third by agents, a few of those touching .github/); then PR_COMMITS commits on
`pr`, each changing PATHS_PER_COMMIT distinct files, all by agents, a few
touching workflows. Deterministic for a given seed.
"""
import argparse
import os
import random
import subprocess
import sys

AGENTS = [
    ("Copilot", "198982749+Copilot@users.noreply.github.com", ""),
    ("Devin AI", "158243242+devin-ai-integration[bot]@users.noreply.github.com", ""),
    ("Alice Human", "alice@example.com", "\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"),
]
HUMANS = [("Bob Human", "bob@example.com"), ("Carol Human", "carol@example.com")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--history", type=int, default=20_000)
    ap.add_argument("--pr-commits", type=int, default=2_000)
    ap.add_argument("--paths-per-commit", type=int, default=10)
    ap.add_argument("--policy-root", default=os.path.join(os.path.dirname(__file__), ".."))
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rnd = random.Random(a.seed)

    os.makedirs(a.out, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", a.out], check=True)
    fi = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=a.out, stdin=subprocess.PIPE)
    w = fi.stdin.write

    def data(b):
        w(b"data %d\n" % len(b))
        w(b)
        w(b"\n")

    per_dir = 100
    files = [f"src/d{i // per_dir:04d}/f{i % per_dir:02d}.rs" for i in range(a.files)]
    workflows = [f".github/workflows/w{i:02d}.yml" for i in range(20)]
    t = 1_600_000_000

    def commit(ref, who, msg, changes, parent_mark, mark):
        nonlocal t
        t += 60
        w(b"commit %s\nmark :%d\n" % (ref.encode(), mark))
        w(b"author %s <%s> %d +0000\n" % (who[0].encode(), who[1].encode(), t))
        w(b"committer %s <%s> %d +0000\n" % (who[0].encode(), who[1].encode(), t))
        data(msg.encode())
        if parent_mark:
            w(b"from :%d\n" % parent_mark)
        for path, content in changes:
            w(b"M 100644 inline %s\n" % path.encode())
            data(content)

    # Root: the tree and the policy set.
    root = []
    for p in files:
        root.append((p, f"// {p}\n".encode()))
    for p in workflows:
        root.append((p, b"on: push\n"))
    for rel in ["agentgate.toml", "schemas/agentgate.cedarschema"] + [
        os.path.join("policies", f) for f in sorted(os.listdir(os.path.join(a.policy_root, "policies")))
    ]:
        with open(os.path.join(a.policy_root, rel), "rb") as f:
            root.append((rel, f.read()))
    mark = 1
    commit("refs/heads/main", HUMANS[0], "root", root, None, mark)
    root_mark = mark

    # History on main.
    for i in range(a.history):
        mark += 1
        if rnd.random() < 0.33:
            who = rnd.choice(AGENTS)
            extra = who[2]
        else:
            who = rnd.choice(HUMANS) + ("",)
            extra = ""
        paths = rnd.sample(files, 3)
        if who[2] or who in AGENTS:
            if rnd.random() < 0.02:
                paths[0] = rnd.choice(workflows)
        changes = [(p, f"// {p} v{i}\n".encode()) for p in paths]
        commit("refs/heads/main", who[:2], f"history {i}{extra}", changes, mark - 1, mark)
    base_mark = mark

    # The pull request: distinct paths, all by agents.
    order = list(range(a.files))
    rnd.shuffle(order)
    k = 0
    for i in range(a.pr_commits):
        mark += 1
        who = AGENTS[i % len(AGENTS)]
        paths = []
        for _ in range(a.paths_per_commit):
            paths.append(files[order[k % a.files]])
            k += 1
        if i % 100 == 0:
            paths[0] = workflows[(i // 100) % len(workflows)]
        changes = [(p, f"// {p} pr{i}\n".encode()) for p in paths]
        commit("refs/heads/pr", who[:2], f"pr {i}{who[2]}", changes, mark - 1 if i else base_mark, mark)
    w(b"reset refs/tags/root\nfrom :%d\n" % root_mark)
    fi.stdin.close()
    if fi.wait() != 0:
        sys.exit("fast-import failed")
    subprocess.run(["git", "-C", a.out, "repack", "-adq"], check=True)
    print(f"{a.out}: {a.files} files, {a.history} history commits, {a.pr_commits} PR commits")


if __name__ == "__main__":
    main()
