// agentgate for OpenClaw: a plugin entry (the object OpenClaw's
// `definePluginEntry` builds, written out so the plugin needs nothing at
// run time but Node and the agentgate binary) that registers the gate on
// `before_tool_call` and `message_sending`. See README.md.

import { beforeToolCall, messageSending, readConfig } from "./lib/gate.js";

/** What openclaw.plugin.json says (a test keeps the two equal). */
export const MANIFEST = Object.freeze({
  "id": "agentgate",
  "name": "agentgate",
  "description": "Every tool call and outbound message judged by the repository's agentgate (Cedar) policies: blocked, held for approval, or left to OpenClaw.",
  "configSchema": {
    "type": "object",
    "additionalProperties": false,
    "properties": {
      "command": {
        "type": "string",
        "description": "The agentgate binary (a path, or a name on PATH).",
        "default": "agentgate"
      },
      "repo": {
        "type": "string",
        "description": "The repository whose policies decide (default: the agent's workspace, else the gateway's working directory)."
      },
      "agent": {
        "type": "string",
        "description": "The agent id calls are judged as (default: openclaw)."
      },
      "approvalTimeoutMs": {
        "type": "integer",
        "minimum": 1000,
        "maximum": 600000,
        "description": "How long an approval waits before it is denied.",
        "default": 120000
      },
      "timeoutMs": {
        "type": "integer",
        "minimum": 100,
        "maximum": 600000,
        "description": "How long agentgate may take to answer before the call is blocked.",
        "default": 10000
      }
    }
  }
});

/** Runs first: a block from agentgate skips lower-priority handlers. */
const PRIORITY = 1000;
/** The host's budget per call, above the plugin's own timeout. */
const HOST_MARGIN_MS = 5000;

function validate(value) {
  try {
    readConfig(value);
    return { success: true, data: value };
  } catch (e) {
    return { success: false, error: { issues: [{ path: [], message: e.message }] } };
  }
}

export default {
  id: MANIFEST.id,
  name: MANIFEST.name,
  description: MANIFEST.description,
  configSchema: {
    jsonSchema: MANIFEST.configSchema,
    safeParse: validate,
    validate,
  },
  register(api) {
    let config;
    try {
      config = readConfig(api.pluginConfig);
    } catch (e) {
      // A config agentgate cannot use must not turn the gate off.
      const reason = `agentgate blocks this because its OpenClaw plugin is misconfigured: ${e.message}`;
      api.logger?.error?.(reason);
      api.on("before_tool_call", () => ({ block: true, blockReason: reason }), { priority: PRIORITY });
      api.on("message_sending", () => ({ cancel: true, cancelReason: reason }), { priority: PRIORITY });
      return;
    }
    const opts = { priority: PRIORITY, timeoutMs: config.timeoutMs + HOST_MARGIN_MS };
    api.on("before_tool_call", beforeToolCall(config), opts);
    api.on("message_sending", messageSending(config), opts);
  },
};
