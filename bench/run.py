#!/usr/bin/env python3
"""agentgate's benchmarks, each side by side with its baseline in one run,
printing the ratios (CPU seconds: user + system of the whole process, the
median of --runs runs after a warm-up; peak resident memory):

  1. gate on a generated pull request (2,000 commits, 20,000 paths, over
     100,000 files) vs `git log --raw --no-renames` over the same commits;
  2. audit of the generated history (20,000 commits) vs the same `git log`;
     and its heap at a quarter of the history (memory must stay flat);
  3. audit of each real history given with --real PATH vs `git log --raw
     --no-renames` over all of it;
  4. the pathological pull request (7 agent trailers on every commit, 20,000
     protected paths): gate alone, goal under 5 s;
  5. `agentgate test` on a `cedar run-tests` file of 4,000 cases (about 23
     MB, entities inline) vs `cedar run-tests` on the same file; and the
     same cases with entities from files.

Goals: gate and audit at most 1.2x git's CPU; test at least 2x faster than
`cedar run-tests` (CPU and wall) with no more memory. Exit 1 when a goal is
missed. Uses only public tools: Python, git, cargo, and the `cedar` CLI
(scripts/test.sh installs it into target/tools).

  python3 bench/run.py [--work DIR] [--runs N] [--real PATH ...] [--bin PATH]
"""
import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run_once(cmd, cwd):
    """CPU seconds (user + system), wall seconds, peak RSS (KiB), exit code."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    return ru.ru_utime + ru.ru_stime, wall, ru.ru_maxrss, os.waitstatus_to_exitcode(status)


def measure(cmd, cwd, runs):
    run_once(cmd, cwd)
    rs = [run_once(cmd, cwd) for _ in range(runs)]
    return {
        "cpu": statistics.median(r[0] for r in rs),
        "wall": statistics.median(r[1] for r in rs),
        "rss_kib": max(r[2] for r in rs),
        "code": rs[-1][3],
    }


def peak_anon_kib(cmd, cwd):
    """Peak anonymous resident memory (RssAnon: heap, stacks; not the
    pack files git and gix map, which the kernel may drop at will), polled
    from /proc every 2 ms while `cmd` runs. None off Linux."""
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = None
    while p.poll() is None:
        try:
            with open(f"/proc/{p.pid}/status") as f:
                for line in f:
                    if line.startswith("RssAnon:"):
                        peak = max(peak or 0, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.002)
    return peak


def sh(cmd, cwd=None):
    return subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.PIPE).stdout.decode().strip()


def generated(work, name, gen_args):
    path = os.path.join(work, name)
    if not os.path.isdir(os.path.join(path, ".git")):
        subprocess.run([sys.executable] + gen_args + [path], check=True)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="/tmp/agentgate-bench")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--real", action="append", default=[], help="a real repository whose whole history audit reads")
    ap.add_argument("--bin", help="the agentgate binary (default: build it with cargo build --release)")
    ap.add_argument("--cedar", default=shutil.which("cedar") or os.path.join(ROOT, "target/tools/bin/cedar"))
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    # Absolute: the measurements run from inside the generated repositories.
    binary = os.path.abspath(a.bin) if a.bin else None
    if not binary:
        print("building agentgate (cargo build --release; ~18 minutes from cold)...", flush=True)
        subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=ROOT, check=True)
        binary = os.path.join(ROOT, "target", "release", "agentgate")

    rows = []  # (name, agentgate, baseline or None, goal text, met)

    def ratio_row(name, ag, base, goal):
        r = ag["cpu"] / base["cpu"]
        rows.append((name, ag, base, f"<= {goal}x CPU", r <= goal))

    gen = os.path.join(HERE, "gen_repo.py")
    big = generated(a.work, "repo-h20000", [gen, "--history", "20000", "--pr-commits", "2000"])
    small = generated(a.work, "repo-h5000", [gen, "--history", "5000", "--pr-commits", "2000"])
    base, head = sh(["git", "rev-parse", "main"], big), sh(["git", "rev-parse", "pr"], big)

    ratio_row(
        "gate, generated PR (2,000 commits, 20,000 paths)",
        measure([binary, "gate", "--base", base, "--head", head, "--format", "json"], big, a.runs),
        measure(["git", "log", "--raw", "--no-renames", f"{base}..{head}"], big, a.runs),
        1.2,
    )
    audit_big = measure([binary, "audit", "--range", "root..main", "--format", "json"], big, a.runs)
    ratio_row(
        "audit, generated history (20,000 commits)",
        audit_big,
        measure(["git", "log", "--raw", "--no-renames", "root..main"], big, a.runs),
        1.2,
    )
    audit_small = measure([binary, "audit", "--range", "root..main", "--format", "json"], small, a.runs)
    for real in a.real:
        n = sh(["git", "rev-list", "--count", "HEAD"], real)
        ratio_row(
            f"audit, {os.path.basename(real.rstrip('/'))} ({n} commits)",
            measure([binary, "audit", "--format", "json"], real, a.runs),
            measure(["git", "log", "--raw", "--no-renames", "HEAD"], real, a.runs),
            1.2,
        )

    patho = generated(a.work, "pathological", [os.path.join(HERE, "gen_pathological.py")])
    p = measure([binary, "gate", "--base", "main", "--head", "pr", "--format", "json"], patho, a.runs)
    rows.append(("gate, 7 trailers x 20,000 protected paths", p, None, "< 5 s wall", p["wall"] < 5.0))
    pt = measure([binary, "gate", "--base", "main", "--head", "pr"], patho, a.runs)
    rows.append(("  the same, text report", pt, None, "< 5 s wall", pt["wall"] < 5.0))

    # agentgate test vs cedar run-tests, in a repository made by init.
    if not os.path.exists(a.cedar):
        sys.exit(f"no cedar CLI at {a.cedar}: run scripts/test.sh once, or pass --cedar")
    tdir = os.path.join(a.work, "run-tests")
    if not os.path.isdir(os.path.join(tdir, ".git")):
        os.makedirs(tdir, exist_ok=True)
        subprocess.run(["git", "init", "-q", tdir], check=True)
        subprocess.run([binary, "init"], cwd=tdir, check=True, stdout=subprocess.DEVNULL)
        g = os.path.join(HERE, "gen_run_tests.py")
        subprocess.run([sys.executable, g, os.path.join(tdir, "inline.json")], check=True)
        subprocess.run([sys.executable, g, os.path.join(tdir, "files.json"), "--entity-files", "ents"], check=True)
    policies = os.path.join(tdir, "all.cedar")
    with open(policies, "w") as out:
        for f in sorted(glob.glob(os.path.join(tdir, "policies", "*.cedar"))):
            with open(f) as src:
                out.write(src.read() + "\n")
    schema = os.path.join(tdir, "schemas", "agentgate.cedarschema")
    for label, file in [("inline", "inline.json"), ("from files", "files.json")]:
        path = os.path.join(tdir, file)
        ag = measure([binary, "test", path], tdir, a.runs)
        ce = measure([a.cedar, "run-tests", "--policies", policies, "--schema", schema, "--tests", path], tdir, a.runs)
        met = ag["cpu"] * 2 <= ce["cpu"] and ag["wall"] * 2 <= ce["wall"] and ag["rss_kib"] <= ce["rss_kib"]
        rows.append((f"test, 4,000 run-tests cases, entities {label}", ag, ce, ">= 2x faster, <= memory", met))
        if ag["code"] != 0 or ce["code"] != 0:
            print(f"warning: exit codes agentgate {ag['code']}, cedar {ce['code']} on {file}")

    mib = lambda k: f"{k / 1024:.0f} MiB"
    print(f"\n{'measurement':<50} {'agentgate cpu/wall/peak':>28} {'baseline cpu/wall/peak':>28} {'ratio':>7}  goal")
    ok = True
    for name, ag, bl, goal, met in rows:
        agt = f"{ag['cpu']:.2f}s/{ag['wall']:.2f}s/{mib(ag['rss_kib'])}"
        blt = f"{bl['cpu']:.2f}s/{bl['wall']:.2f}s/{mib(bl['rss_kib'])}" if bl else "-"
        r = f"{ag['cpu'] / bl['cpu']:.2f}x" if bl else "-"
        print(f"{name:<50} {agt:>28} {blt:>28} {r:>7}  {goal}: {'met' if met else 'NOT MET'}")
        ok &= met
    # Memory flat in history length: the heap (anonymous memory) at 4x the
    # history, goal at most 1.25x. Peak RSS also counts the pages of the pack
    # file read so far, which grow with any reader's history (git's too).
    growth = audit_big["rss_kib"] / audit_small["rss_kib"]
    print(f"\naudit peak RSS at 4x the history: {growth:.2f}x ({mib(audit_small['rss_kib'])} -> {mib(audit_big['rss_kib'])}), mapped pack pages included")
    cmd = [binary, "audit", "--range", "root..main", "--format", "json"]
    anon_small = max(peak_anon_kib(cmd, small) or 0 for _ in range(3))
    anon_big = max(peak_anon_kib(cmd, big) or 0 for _ in range(3))
    if anon_small and anon_big:
        anon_growth = anon_big / anon_small
        print(f"audit peak heap (RssAnon) at 4x the history: {anon_growth:.2f}x ({mib(anon_small)} -> {mib(anon_big)}); goal <= 1.25x: {'met' if anon_growth <= 1.25 else 'NOT MET'}")
        ok &= anon_growth <= 1.25
    else:
        anon_growth = None
        print("audit peak heap: not measurable here (no /proc); judged by peak RSS, goal <= 1.25x")
        ok &= growth <= 1.25
    with open(os.path.join(a.work, "results.json"), "w") as f:
        json.dump({"rows": [(n, ag, bl, g, m) for n, ag, bl, g, m in rows], "audit_memory_growth": growth, "audit_heap_growth": anon_growth}, f, indent=1)
    print("goals met" if ok else "GOALS NOT MET")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
