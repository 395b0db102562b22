// The agentgate gate for OpenClaw: each `before_tool_call` and
// `message_sending` hook event goes to `agentgate hook openclaw` (the
// repository's Cedar policies decide), and its answer comes back as the
// hook's result: a block, an approval request, a cancelled message, or no
// decision (OpenClaw's own rules apply).
//
// Fail closed, always: a binary that is missing, slow, crashes or prints
// anything but the answer blocks the tool call and cancels the message. A
// tool-call handler that throws would be blocked by OpenClaw too, but a
// message_sending handler that throws is only logged and the message goes
// out, so no failure here is ever thrown: each becomes a block or a cancel
// with the reason.
//
// Shapes follow OpenClaw's hook docs (docs/plugins/hooks/tool-policy.md,
// docs/plugins/hooks/messages.md, docs/plugins/hooks/reference.md; checked
// 2026-08) and agentgate's `core/src/hook/protocol/openclaw.rs`.

import { spawn } from "node:child_process";

/** The longest answer read from agentgate (an answer is a few hundred bytes). */
const MAX_ANSWER_BYTES = 1 << 20;

/** Defaults for the plugin's config (openclaw.plugin.json documents each). */
export const DEFAULTS = Object.freeze({
  command: "agentgate",
  approvalTimeoutMs: 120_000,
  timeoutMs: 10_000,
});

const KEYS = new Set(["command", "repo", "agent", "approvalTimeoutMs", "timeoutMs"]);

/**
 * The plugin config, checked: unknown keys and wrong types are errors
 * (thrown; `register` turns them into a plugin that blocks everything).
 */
export function readConfig(raw) {
  const cfg = raw ?? {};
  if (typeof cfg !== "object" || Array.isArray(cfg)) {
    throw new Error("the agentgate plugin config must be an object");
  }
  for (const k of Object.keys(cfg)) {
    if (!KEYS.has(k)) throw new Error(`unknown key \`${k}\` in the agentgate plugin config`);
  }
  const text = (k) => {
    if (cfg[k] === undefined) return undefined;
    if (typeof cfg[k] !== "string" || cfg[k] === "") {
      throw new Error(`\`${k}\` in the agentgate plugin config must be a non-empty string`);
    }
    return cfg[k];
  };
  const ms = (k, min, max) => {
    if (cfg[k] === undefined) return DEFAULTS[k];
    if (!Number.isInteger(cfg[k]) || cfg[k] < min || cfg[k] > max) {
      throw new Error(`\`${k}\` in the agentgate plugin config must be an integer from ${min} to ${max}`);
    }
    return cfg[k];
  };
  return Object.freeze({
    command: text("command") ?? DEFAULTS.command,
    repo: text("repo"),
    agent: text("agent"),
    approvalTimeoutMs: ms("approvalTimeoutMs", 1000, 600_000),
    timeoutMs: ms("timeoutMs", 100, 600_000),
  });
}

/** At most `max` characters (OpenClaw caps approval titles and descriptions). */
export function clip(s, max) {
  const chars = Array.from(String(s));
  return chars.length <= max ? chars.join("") : chars.slice(0, max - 1).join("") + "…";
}

/**
 * Run `agentgate hook openclaw` with `payload` on stdin. Resolves (never
 * rejects) to `{ answer }` (the parsed JSON object) or `{ failure }` (why
 * there is no usable answer).
 */
export function ask(config, payload, signal) {
  const args = ["hook", "openclaw"];
  if (config.repo) args.push("--repo", config.repo);
  if (config.agent) args.push("--agent", config.agent);
  const named = `\`${config.command}\``;
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(config.command, args, {
        stdio: ["pipe", "pipe", "pipe"],
        // Its own process group, so stopping it stops whatever it started.
        detached: process.platform !== "win32",
        windowsHide: true,
      });
    } catch (e) {
      resolve({ failure: `cannot run ${named}: ${e.message}` });
      return;
    }
    let done = false;
    const stop = () => {
      try {
        if (process.platform !== "win32" && child.pid) process.kill(-child.pid, "SIGKILL");
        else child.kill("SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
      child.stdout.destroy();
      child.stderr.destroy();
    };
    const onAbort = () => {
      stop();
      finish({ failure: `cannot run ${named}: the tool call was cancelled` });
    };
    const timer = setTimeout(() => {
      stop();
      finish({ failure: `${named} did not answer within ${config.timeoutMs} ms` });
    }, config.timeoutMs);
    function finish(r) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(r);
    }
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener("abort", onAbort, { once: true });

    const out = [];
    let outBytes = 0;
    let err = "";
    child.stdout.on("data", (b) => {
      outBytes += b.length;
      if (outBytes > MAX_ANSWER_BYTES) {
        stop();
        finish({ failure: `${named} answered with more than ${MAX_ANSWER_BYTES} bytes` });
      } else {
        out.push(b);
      }
    });
    child.stderr.on("data", (b) => {
      if (err.length < 4096) err += b.toString("utf8");
    });
    child.on("error", (e) => finish({ failure: `cannot run ${named}: ${e.message}` }));
    child.on("close", (code, sig) => {
      if (code !== 0) {
        const how = sig ? `was killed by ${sig}` : `exited ${code}`;
        finish({ failure: `${named} ${how}${err ? `: ${err.trim()}` : ""}` });
        return;
      }
      const text = Buffer.concat(out).toString("utf8").trim();
      let answer;
      try {
        answer = JSON.parse(text);
      } catch {
        finish({ failure: `${named} did not answer with JSON: ${clip(text, 200)}` });
        return;
      }
      if (answer === null || typeof answer !== "object" || Array.isArray(answer)) {
        finish({ failure: `${named} did not answer with a JSON object` });
        return;
      }
      finish({ answer });
    });
    child.stdin.on("error", () => {
      // The child went away before reading; its exit status says why.
    });
    child.stdin.end(JSON.stringify(payload));
  });
}

