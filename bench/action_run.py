#!/usr/bin/env python3
"""How long the GitHub Action takes with a prebuilt binary: the install step
(scripts/install.sh: download from a release server, verify SHA256SUMS,
unpack, check the version) plus one `agentgate github` run on a pull request
(a repository from `agentgate init` where an agent edits CI, blocked, then
approved), against a minimal GitHub API. Both servers are real HTTP servers
on 127.0.0.1, so network time is loopback time: on a hosted runner, add the
download of the archive (about 11 MB) from GitHub.

  python3 bench/action_run.py --bin target/release/agentgate [--runs N]
"""
import argparse
import functools
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
REPO = "octo-org/widgets"


def serve(handler):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}"


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


def github_handler(state):
    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def reply(self, code, body):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            path = self.path.split("?")[0]
            p = f"/repos/{REPO}"
            if path == "/user":
                return self.reply(403, {"message": "Resource not accessible by integration"})
            if path == f"{p}/pulls/1":
                return self.reply(200, state["pull"])
            if path in (f"{p}/pulls/1/commits",) or path.startswith(f"{p}/compare/"):
                items = state["commits"]
                return self.reply(200, items if "pulls" in path else {"total_commits": len(items), "commits": items})
            if path == f"{p}/pulls/1/reviews":
                return self.reply(200, state["reviews"])
            if path == f"{p}/issues/1/comments":
                return self.reply(200, state["comments"])
            if path.startswith(f"{p}/collaborators/"):
                return self.reply(200, {"permission": "write", "role_name": "write", "user": {"login": path.split("/")[-2]}})
            return self.reply(404, {"message": "Not Found"})

        def do_POST(self):
            n = int(self.headers.get("content-length", 0))
            body = json.loads(self.rfile.read(n) or b"null")
            if self.path.endswith("/check-runs"):
                return self.reply(201, {"id": 1, "app": {"slug": "github-actions"}})
            if self.path.endswith("/issues/1/comments"):
                c = {"id": len(state["comments"]) + 10, "body": body["body"], "user": {"login": "github-actions[bot]", "type": "Bot"}}
                state["comments"].append(c)
                return self.reply(201, c)
            if self.path == "/graphql":
                return self.reply(200, {"data": {"viewer": {"login": "github-actions[bot]"}}})
            return self.reply(404, {"message": "Not Found"})

        def do_PATCH(self):
            n = int(self.headers.get("content-length", 0))
            body = json.loads(self.rfile.read(n) or b"null")
            for c in state["comments"]:
                if self.path.endswith(f"/comments/{c['id']}"):
                    c["body"] = body["body"]
                    return self.reply(200, c)
            return self.reply(404, {"message": "Not Found"})

    return H


