/**
 * executeGraphRemote's event loop: a run's events → the editor's StatusCallback, in order.
 *
 * The server sends a node's output just before its COMPLETE status; the two become one
 * `onStatus(id, "complete", output)`. ERROR carries `{ error: message }`, as the in-browser runner
 * did; SKIPPED and CANCELLED carry their reason's message the same way when there is one.
 *
 * A call that ends without RunCompleted (abort, deadline, lost connection, server shutdown,
 * RunFailed) leaves no node "running" in the editor: every node the run planned or reported that
 * has no terminal status yet is reported cancelled, with the reason, before the promise rejects.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { NodeEvent, RunCompleted } from "./gen/flowexec/v1/events_pb.js";
import {
  type FlowEdge,
  type FlowNode,
  type GraphRequestOptions,
  graphToRequest,
  type NodeExecutionStatus,
  type NodeOutput,
  outputFromMessage,
  type StatusCallback,
  statusName,
} from "./editor.js";
import { RunFailedError } from "./errors.js";
import type { CallOptions, FlowClient } from "./client.js";

/** The status a cancelled node is reported with: "cancelled", or one a legacy callback knows. */
export type CancelledAs = "cancelled" | "error" | "skipped";

export interface RemoteRunOptions
  extends CallOptions,
    Pick<GraphRequestOptions, "flowId" | "dryRun" | "maxConcurrency" | "includeProviderCalls"> {
  /** Every raw event, before it is mapped to onStatus. */
  onEvent?: ((event: NodeEvent) => void) | undefined;
  /** Streaming nodes' text chunks, as they arrive (StatusCallback has no place for them). */
  onTextDelta?: ((nodeId: string, chunk: string) => void) | undefined;
  /**
   * How a cancelled node reaches `onStatus`: "cancelled" (the default), or "error" / "skipped"
   * for an editor whose StatusCallback has no "cancelled" (required with a LegacyStatusCallback).
   * Either way the output is `{ error: reason }`; as "error" the node is also in the resolved
   * outputs as `{ error }`, like a failed node.
   */
  cancelledAs?: CancelledAs | undefined;
}

export interface GraphRun {
  nodes: readonly FlowNode[];
  edges: readonly FlowEdge[];
  providerId: string;
  onStatus: StatusCallback;
  triggerNodeId?: string | undefined;
  cachedOutputs?: Readonly<Record<string, NodeOutput>> | undefined;
}

const TERMINAL: ReadonlySet<NodeExecutionStatus> = new Set(["complete", "error", "skipped", "cancelled"]);

/** Why a call ended without RunCompleted, in the words the unfinished nodes are cancelled with. */
function endReason(err: unknown, signal: AbortSignal | undefined): string {
  if (signal?.aborted) return "aborted by the caller";
  if (err instanceof RunFailedError) return `run failed: ${err.message}`;
  if (err instanceof ConnectError) {
    return err.code === Code.DeadlineExceeded ? "deadline exceeded" : `connection lost: ${err.message}`;
  }
  // Not the call's own failure: a callback (onStatus, onEvent, onTextDelta) threw and the run was left.
  return `run abandoned: ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * Resolves to the run's outputs by node id (including the cached ones it used) plus
 * `{ error }` for each node that failed. Rejects with a ConnectError when the call fails
 * (e.g. Code.InvalidArgument, Code.Canceled, Code.DeadlineExceeded) or RunFailedError, after
 * reporting every unfinished node cancelled.
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
    includeProviderCalls: options.includeProviderCalls,
    triggerNodeId: run.triggerNodeId,
    cachedOutputs: run.cachedOutputs,
  });
  const cancelledAs = options.cancelledAs ?? "cancelled";
  // Outputs from NodeOutputProduced events: the only copy of image bytes the server sends.
  const produced = new Map<string, NodeOutput>();
  const failed: Record<string, NodeOutput> = {};
  // Planned or reported nodes without a terminal status yet, in plan order; and those with one.
  const unfinished = new Set<string>();
  const finished = new Set<string>();
  const report = (nodeId: string, status: NodeExecutionStatus, output?: NodeOutput) => {
    if (TERMINAL.has(status)) {
      unfinished.delete(nodeId);
      finished.add(nodeId);
    } else if (!finished.has(nodeId)) {
      unfinished.add(nodeId);
    }
    if (status === "cancelled") status = cancelledAs;
    if (status === "error") failed[nodeId] = output ?? { error: "Node failed" };
    run.onStatus(nodeId, status, output);
  };
  const cancelUnfinished = (reason: string) => {
    for (const nodeId of [...unfinished]) {
      try {
        report(nodeId, "cancelled", { error: reason });
      } catch {
        // The call's own error is what the caller needs; a throwing callback must not hide it.
      }
    }
  };

  let runId = "";
  let completed: RunCompleted | undefined;
  try {
    // Read to the end of the stream even after RunCompleted: leaving early would cancel the call.
    for await (const event of client.executeFlow(request, options)) {
      runId = event.runId;
      options.onEvent?.(event);
      const kind = event.kind;
      switch (kind.case) {
        case "runStarted":
          for (const nodeId of kind.value.plannedNodeIds) if (!finished.has(nodeId)) unfinished.add(nodeId);
          break;
        case "nodeOutput":
          if (kind.value.output) produced.set(kind.value.nodeId, outputFromMessage(kind.value.output));
          break;
        case "nodeStatus": {
          const { nodeId, status, message } = kind.value;
          const name = statusName(status);
          if (name === undefined) break;
          if (name === "complete") {
            report(nodeId, name, produced.get(nodeId));
          } else if (name === "error") {
            report(nodeId, name, { error: message || "Node failed" });
          } else if ((name === "skipped" || name === "cancelled") && message) {
            report(nodeId, name, { error: message });
          } else {
            report(nodeId, name);
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
  } catch (err) {
    cancelUnfinished(endReason(err, options.signal));
    throw err;
  }
  if (completed === undefined) {
    const lost = new RunFailedError("the stream ended before the run completed", runId);
    cancelUnfinished(`connection lost: ${lost.message}`);
    throw lost;
  }
  const outputs: Record<string, NodeOutput> = {};
  for (const [nodeId, message] of Object.entries(completed.outputs)) {
    // A node's own output event is the whole output. RunCompleted repeats it without image bytes,
    // and without text past the server's per-run summary budget; a cached output is the caller's.
    const output = produced.get(nodeId) ?? { ...outputFromMessage(message), ...run.cachedOutputs?.[nodeId] };
    outputs[nodeId] = output;
  }
  return { ...outputs, ...failed };
}