/** The context fields agentgate reads (the rest, signals and traces, stays). */
function pick(obj, keys) {
  const out = {};
  for (const k of keys) {
    const v = obj?.[k];
    if (v !== undefined && v !== null && typeof v !== "function" && typeof v !== "object") out[k] = v;
  }
  return out;
}

function cwdOf(config, ctx) {
  return config.repo ?? (typeof ctx?.workspaceDir === "string" ? ctx.workspaceDir : process.cwd());
}

const cannot = (why) => `agentgate blocks this because it cannot decide: ${why}`;

/** The `before_tool_call` handler. */
export function beforeToolCall(config) {
  return async (event, ctx) => {
    const payload = {
      hook: "before_tool_call",
      cwd: cwdOf(config, ctx),
      event: {
        toolName: event?.toolName,
        params: event?.params ?? {},
        ...pick(event, ["toolCallId", "runId", "toolKind", "toolInputKind"]),
        ...(Array.isArray(event?.derivedPaths) ? { derivedPaths: event.derivedPaths } : {}),
      },
      ctx: pick(ctx, ["agentId", "sessionKey", "sessionId", "runId", "jobId"]),
    };
    const r = await ask(config, payload, ctx?.abortSignal);
    if (r.failure) return { block: true, blockReason: cannot(r.failure) };
    const a = r.answer;
    if (a.block === true) {
      return { block: true, blockReason: String(a.blockReason ?? "agentgate blocks this call") };
    }
    if (a.requireApproval && typeof a.requireApproval === "object") {
      const ra = a.requireApproval;
      return {
        requireApproval: {
          title: clip(ra.title ?? "agentgate: a human must confirm this call", 80),
          description: clip(ra.description ?? "", 512),
          severity: ["info", "warning", "critical"].includes(ra.severity) ? ra.severity : "warning",
          timeoutMs: config.approvalTimeoutMs,
          // "allow-always" is not offered: no approval outlives the call.
          allowedDecisions: ["allow-once", "deny"],
        },
      };
    }
    if (Object.keys(a).length === 0) return undefined;
    return { block: true, blockReason: cannot(`unexpected answer ${clip(JSON.stringify(a), 200)}`) };
  };
}

/** The `message_sending` handler. */
export function messageSending(config) {
  return async (event, ctx) => {
    try {
      const payload = {
        hook: "message_sending",
        cwd: cwdOf(config, ctx),
        event: {
          to: event?.to,
          content: event?.content ?? "",
          ...pick(event, ["replyToId", "threadId"]),
          ...(event?.metadata && typeof event.metadata === "object"
            ? { metadata: pick(event.metadata, ["channel", "accountId"]) }
            : {}),
        },
        ctx: pick(ctx, ["channelId", "accountId", "conversationId", "sessionKey", "runId"]),
      };
      const r = await ask(config, payload);
      if (r.failure) return { cancel: true, cancelReason: cannot(r.failure) };
      const a = r.answer;
      if (a.cancel === true || a.block === true) {
        return { cancel: true, cancelReason: String(a.cancelReason ?? a.blockReason ?? "agentgate cancels this message") };
      }
      if (Object.keys(a).length === 0) return undefined;
      return { cancel: true, cancelReason: cannot(`unexpected answer ${clip(JSON.stringify(a), 200)}`) };
    } catch (e) {
      return { cancel: true, cancelReason: cannot(String(e?.message ?? e)) };
    }
  };
}
