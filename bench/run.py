#!/usr/bin/env python3
"""agentgate's benchmark: gate and audit side by side with
`git log --raw --no-renames` over the same commits, in one run.

Goals (issue 3): gate within 2x and audit within 1.5x of git's time; audit
memory that does not grow with history length (compared at two history
lengths over the same tree).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def sh(cmd, cwd=None, out=subprocess.DEVNULL):
    return subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.PIPE, check=False)


def peak_memory(cmd, cwd):
    """Wall seconds, and peak anonymous (heap) and file-backed (mapped pack)
    resident memory in KiB, sampled from /proc every 2 ms."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    anon = mapped = 0
    while p.poll() is None:
        try:
            with open(f"/proc/{p.pid}/status") as f:
                for line in f:
                    if line.startswith("RssAnon:"):
                        anon = max(anon, int(line.split()[1]))
                    elif line.startswith("RssFile:"):
                        mapped = max(mapped, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.002)
    return time.perf_counter() - t0, anon, mapped


def measure(cmd, cwd, runs):
    """Median wall seconds, and the largest heap and mapped memory, over
    `runs` runs after a warm-up."""
    sh(cmd, cwd)
    runs = [peak_memory(cmd, cwd) for _ in range(runs)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs), max(r[2] for r in runs)


def repo(work, name, history, pr):
    path = os.path.join(work, name)
    if not os.path.isdir(os.path.join(path, ".git")):
        sh([sys.executable, os.path.join(HERE, "gen_repo.py"), path, "--history", str(history), "--pr-commits", str(pr)], out=None)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="/tmp/agentgate-bench")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--history", type=int, default=20_000)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    print("building agentgate (release)...", flush=True)
    if sh(["cargo", "build", "--release", "--locked", "-q"], cwd=ROOT, out=None).returncode != 0:
        sys.exit("build failed")
    bin_ = os.path.join(ROOT, "target", "release", "agentgate")

    big = repo(a.work, f"repo-h{a.history}", a.history, 2000)
    small = repo(a.work, f"repo-h{a.history // 4}", a.history // 4, 2000)
    rev = lambda r, x: sh(["git", "rev-parse", x], cwd=r, out=subprocess.PIPE).stdout.decode().strip()
    base, head = rev(big, "main"), rev(big, "pr")
    changed = sh(["git", "log", "--raw", "--no-renames", "--format=", f"{base}..{head}"], cwd=big, out=subprocess.PIPE).stdout.count(b"\n")
    files = int(sh(["git", "ls-tree", "-r", "--name-only", base], cwd=big, out=subprocess.PIPE).stdout.count(b"\n"))
    print(f"repository: {files} files; PR: 2000 commits, {changed} changed paths; history: {a.history} commits\n")

    rows = []
    g_git = measure(["git", "log", "--raw", "--no-renames", f"{base}..{head}"], big, a.runs)
    g_ag = measure([bin_, "gate", "--base", base, "--head", head, "--format", "json"], big, a.runs)
    rows.append(("gate (PR range)", g_ag, g_git, 2.0))
    a_git = measure(["git", "log", "--raw", "--no-renames", "root..main"], big, a.runs)
    a_ag = measure([bin_, "audit", "--range", "root..main", "--format", "json"], big, a.runs)
    rows.append((f"audit ({a.history} commits)", a_ag, a_git, 1.5))
    s_git = measure(["git", "log", "--raw", "--no-renames", "root..main"], small, a.runs)
    s_ag = measure([bin_, "audit", "--range", "root..main", "--format", "json"], small, a.runs)
    rows.append((f"audit ({a.history // 4} commits)", s_ag, s_git, 1.5))

    ok = True
    mib = lambda k: f"{k / 1024:.0f}"
    print(f"{'measurement':<24} {'agentgate':>10} {'git log':>10} {'ratio':>7} {'goal':>6}   {'heap MiB (ag / git)':>20} {'mapped MiB (ag / git)':>22}")
    for name, (t, heap, mapped), (gt, gheap, gmapped), goal in rows:
        ratio = t / gt
        ok &= ratio <= goal
        print(f"{name:<24} {t:>9.2f}s {gt:>9.2f}s {ratio:>6.2f}x {goal:>5.1f}x   {mib(heap):>9} / {mib(gheap):<9} {mib(mapped):>10} / {mib(gmapped):<10}")
    growth = a_ag[1] / s_ag[1]
    git_growth = a_git[1] / s_git[1]
    print(f"\naudit heap with 4x the history: {growth:.2f}x ({mib(s_ag[1])} -> {mib(a_ag[1])} MiB); git log: {git_growth:.2f}x")
    print("(mapped memory is the pack file paged in, which a longer history makes larger for both)")
    ok &= growth <= max(git_growth, 1.25)
    print("goals met" if ok else "GOALS NOT MET")
    with open(os.path.join(a.work, "results.json"), "w") as f:
        json.dump({"rows": rows, "audit_heap_growth": growth, "git_heap_growth": git_growth}, f)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
