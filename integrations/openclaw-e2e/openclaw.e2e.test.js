// The agentgate plugin loaded into real OpenClaw (npm `openclaw`, pinned in
// this directory's lockfile): `openclaw agent --local` runs one embedded turn
// against a scripted model on loopback (model.mjs) whose only move is one
// tool call; the test reads what OpenClaw told the model that call did.
//
// OpenClaw runs with its home, state and config in a temporary directory,
// the plugin from ../openclaw through plugins.load.paths, and agentgate (the binary
// in AGENTGATE_BIN) deciding from a repository made by `agentgate init`.
// Needs Node 24 (run under ../openclaw/node_modules/.bin/node); run by
// scripts/test.sh (AGENTGATE_OPENCLAW_E2E=0 skips it).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const plugin = join(here, "../openclaw");
const openclaw = join(here, "node_modules/openclaw/openclaw.mjs");
const BIN = process.env.AGENTGATE_BIN;
let root;
let repo;
let home;

before(() => {
  assert.ok(BIN, "AGENTGATE_BIN is not set: run through scripts/test.sh, or set it to the agentgate binary");
  assert.ok(existsSync(openclaw), "OpenClaw is not installed here: run `npm ci --ignore-scripts` in integrations/openclaw-e2e");
  root = mkdtempSync(join(tmpdir(), "agentgate-openclaw-e2e-"));
  repo = join(root, "repo");
  home = join(root, "home");
  mkdirSync(repo);
  mkdirSync(home);
  execFileSync("git", ["init", "-q", "-b", "main"], { cwd: repo });
  execFileSync(BIN, ["init"], { cwd: repo, stdio: "ignore" });
});

after(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

function waitFor(path, ms) {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (existsSync(path) && readFileSync(path, "utf8")) resolve(readFileSync(path, "utf8"));
      else if (Date.now() > until) reject(new Error(`${path} did not appear`));
      else setTimeout(tick, 50);
    };
    tick();
  });
}

function run(cmd, args, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.on("data", (b) => (err += b));
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

/**
 * One OpenClaw turn in which the model makes `tool(args)`; resolves to the
 * tool result OpenClaw gave the model, with OpenClaw's stderr.
 */
async function turn(name, tool, args) {
  const dir = join(root, name);
  mkdirSync(dir);
  const portFile = join(dir, "port");
  const log = join(dir, "requests.jsonl");
  const model = spawn(process.execPath, [join(here, "model.mjs"), portFile, log, tool, JSON.stringify(args)], {
    stdio: "ignore",
  });
  try {
    const port = await waitFor(portFile, 10_000);
    const config = {
      agents: { defaults: { model: { primary: "loop/scripted" }, workspace: repo } },
      models: {
        mode: "merge",
        providers: {
          loop: {
            baseUrl: `http://127.0.0.1:${port}/v1`,
            apiKey: "sk-local",
            api: "openai-completions",
            models: [
              {
                id: "scripted",
                name: "Scripted",
                reasoning: false,
                input: ["text"],
                cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
                contextWindow: 120000,
                maxTokens: 4096,
              },
            ],
          },
        },
      },
      mcp: {
        servers: {
          gmail: { command: process.execPath, args: [join(here, "mail-mcp.mjs"), join(root, "deleted.jsonl")] },
        },
      },
      plugins: {
        load: { paths: [plugin] },
        entries: { agentgate: { enabled: true, config: { command: BIN, repo } } },
      },
    };
    const configPath = join(home, "openclaw.json");
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    const env = { ...process.env, OPENCLAW_HOME: home, OPENCLAW_STATE_DIR: join(home, "state"), OPENCLAW_CONFIG_PATH: configPath };
    delete env.CI;
    delete env.GITHUB_ACTIONS;
    const r = await run(
      process.execPath,
      [openclaw, "agent", "--local", "--agent", "main", "--session-id", `e2e-${name}`, "--message", "go", "--json"],
      env,
    );
    assert.equal(r.code, 0, `openclaw exited ${r.code}: ${r.err.slice(-2000)}`);
    const requests = readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const last = requests.at(-1).body;
    const results = (last.messages ?? []).filter((m) => m.role === "tool");
    assert.equal(results.length, 1, `one tool result went back to the model: ${JSON.stringify(last.messages)}`);
    const content = results[0].content;
    return { result: typeof content === "string" ? content : JSON.stringify(content), stderr: r.err };
  } finally {
    model.kill();
  }
}

test("the plugin blocks a write to .github/workflows/ before it happens", { timeout: 240_000 }, async () => {
  const { result } = await turn("workflow", "write", { path: ".github/workflows/ci.yml", content: "on: push\n" });
  assert.match(result, /agentgate denies edit \.github\/workflows\/ci\.yml/);
  assert.match(result, /acl-files-need-maintainer-signoff/);
  assert.equal(existsSync(join(repo, ".github")), false);
});

test("deleting mail in bulk through an MCP server asks for approval; unanswerable here, it is denied", { timeout: 240_000 }, async () => {
  const { result, stderr } = await turn("mail", "tool_call", {
    id: "gmail__batch_delete_emails",
    args: { messageIds: ["18c1f0a2", "18c1f0a3", "18c1f0a4"] },
  });
  // OpenClaw asked for the approval the plugin required, found nobody to
  // ask in a one-shot local run, and blocked the call.
  assert.match(result, /Plugin approval/, result);
  assert.match(stderr, /approval/);
  assert.equal(existsSync(join(root, "deleted.jsonl")), false, "the MCP server never got the deletion");
});

test("a force-push asks for approval; unanswerable here, it is denied", { timeout: 240_000 }, async () => {
  const { result } = await turn("push", "exec", { command: "git push --force origin main" });
  assert.match(result, /Plugin approval/, result);
});

test("what the policies allow runs as OpenClaw would run it", { timeout: 240_000 }, async () => {
  const { result } = await turn("echo", "exec", { command: "echo agentgate-e2e > note.txt" });
  assert.doesNotMatch(result, /agentgate|approval/, result);
  assert.equal(readFileSync(join(repo, "note.txt"), "utf8").trim(), "agentgate-e2e");
});
