/**
 * executeGraphRemote's event loop: a run's events → the editor's StatusCallback, in order.
 *
 * The server sends a node's output just before its COMPLETE status; the two become one
 * `onStatus(id, "complete", output)`. ERROR carries `{ error: message }`, as the in-browser runner
 * did; SKIPPED and CANCELLED carry their reason's message the same way when there is one.
 */
import type { NodeEvent } from "./gen/flowexec/v1/events_pb.js";
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
    ...options,
    triggerNodeId: run.triggerNodeId,
    cachedOutputs: run.cachedOutputs,
  });
  const produced = new Map<string, NodeOutput>(); // outputs waiting for their COMPLETE status
  const failed: Record<string, NodeOutput> = {};
  let outputs: Record<string, NodeOutput> | undefined;
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
          produced.delete(nodeId);
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
        outputs = Object.fromEntries(
          Object.entries(kind.value.outputs).map(([id, out]) => [id, outputFromMessage(out)]),
        );
        break;
      case "runFailed":
        throw new RunFailedError(kind.value.message, event.runId);
    }
  }
  if (outputs === undefined) throw new RunFailedError("the stream ended before the run completed", "");
  return { ...outputs, ...failed };
}
