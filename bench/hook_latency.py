#!/usr/bin/env python3
"""Latency of the whole hook process, side by side with `cedar authorize`
(crate cedar-policy-cli) on the same requests, policies and schema.

Goal (issue 5): `agentgate hook claude-code` is not slower than one
`cedar authorize` process. Both are whole processes started cold, as a
harness starts a hook for every tool call; both parse the schema and the
policies. The hook does more: it finds the config, maps the tool call,
fills the context, evaluates twice for a confirm, and writes the decision
log.

Needs `cedar` on PATH: cargo install cedar-policy-cli --version 4.14.1 --locked
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run_once(cmd, stdin_path, cwd):
    with open(stdin_path, "rb") if stdin_path else open(os.devnull, "rb") as f:
        t0 = time.perf_counter()
        p = subprocess.run(cmd, stdin=f, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return (time.perf_counter() - t0) * 1000, p


def side_by_side(a, b, runs):
    """Run the two commands alternately (so drift in the machine's load
    hits both alike); median and p90 wall milliseconds of each, after a
    warm-up, and the last output of each."""
    run_once(*a)
    run_once(*b)
    xa, xb = [], []
    for _ in range(runs):
        ta, pa = run_once(*a)
        tb, pb = run_once(*b)
        xa.append(ta)
        xb.append(tb)
    xa.sort()
    xb.sort()
    p90 = lambda xs: xs[max(0, int(len(xs) * 0.9) - 1)]
    return (statistics.median(xa), p90(xa), pa), (statistics.median(xb), p90(xb), pb)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=50)
    a = ap.parse_args()
    cedar = shutil.which("cedar")
    if not cedar:
        sys.exit("cedar not found: cargo install cedar-policy-cli --version 4.14.1 --locked")
    print("building agentgate (release)...", flush=True)
    if subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=ROOT).returncode != 0:
        sys.exit("build failed")
    ag = os.path.join(ROOT, "target", "release", "agentgate")

    work = tempfile.mkdtemp(prefix="agentgate-hook-bench-")
    subprocess.run(["git", "init", "-q", work], check=True)
    subprocess.run([ag, "init"], cwd=work, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(work, "agentgate.toml"), "a") as f:
        f.write('\n[log]\ndecisions = ".agentgate/decisions.jsonl"\n')
    policies = os.path.join(work, "all.cedar")
    with open(policies, "w") as out:
        for name in sorted(os.listdir(os.path.join(work, "policies"))):
            with open(os.path.join(work, "policies", name)) as f:
                out.write(f.read() + "\n")
    schema = os.path.join(work, "schemas", "agentgate.cedarschema")

    agent = {"uid": {"type": "Agent", "id": "claude-code"}, "attrs": {"login": "", "vendor": "anthropic"}, "parents": []}
    false_flags = {"force_push": False, "recursive_delete": False, "pipe_to_shell": False, "elevated": False, "changes_permissions": False}

    def dirs(path):
        out, parts = [], path.split("/")[:-1]
        chain = [""] + ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
        for i, d in enumerate(chain):
            out.append({"uid": {"type": "Dir", "id": d}, "attrs": {}, "parents": [] if i == 0 else [{"type": "Dir", "id": chain[i - 1]}]})
        return out, chain[-1]

    def file_entities(path):
        ds, parent = dirs(path)
        name = path.rsplit("/", 1)[-1]
        ext = name.rsplit(".", 1)[-1] if "." in name[1:] else ""
        return ds + [{"uid": {"type": "File", "id": path}, "attrs": {"path": path, "name": name, "ext": ext, "kind": "file"}, "parents": [{"type": "Dir", "id": parent}]}]

    cases = [
        (
            "Bash: git push --force (confirm)",
            {"tool_name": "Bash", "tool_input": {"command": "git push --force origin main"}},
            ('Action::"run"', 'Command::"git push --force origin main"'),
            [agent, {"uid": {"type": "Command", "id": "git push --force origin main"}, "attrs": {"line": "git push --force origin main", "program": "git"}, "parents": []}],
            dict(false_flags, force_push=True, confirmed=False, session="s"),
        ),
        (
            "Edit: .github/workflows/ci.yml (deny)",
            {"tool_name": "Edit", "tool_input": {"file_path": os.path.join(work, ".github/workflows/ci.yml"), "old_string": "a", "new_string": "b"}},
            ('Action::"edit"', 'File::".github/workflows/ci.yml"'),
            [agent] + file_entities(".github/workflows/ci.yml"),
            {"confirmed": False, "session": "s"},
        ),
        (
            "Edit: src/main.rs (allow)",
            {"tool_name": "Edit", "tool_input": {"file_path": os.path.join(work, "src/main.rs"), "old_string": "a", "new_string": "b"}},
            ('Action::"edit"', 'File::"src/main.rs"'),
            [agent] + file_entities("src/main.rs"),
            {"confirmed": False, "session": "s"},
        ),
    ]
    print(f"{a.runs} runs each, alternating, after a warm-up; whole processes\n")
    print(f"{'request':<40} {'agentgate hook':>16} {'cedar authorize':>16} {'ratio':>7}")
    ok = True
    for i, (name, call, (action, resource), entities, context) in enumerate(cases):
        payload = dict(session_id="s", cwd=work, hook_event_name="PreToolUse", **call)
        p_path = os.path.join(work, f"payload{i}.json")
        e_path = os.path.join(work, f"entities{i}.json")
        c_path = os.path.join(work, f"context{i}.json")
        for path, value in [(p_path, payload), (e_path, entities), (c_path, context)]:
            with open(path, "w") as f:
                json.dump(value, f)
        (h_med, h_p90, hp), (c_med, c_p90, cp) = side_by_side(
            ([ag, "hook", "claude-code"], p_path, work),
            ([cedar, "authorize", "--policies", policies, "--schema", schema, "--entities", e_path,
              "--principal", 'Agent::"claude-code"', "--action", action, "--resource", resource, "--context", c_path],
             None, work),
            a.runs)
        decision = json.loads(hp.stdout)["hookSpecificOutput"]["permissionDecision"]
        cedar_says = cp.stdout.decode().strip().splitlines()[0] if cp.stdout else cp.stderr.decode()[:60]
        ratio = h_med / c_med
        ok &= ratio <= 1.0
        print(f"{name:<40} {h_med:>7.2f} ms ({decision:>5}) {c_med:>7.2f} ms ({cedar_says:>5}) {ratio:>6.2f}x")
        print(f"{'  p90':<40} {h_p90:>7.2f} ms         {c_p90:>7.2f} ms")
    shutil.rmtree(work, ignore_errors=True)
    print("\ngoal met: the hook is not slower" if ok else "\nGOAL NOT MET: the hook is slower")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
