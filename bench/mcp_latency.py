#!/usr/bin/env python3
"""Latency `agentgate mcp` adds to each tools/call, and its memory over a
long session.

Goal (issue 12): under 1 ms added at the median, and flat memory. One MCP
test server (examples/mcp_test_server.rs) is called directly and through
the proxy, alternately, one call in flight at a time (so drift in the
machine's load hits both alike), over stdio from this script. Each call is
judged by the reference policies of a repository made by `agentgate init`
(an allowed `echo`, and every tenth call a post to a private channel, so
the audience and the catalog are in the path); the decision log is on.
Reported: p50 and p99 of each, the difference, and the proxy's resident
memory after the warm-up, at each tenth of the run and at its peak
(VmHWM).

    python3 bench/mcp_latency.py [--calls 100000] [--debug]

Builds with `cargo build --release` (or the debug profile with --debug).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


class Session:
    """A JSON-RPC client on a process's stdin and stdout."""

    def __init__(self, cmd, cwd, env):
        self.p = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, bufsize=0,
        )
        self.out = self.p.stdout
        self.next = 0
        self.request("initialize", {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "bench", "version": "1"},
        })
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def send(self, msg):
        self.p.stdin.write((json.dumps(msg) + "\n").encode())

    def request(self, method, params):
        self.next += 1
        rid = self.next
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        while True:
            line = self.out.readline()
            if not line:
                sys.exit(f"{method}: the peer closed its output")
            m = json.loads(line)
            if m.get("id") == rid and "method" not in m:
                return m

    def call(self, name, args):
        t0 = time.perf_counter()
        r = self.request("tools/call", {"name": name, "arguments": args})
        dt = (time.perf_counter() - t0) * 1e6
        if "result" not in r or r["result"].get("isError"):
            sys.exit(f"{name} failed: {r}")
        return dt

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=10)


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def pct(xs, q):
    return xs[min(len(xs) - 1, int(len(xs) * q))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=100_000)
    ap.add_argument("--debug", action="store_true", help="use the debug build")
    ap.add_argument("--agentgate", help="this agentgate binary instead of building one")
    a = ap.parse_args()
    profile = [] if a.debug else ["--release"]
    print(f"building agentgate and the MCP test server ({'debug' if a.debug else 'release'})...", flush=True)
    subprocess.run(["cargo", "build", "--quiet", *profile, "--bin", "agentgate",
                    "--example", "mcp_test_server"], cwd=ROOT, check=True)
    target = os.path.join(ROOT, "target", "debug" if a.debug else "release")
    agentgate = os.path.abspath(a.agentgate) if a.agentgate else os.path.join(target, "agentgate")
    server = os.path.join(target, "examples", "mcp_test_server")

    repo = tempfile.mkdtemp(prefix="agentgate-mcp-bench-")
    subprocess.run(["git", "init", "-q", repo], check=True)
    subprocess.run([agentgate, "init"], cwd=repo, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(repo, "agentgate.toml"), "a") as f:
        f.write('\n[log]\ndecisions = ".agentgate/decisions.jsonl"\n'
                '[audience]\nprivate = ["slack:#team-*"]\n')
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}

    direct = Session([server], repo, env)
    proxied = Session([agentgate, "mcp", "--name", "slack", "--", server], repo, env)
    calls = [("echo", {"text": "hello"})] * 9 + [("chat_postMessage", {"channel": "#team-core", "text": "hi"})]

    warm = min(1000, a.calls // 10)
    for i in range(warm):
        name, args = calls[i % 10]
        direct.call(name, args)
        proxied.call(name, args)
    start_rss = rss_kib(proxied.p.pid)
    xd, xp, samples = [], [], []
    t0 = time.time()
    for i in range(a.calls):
        name, args = calls[i % 10]
        xd.append(direct.call(name, args))
        xp.append(proxied.call(name, args))
        if (i + 1) % max(1, a.calls // 10) == 0:
            samples.append(rss_kib(proxied.p.pid))
    elapsed = time.time() - t0
    peak = rss_kib(proxied.p.pid, "VmHWM")
    direct.close()
    proxied.close()
    with open(os.path.join(repo, ".agentgate", "decisions.jsonl")) as f:
        logged = sum(1 for _ in f)

    xd.sort()
    xp.sort()
    print(f"\n{a.calls} tools/call each way, alternating, one in flight ({elapsed:.0f} s); {logged} decisions logged")
    print("| | p50 | p99 |")
    print("| --- | --- | --- |")
    print(f"| server directly | {pct(xd, .5):.0f} us | {pct(xd, .99):.0f} us |")
    print(f"| through agentgate mcp | {pct(xp, .5):.0f} us | {pct(xp, .99):.0f} us |")
    print(f"| added | {pct(xp, .5) - pct(xd, .5):.0f} us | {pct(xp, .99) - pct(xd, .99):.0f} us |")
    print(f"\nproxy RSS: {start_rss} KiB after the warm-up; every tenth: {', '.join(map(str, samples))} KiB; peak {peak} KiB")


if __name__ == "__main__":
    main()
