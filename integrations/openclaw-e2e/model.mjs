// A scripted model for OpenClaw on loopback (OpenAI chat completions, with
// or without streaming): its first answer is one tool call, fixed on the
// command line; once it is given a tool result, it answers "DONE". Every
// request is appended to a log, so a test reads what OpenClaw told the
// model the tool call did.
//
//   node model.mjs PORT_FILE LOG_FILE TOOL_NAME ARGUMENTS_JSON

import http from "node:http";
import { appendFileSync, writeFileSync } from "node:fs";

const [, , portFile, logFile, toolName, argsJson] = process.argv;
let n = 0;

function chunk(id, model, delta, finish) {
  return `data: ${JSON.stringify({
    id,
    object: "chat.completion.chunk",
    created: 0,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...(finish ? { usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } } : {}),
  })}\n\n`;
}

const server = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    let b = {};
    try {
      b = body ? JSON.parse(body) : {};
    } catch {
      // logged as null below
    }
    appendFileSync(logFile, `${JSON.stringify({ url: req.url, body: b })}\n`);
    if (!req.url.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end("{}");
      return;
    }
    n += 1;
    const id = `chatcmpl-${n}`;
    const answered = (b.messages ?? []).some((m) => m.role === "tool");
    const call = { id: "call_1", type: "function", function: { name: toolName, arguments: argsJson } };
    const finish = answered ? "stop" : "tool_calls";
    if (b.stream) {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const delta = answered
        ? { role: "assistant", content: "DONE" }
        : { role: "assistant", tool_calls: [{ index: 0, ...call }] };
      res.write(chunk(id, b.model, delta, null));
      res.write(chunk(id, b.model, {}, finish));
      res.end("data: [DONE]\n\n");
      return;
    }
    const message = answered
      ? { role: "assistant", content: "DONE" }
      : { role: "assistant", content: null, tool_calls: [call] };
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        id,
        object: "chat.completion",
        created: 0,
        model: b.model,
        choices: [{ index: 0, message, finish_reason: finish }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      }),
    );
  });
});
server.listen(0, "127.0.0.1", () => writeFileSync(portFile, String(server.address().port)));