def git(cwd, *args, who=("Alice Human", "alice@example.com")):
    env = dict(os.environ, GIT_AUTHOR_NAME=who[0], GIT_AUTHOR_EMAIL=who[1], GIT_COMMITTER_NAME=who[0],
               GIT_COMMITTER_EMAIL=who[1], GIT_CONFIG_GLOBAL="/dev/null")
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, stdout=subprocess.PIPE).stdout.decode().strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--runs", type=int, default=10)
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    version = subprocess.run([binary, "--version"], check=True, stdout=subprocess.PIPE).stdout.decode().split()[-1]
    tag = f"v{version}"
    work = tempfile.mkdtemp(prefix="agentgate-action-")
    target = "x86_64-unknown-linux-musl"

    # The release, as the release workflow makes it.
    rel = os.path.join(work, "releases", tag)
    os.makedirs(rel)
    subprocess.run(["bash", os.path.join(ROOT, "scripts/package.sh"), target, tag, binary, rel], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["bash", os.path.join(ROOT, "scripts/sha256sums.sh"), rel], check=True, stdout=subprocess.DEVNULL)
    rsrv, rurl = serve(functools.partial(Quiet, directory=os.path.join(work, "releases")))

    # The repository and pull request.
    repo = os.path.join(work, "repo")
    os.makedirs(repo)
    git(repo, "init", "-q", "-b", "main")
    subprocess.run([binary, "init"], cwd=repo, check=True, stdout=subprocess.DEVNULL)
    cfg = open(os.path.join(repo, "agentgate.toml")).read().replace("maintainers = []", 'maintainers = ["alice"]')
    open(os.path.join(repo, "agentgate.toml"), "w").write(cfg)
    os.makedirs(os.path.join(repo, ".github/workflows"))
    open(os.path.join(repo, ".github/workflows/ci.yml"), "w").write("on: push\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    base = git(repo, "rev-parse", "HEAD")
    open(os.path.join(repo, ".github/workflows/ci.yml"), "w").write("on: [push, pull_request]\n")
    git(repo, "commit", "-qam", "CI on pull requests", who=("Copilot", "198982749+Copilot@users.noreply.github.com"))
    head = git(repo, "rev-parse", "HEAD")
    user = lambda login, t: {"login": login, "type": t}
    state = {
        "pull": {"number": 1, "state": "open", "user": user("pr-opener", "User"), "assignees": [],
                 "base": {"sha": base, "repo": {"full_name": REPO}}, "head": {"sha": head, "repo": {"full_name": REPO, "fork": False}}},
        "commits": [{"sha": head, "author": user("Copilot", "Bot"), "committer": user("web-flow", "User")}],
        "reviews": [],
        "comments": [],
    }
    gsrv, gurl = serve(github_handler(state))
    event = os.path.join(work, "event.json")
    json.dump({"number": 1, "pull_request": {"number": 1, "head": {"sha": head}}}, open(event, "w"))

    def once(approved):
        state["reviews"] = [{"id": 1, "user": user("alice", "User"), "state": "APPROVED", "commit_id": head,
                             "submitted_at": "2025-01-01T10:00:00Z"}] if approved else []
        tmp = tempfile.mkdtemp(dir=work)
        env = dict(os.environ, RUNNER_TEMP=tmp, GITHUB_PATH=os.path.join(tmp, "path"), GITHUB_OUTPUT=os.path.join(tmp, "out"),
                   INPUT_VERSION=tag, AGENTGATE_RELEASE_URL=rurl, AGENTGATE_TARGET=target, GITHUB_ACTIONS="true")
        t0 = time.perf_counter()
        inst = subprocess.run(["bash", os.path.join(ROOT, "scripts/install.sh"), "release"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if inst.returncode != 0:
            sys.exit(f"the install step failed:\n{inst.stdout.decode(errors='replace')}")
        t1 = time.perf_counter()
        installed = os.path.join(tmp, "agentgate-bin", "agentgate")
        genv = dict(env, GITHUB_EVENT_NAME="pull_request_target", GITHUB_EVENT_PATH=event, GITHUB_REPOSITORY=REPO,
                    GITHUB_API_URL=gurl, GITHUB_GRAPHQL_URL=f"{gurl}/graphql", GITHUB_TOKEN="t", GITHUB_WORKSPACE=repo,
                    GITHUB_STEP_SUMMARY=os.path.join(tmp, "summary"))
        r = subprocess.run([installed, "github", "--no-fetch"], cwd=repo, env=genv, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        t2 = time.perf_counter()
        shutil.rmtree(tmp)
        return t1 - t0, t2 - t1, r.returncode

    once(False)
    rows = {False: [], True: []}
    for i in range(a.runs):
        for approved in (False, True):
            rows[approved].append(once(approved))
    for approved, rs in rows.items():
        codes = {r[2] for r in rs}
        inst = statistics.median(r[0] for r in rs)
        run = statistics.median(r[1] for r in rs)
        tot = statistics.median(r[0] + r[1] for r in rs)
        print(f"{'approved' if approved else 'blocked '} (exit {sorted(codes)}): install {inst:.3f} s + run {run:.3f} s = {tot:.3f} s "
              f"(median of {len(rs)}; min {min(r[0] + r[1] for r in rs):.3f}, max {max(r[0] + r[1] for r in rs):.3f})")
    rsrv.shutdown()
    gsrv.shutdown()
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
