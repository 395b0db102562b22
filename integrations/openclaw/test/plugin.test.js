// The agentgate OpenClaw plugin against OpenClaw's documented hook shapes
// (docs/plugins/hooks/tool-policy.md, messages.md, reference.md), calling
// the real agentgate binary on a repository made by `agentgate init`.
//
// AGENTGATE_BIN must name the binary (scripts/test.sh sets it to the one
// cargo built). Without it the tests fail, saying so: they never skip.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import plugin, { MANIFEST } from "../index.js";
import { readConfig } from "../lib/gate.js";

const BIN = process.env.AGENTGATE_BIN;
const here = new URL("..", import.meta.url).pathname;
let repo;
let scratch;

before(() => {
  assert.ok(
    BIN,
    "AGENTGATE_BIN is not set: run these tests through scripts/test.sh, or set it to the agentgate binary",
  );
  repo = mkdtempSync(join(tmpdir(), "agentgate-openclaw-repo-"));
  scratch = mkdtempSync(join(tmpdir(), "agentgate-openclaw-bin-"));
  execFileSync("git", ["init", "-q", "-b", "main"], { cwd: repo });
  execFileSync(BIN, ["init"], { cwd: repo, stdio: "ignore" });
});

after(() => {
  for (const d of [repo, scratch]) if (d) rmSync(d, { recursive: true, force: true });
});

/** The plugin registered against a recording stand-in for OpenClaw's api. */
function load(pluginConfig) {
  const handlers = new Map();
  const api = {
    id: "agentgate",
    pluginConfig,
    logger: { info() {}, warn() {}, error() {}, debug() {} },
    on(name, handler, opts) {
      handlers.set(name, { handler, opts });
    },
  };
  plugin.register(api);
  return handlers;
}

/** The environment agentgate sees: no CI, so an approval can be asked. */
function withoutCi(fn) {
  return async () => {
    const saved = { CI: process.env.CI, GITHUB_ACTIONS: process.env.GITHUB_ACTIONS };
    delete process.env.CI;
    delete process.env.GITHUB_ACTIONS;
    try {
      await fn();
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
    }
  };
}

const ctx = { agentId: "main", sessionKey: "agent:main:main", sessionId: "s1", runId: "r1" };
const toolCall = (toolName, params) => [{ toolName, params, toolCallId: "call_1", runId: "r1" }, ctx];

function gate(config = {}) {
  const h = load({ command: BIN, repo, ...config });
  return {
    tool: (name, params) => h.get("before_tool_call").handler(...toolCall(name, params)),
    send: (to, content, channelId = "slack") =>
      h.get("message_sending").handler({ to, content }, { channelId, accountId: "default" }),
  };
}

test("the manifest, the package and the entry agree", () => {
  const manifest = JSON.parse(readFileSync(join(here, "openclaw.plugin.json"), "utf8"));
  const pkg = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));
  assert.equal(manifest.id, "agentgate");
  assert.equal(typeof manifest.configSchema, "object");
  assert.deepEqual(
    { id: manifest.id, name: manifest.name, description: manifest.description, configSchema: manifest.configSchema },
    MANIFEST,
  );
  assert.equal(pkg.type, "module");
  assert.deepEqual(pkg.openclaw.extensions, ["./index.js"]);
  assert.equal(plugin.id, manifest.id);
  // Every key the schema documents is one the plugin reads, and no other.
  assert.deepEqual(Object.keys(manifest.configSchema.properties).sort(), [
    "agent",
    "approvalTimeoutMs",
    "command",
    "repo",
    "timeoutMs",
  ]);
  assert.equal(plugin.configSchema.safeParse({ nope: 1 }).success, false);
  assert.equal(plugin.configSchema.safeParse({ command: "agentgate" }).success, true);
});

test("it registers the two gates, first in line, with a host budget above its own", () => {
  const h = load({ command: BIN, repo, timeoutMs: 2000 });
  assert.deepEqual([...h.keys()].sort(), ["before_tool_call", "message_sending"]);
  for (const { opts } of h.values()) {
    assert.equal(opts.priority, 1000);
    assert.ok(opts.timeoutMs > 2000);
  }
});

test(
  "deleting mail in bulk asks for approval, with a timeout that denies",
  withoutCi(async () => {
    const r = await gate({ approvalTimeoutMs: 45_000 }).tool("gmail__batch_delete_emails", {
      messageIds: ["18c1f0a2b3c4d5e6", "18c1f0a2b3c4d5e7"],
    });
    assert.ok(r?.requireApproval, JSON.stringify(r));
    const a = r.requireApproval;
    assert.equal(a.timeoutMs, 45_000);
    assert.deepEqual(a.allowedDecisions, ["allow-once", "deny"]);
    assert.ok(a.title.length <= 80 && a.description.length <= 512);
    assert.match(a.description, /confirm-irreversible/);
    assert.equal(r.block, undefined);
  }),
);

