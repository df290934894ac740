/**
 * Runs a React Flow export through the gRPC-Web gateway and prints each node's status live,
 * using only @flowexec/client's public API — what the editor does, in a terminal.
 *
 *   flowexec serve &                        # the server, on 127.0.0.1:50051
 *   flowexec gateway --port 8080 &          # Envoy in front of it
 *   npm run example -- [flow.json] [--gateway http://127.0.0.1:8080] [--dry-run] [--timeout-ms N] [--retries N]
 *
 * Ctrl-C cancels the run (the server stops it and its nodes end "cancelled").
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import {
  createFlowClient,
  type FlowEdge,
  type FlowNode,
  invalidGraphViolations,
  type NodeExecutionStatus,
} from "@flowexec/client";

interface FlowFile {
  flowId?: string;
  providerId?: string;
  nodes: FlowNode[];
  edges: FlowEdge[];
}

const MARKS: Record<NodeExecutionStatus, string> = {
  pending: "·",
  running: "▶",
  complete: "✓",
  error: "✗",
  skipped: "↷",
  cancelled: "■",
};

// Compiled to build/examples/: four levels up is the repository root; `flowexec demo`'s flow ships in server/demo/.
const DEMO_FLOW = new URL("../../../../server/demo/demo_flow.json", import.meta.url);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    gateway: { type: "string", default: "http://127.0.0.1:8080" },
    provider: { type: "string" },
    "dry-run": { type: "boolean", default: false },
    "timeout-ms": { type: "string" },
    // Retries of a call that did not get through (gateway down or restarting); default 8, over ~20 s.
    retries: { type: "string" },
  },
});

const flow = JSON.parse(await readFile(positionals[0] ?? DEMO_FLOW, "utf8")) as FlowFile;
const types = new Map(flow.nodes.map((node) => [node.id, node.type ?? "?"]));
const label = (id: string) => `${id} (${types.get(id)})`;
const flowexec = createFlowClient({ baseUrl: values.gateway, transport: "grpc-web" });

const abort = new AbortController();
process.once("SIGINT", () => abort.abort());

const STREAM_PREVIEW = 160; // characters of a node's streamed text shown live
let streaming: string | undefined; // node whose text deltas are being printed on the current line
let streamed = 0;
const line = (text: string) => {
  if (streaming !== undefined) process.stdout.write("\n");
  streaming = undefined;
  console.log(text);
};

try {
  const outputs = await flowexec.executeGraphRemote(
    flow.nodes,
    flow.edges,
    values.provider ?? flow.providerId ?? "",
    (nodeId, status, output) => {
      if (status === "pending") return;
      const detail = output?.error ? ` — ${output.error}` : output?.durationMs !== undefined ? ` in ${output.durationMs} ms` : "";
      line(`  ${MARKS[status]} ${label(nodeId)}: ${status}${detail}`);
    },
    undefined,
    undefined,
    {
      flowId: flow.flowId,
      dryRun: values["dry-run"],
      signal: abort.signal,
      timeoutMs: values["timeout-ms"] ? Number(values["timeout-ms"]) : undefined,
      reconnect: values.retries ? { attempts: Number(values.retries) } : undefined,
      onReconnect: (attempt, err, delayMs) =>
        line(`  … reconnecting in ${delayMs} ms (retry ${attempt}): ${err instanceof Error ? err.message : String(err)}`),
      onTextDelta: (nodeId, chunk) => {
        if (streaming !== nodeId) {
          line(`    ${nodeId} streaming:`);
          process.stdout.write("      ");
          streaming = nodeId;
          streamed = 0;
        }
        const room = STREAM_PREVIEW - streamed;
        if (room > 0) process.stdout.write(chunk.slice(0, room).replaceAll("\n", " ") + (chunk.length >= room ? "…" : ""));
        streamed += chunk.length;
      },
    },
  );
  line("\noutputs:");
  for (const [nodeId, output] of Object.entries(outputs)) {
    const text = output.error ?? output.text ?? output.injectedPrompt ?? output.personaDescription ?? "";
    const image = output.image ? ` [image, ${output.image.length} chars as a data URL]` : "";
    line(`── ${label(nodeId)}${image}\n${text.slice(0, 300)}${text.length > 300 ? "…" : ""}`);
  }
} catch (err) {
  line(`run failed: ${err instanceof Error ? err.message : String(err)}`);
  for (const { field, description } of invalidGraphViolations(err)) line(`  ${field}: ${description}`);
  process.exitCode = 1;
}
