// A minimal stdio MCP server (newline-delimited JSON-RPC) with one tool,
// batch_delete_emails, which records each call it gets: a test reads the
// record to see whether a deletion reached the server at all.
import { appendFileSync } from "node:fs";
import { createInterface } from "node:readline";
const log = process.argv[2];
const send = (m) => process.stdout.write(JSON.stringify(m) + "\n");
createInterface({ input: process.stdin }).on("line", (line) => {
  let m; try { m = JSON.parse(line); } catch { return; }
  if (m.method === "initialize") send({ jsonrpc: "2.0", id: m.id, result: { protocolVersion: m.params?.protocolVersion ?? "2025-06-18", capabilities: { tools: {} }, serverInfo: { name: "mail", version: "1.0.0" } } });
  else if (m.method === "tools/list") send({ jsonrpc: "2.0", id: m.id, result: { tools: [{ name: "batch_delete_emails", description: "Delete many emails at once", inputSchema: { type: "object", properties: { messageIds: { type: "array", items: { type: "string" } } }, required: ["messageIds"] } }] } });
  else if (m.method === "tools/call") { appendFileSync(log, JSON.stringify(m.params) + "\n"); send({ jsonrpc: "2.0", id: m.id, result: { content: [{ type: "text", text: "deleted" }] } }); }
  else if (m.id !== undefined) send({ jsonrpc: "2.0", id: m.id, result: {} });
});