test(
  "an edit to .github/workflows/ is blocked, whichever tool makes it",
  withoutCi(async () => {
    const g = gate();
    for (const [tool, params] of [
      ["write", { path: ".github/workflows/ci.yml", content: "on: push\n" }],
      ["edit", { path: `${repo}/.github/workflows/ci.yml`, oldText: "a", newText: "b" }],
      [
        "apply_patch",
        { input: "*** Begin Patch\n*** Add File: .github/workflows/x.yml\n+on: push\n*** End Patch\n" },
      ],
      ["exec", { command: "sed -i s/a/b/ .github/workflows/ci.yml" }],
    ]) {
      const r = await g.tool(tool, params);
      assert.equal(r?.block, true, `${tool}: ${JSON.stringify(r)}`);
      assert.match(r.blockReason, /acl-files-need-maintainer-signoff/);
    }
  }),
);

test(
  "what the policies allow is left to OpenClaw (no decision)",
  withoutCi(async () => {
    const g = gate();
    assert.equal(await g.tool("exec", { command: "cargo test" }), undefined);
    assert.equal(await g.tool("read", { path: "src/main.rs" }), undefined);
    assert.equal(await g.tool("session_status", {}), undefined);
  }),
);

test(
  "a public post is cancelled before it is sent; a private one goes out",
  withoutCi(async () => {
    appendFileSync(join(repo, "agentgate.toml"), '\n[audience]\nprivate = ["slack:@alice"]\n');
    const g = gate();
    const r = await g.send("#general", "the answer to your private question");
    assert.equal(r?.cancel, true, JSON.stringify(r));
    assert.match(r.cancelReason, /confirm-unless-private/);
    assert.equal(await g.send("@alice", "the answer"), undefined);
    // The message tool's send is judged by the same rule.
    const t = await g.tool("message", { action: "send", channel: "slack", target: "#general", message: "hi" });
    assert.ok(t?.requireApproval, JSON.stringify(t));
  }),
);

test("a CI run asks nobody: the approval becomes a block", async () => {
  const saved = process.env.CI;
  process.env.CI = "true";
  try {
    const r = await gate().tool("gmail__batch_delete_emails", { messageIds: ["1"] });
    assert.equal(r?.block, true, JSON.stringify(r));
    assert.match(r.blockReason, /to approve/);
  } finally {
    if (saved === undefined) delete process.env.CI;
    else process.env.CI = saved;
  }
});

/** A stand-in binary in the scratch directory. */
function fake(name, script) {
  const p = join(scratch, name);
  writeFileSync(p, `#!/bin/sh\n${script}\n`);
  chmodSync(p, 0o755);
  return p;
}

test("every failure blocks the call and cancels the message", async () => {
  const cases = [
    ["a missing binary", join(scratch, "no-such-agentgate"), /cannot run/],
    ["a crash", fake("crash", "cat >/dev/null; echo boom >&2; exit 101"), /exited 101: boom/],
    ["an answer that is not JSON", fake("text", "cat >/dev/null; echo allow"), /did not answer with JSON/],
    ["a JSON answer of the wrong shape", fake("shape", `cat >/dev/null; echo '{"allow": true}'`), /unexpected answer/],
    ["an array", fake("array", "cat >/dev/null; echo '[]'"), /JSON object/],
    ["a hang", fake("hang", "sleep 30"), /did not answer within 300 ms/],
  ];
  for (const [what, command, why] of cases) {
    const h = load({ command, repo, timeoutMs: 300 });
    const started = Date.now();
    const r = await h.get("before_tool_call").handler(...toolCall("exec", { command: "ls" }));
    assert.equal(r?.block, true, `${what}: ${JSON.stringify(r)}`);
    assert.match(r.blockReason, why, what);
    assert.ok(Date.now() - started < 5000, `${what}: answered in time`);
    const m = await h.get("message_sending").handler({ to: "#x", content: "hi" }, { channelId: "slack" });
    assert.equal(m?.cancel, true, `${what}: ${JSON.stringify(m)}`);
    assert.match(m.cancelReason, why, what);
  }
});

test("a cancelled tool call stops agentgate and blocks", async () => {
  const h = load({ command: fake("slow", "sleep 30"), repo, timeoutMs: 20_000 });
  const ac = new AbortController();
  const pending = h.get("before_tool_call").handler(
    { toolName: "exec", params: { command: "ls" } },
    { ...ctx, abortSignal: ac.signal },
  );
  setTimeout(() => ac.abort(), 100);
  const r = await pending;
  assert.equal(r?.block, true);
  assert.match(r.blockReason, /cancelled/);
});

test("a config the plugin cannot use blocks everything instead of turning the gate off", async () => {
  assert.throws(() => readConfig({ command: "" }), /non-empty string/);
  assert.throws(() => readConfig({ timeoutMs: 5 }), /integer from 100/);
  const h = load({ comand: "agentgate" });
  const r = await h.get("before_tool_call").handler(...toolCall("read", { path: "README.md" }));
  assert.equal(r.block, true);
  assert.match(r.blockReason, /unknown key `comand`/);
  const m = await h.get("message_sending").handler({ to: "x", content: "y" }, { channelId: "slack" });
  assert.equal(m.cancel, true);
});
