/**
 * executeGraphRemote's event loop: a run's events → the editor's StatusCallback, in order.
 *
 * The server sends a node's output just before its COMPLETE status; the two become one
 * `onStatus(id, "complete", output)`. ERROR carries `{ error: message }`, as the in-browser runner
 * did; SKIPPED and CANCELLED carry their reason's message the same way when there is one.
 */
import type { NodeEvent, RunCompleted } from "./gen/flowexec/v1/events_pb.js";
import {
  type FlowEdge,
  type FlowNode,
  type GraphRequestOptions,
  graphToRequest,
  type NodeOutput,
  outputFromMessage,
  type StatusCallback,
  statusName,
} from "./editor.js";
import { RunFailedError } from "./errors.js";
import type { CallOptions, FlowClient } from "./client.js";

export interface RemoteRunOptions extends CallOptions, Pick<GraphRequestOptions, "flowId" | "dryRun" | "maxConcurrency"> {
  /** Every raw event, before it is mapped to onStatus. */
  onEvent?: (event: NodeEvent) => void;
  /** Streaming nodes' text chunks, as they arrive (StatusCallback has no place for them). */
  onTextDelta?: (nodeId: string, chunk: string) => void;
}

export interface GraphRun {
  nodes: readonly FlowNode[];
  edges: readonly FlowEdge[];
  providerId: string;
  onStatus: StatusCallback;
  triggerNodeId?: string | undefined;
  cachedOutputs?: Record<string, NodeOutput> | undefined;
}

/**
 * Resolves to the run's outputs by node id (including the cached ones it used) plus
 * `{ error }` for each node that failed. Rejects with a ConnectError when the call fails
 * (e.g. Code.InvalidArgument, Code.Canceled, Code.DeadlineExceeded) or RunFailedError.
 */
export async function runGraph(
  client: Pick<FlowClient, "executeFlow">,
  run: GraphRun,
  options: RemoteRunOptions = {},
): Promise<Record<string, NodeOutput>> {
  const request = graphToRequest(run.nodes, run.edges, run.providerId, {
    flowId: options.flowId,
    dryRun: options.dryRun,
    maxConcurrency: options.maxConcurrency,
    triggerNodeId: run.triggerNodeId,
    cachedOutputs: run.cachedOutputs,
  });
  // Outputs from NodeOutputProduced events: the only copy of image bytes the server sends.
  const produced = new Map<string, NodeOutput>();
  const failed: Record<string, NodeOutput> = {};
  let completed: RunCompleted | undefined;
  // Read to the end of the stream even after RunCompleted: leaving early would cancel the call.
  for await (const event of client.executeFlow(request, options)) {
    options.onEvent?.(event);
    const kind = event.kind;
    switch (kind.case) {
      case "nodeOutput":
        if (kind.value.output) produced.set(kind.value.nodeId, outputFromMessage(kind.value.output));
        break;
      case "nodeStatus": {
        const { nodeId, status, message } = kind.value;
        const name = statusName(status);
        if (name === undefined) break;
        if (name === "complete") {
          run.onStatus(nodeId, name, produced.get(nodeId));
        } else if (name === "error") {
          failed[nodeId] = { error: message || "Node failed" };
          run.onStatus(nodeId, name, failed[nodeId]);
        } else if ((name === "skipped" || name === "cancelled") && message) {
          run.onStatus(nodeId, name, { error: message });
        } else {
          run.onStatus(nodeId, name);
        }
        break;
      }
      case "textDelta":
        options.onTextDelta?.(kind.value.nodeId, kind.value.chunk);
        break;
      case "runCompleted":
        completed = kind.value;
        break;
      case "runFailed":
        throw new RunFailedError(kind.value.message, event.runId);
    }
  }
  if (completed === undefined) throw new RunFailedError("the stream ended before the run completed", "");
  const outputs: Record<string, NodeOutput> = {};
  for (const [nodeId, message] of Object.entries(completed.outputs)) {
    const output = outputFromMessage(message);
    // RunCompleted keeps an image's mime type but not its bytes: they came once, in the node's
    // output event, or from the caller for cached outputs.
    const image = produced.get(nodeId)?.image ?? run.cachedOutputs?.[nodeId]?.image;
    if (image) output.image = image;
    outputs[nodeId] = output;
  }
  return { ...outputs, ...failed };
}
