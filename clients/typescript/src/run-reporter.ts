/**
 * A run's events → the editor's StatusCallback: the one mapping executeGraphRemote and
 * reattachGraphRemote share, however many streams the events arrive on.
 *
 * The server sends a node's output just before its COMPLETE status; the two become one
 * `onStatus(id, "complete", output)`. ERROR carries `{ error: message }`, as the in-browser runner
 * did; SKIPPED and CANCELLED carry their reason's message the same way when there is one.
 *
 * Events are taken by seq: one already handled (a re-watch that overlaps) is dropped, so each
 * status reaches `onStatus` once, in the run's order. The reporter also remembers which nodes
 * are planned or reported but not finished, to report them cancelled when the call ends early.
 */
import type { NodeEvent, RunCompleted } from "./gen/flowexec/v1/events_pb.js";
import type { RunNode } from "./gen/flowexec/v1/runs_pb.js";
import {
  type NodeExecutionStatus,
  type NodeOutput,
  outputFromMessage,
  type StatusCallback,
  statusName,
} from "./editor.js";
import { RunFailedError } from "./errors.js";

/** The status a cancelled node is reported with: "cancelled", or one a legacy callback knows. */
export type CancelledAs = "cancelled" | "error" | "skipped";

export interface ReporterCallbacks {
  onStatus: StatusCallback;
  /** Every raw event, before it is mapped to onStatus. */
  onEvent?: ((event: NodeEvent) => void) | undefined;
  /** Streaming nodes' text chunks, as they arrive. */
  onTextDelta?: ((nodeId: string, chunk: string) => void) | undefined;
  /** A running node's progress (value of max units of one step; max 0 = unknown), as it arrives. */
  onProgress?: ((nodeId: string, progress: NodeProgressReport) => void) | undefined;
  cancelledAs?: CancelledAs | undefined;
}

/** One NodeProgress event, without its node id: `value` of `max` (0 = unknown) units of `step`. */
export interface NodeProgressReport {
  value: number;
  max: number;
  /** What is progressing (e.g. "KSampler"); may be empty. */
  label: string;
  /** Which sub-step the numbers belong to (e.g. a ComfyUI node id); empty for a single step. */
  step: string;
}

const TERMINAL: ReadonlySet<NodeExecutionStatus> = new Set(["complete", "error", "skipped", "cancelled"]);

export class RunReporter {
  /** Seq of the last event handled: a re-watch asks for the events after it. */
  lastSeq = 0n;
  /** The run's RunCompleted, once handled. */
  completed: RunCompleted | undefined;
  /** Outputs from NodeOutputProduced events: the only copy of image bytes the server sends. */
  private readonly produced = new Map<string, NodeOutput>();
  private readonly failed: Record<string, NodeOutput> = {};
  /** Planned or reported nodes without a terminal status yet, in plan order; and those with one. */
  private readonly unfinished = new Set<string>();
  private readonly finished = new Set<string>();
  private readonly cancelledAs: CancelledAs;

  constructor(
    private readonly callbacks: ReporterCallbacks,
    afterSeq = 0n,
  ) {
    this.lastSeq = afterSeq;
    this.cancelledAs = callbacks.cancelledAs ?? "cancelled";
  }

  /**
   * What is known of the nodes before their events are seen: the planned nodes of StartRun's
   * reply, or (reattaching after seq N) the nodes as GetRun shows them. Unfinished ones are
   * reported cancelled if the call ends early; failed ones are in the outputs as `{ error }`.
   */
  seed(nodes: readonly RunNode[]): void {
    for (const node of nodes) {
      const name = statusName(node.status);
      if (name === undefined || this.finished.has(node.nodeId)) continue;
      if (!TERMINAL.has(name)) {
        this.unfinished.add(node.nodeId);
      } else if (name === "error" || (name === "cancelled" && this.cancelledAs === "error")) {
        this.failed[node.nodeId] = { error: node.message || "Node failed" };
      }
    }
  }

  /**
   * One event of the run, in seq order; events at or before `lastSeq` are dropped. Throws
   * RunFailedError for RunFailed, and whatever a callback throws.
   */
  handle(event: NodeEvent): void {
    if (event.seq <= this.lastSeq) return;
    this.lastSeq = event.seq;
    this.callbacks.onEvent?.(event);
    const kind = event.kind;
    switch (kind.case) {
      case "runStarted":
        for (const nodeId of kind.value.plannedNodeIds) if (!this.finished.has(nodeId)) this.unfinished.add(nodeId);
        break;
      case "nodeOutput":
        if (kind.value.output) this.produced.set(kind.value.nodeId, outputFromMessage(kind.value.output));
        break;
      case "nodeStatus": {
        const { nodeId, status, message } = kind.value;
        const name = statusName(status);
        if (name === undefined) break;
        if (name === "complete") {
          this.report(nodeId, name, this.produced.get(nodeId));
        } else if (name === "error") {
          this.report(nodeId, name, { error: message || "Node failed" });
        } else if ((name === "skipped" || name === "cancelled") && message) {
          this.report(nodeId, name, { error: message });
        } else {
          this.report(nodeId, name);
        }
        break;
      }
      case "textDelta":
        this.callbacks.onTextDelta?.(kind.value.nodeId, kind.value.chunk);
        break;
      case "nodeProgress": {
        const { nodeId, value, max, label, step } = kind.value;
        this.callbacks.onProgress?.(nodeId, { value: Number(value), max: Number(max), label, step });
        break;
      }
      case "runCompleted":
        this.completed = kind.value;
        break;
      case "runFailed":
        throw new RunFailedError(kind.value.message, event.runId);
    }
  }

  /**
   * The events that follow are another run's — the run resuming this one after a takeover: its
   * seqs start again, and what was reported of the nodes stands (its cached nodes stay complete).
   */
  continueWith(): void {
    this.lastSeq = 0n;
    this.completed = undefined;
  }

  /** Every node not finished yet is reported cancelled with `reason`; callbacks' errors are ignored. */
  cancelUnfinished(reason: string): void {
    for (const nodeId of [...this.unfinished]) {
      try {
        this.report(nodeId, "cancelled", { error: reason });
      } catch {
        // The call's own error is what the caller needs; a throwing callback must not hide it.
      }
    }
  }

  /** Ids of the RunCompleted outputs that no NodeOutputProduced event carried (cached, or before lastSeq). */
  outputsNotSeen(): string[] {
    return Object.keys(this.completed?.outputs ?? {}).filter((nodeId) => !this.produced.has(nodeId));
  }

  /**
   * The run's outputs by node id plus `{ error }` for each failed node. A node's own output event
   * is the whole output; RunCompleted repeats it without image bytes, and without text past the
   * server's per-run summary budget, so an output no event carried comes from `complete(nodeId)`
   * when it knows it (the caller's cached output, or GetRun's stored one).
   */
  outputs(complete: (nodeId: string) => NodeOutput | undefined = () => undefined): Record<string, NodeOutput> {
    const outputs: Record<string, NodeOutput> = {};
    for (const [nodeId, message] of Object.entries(this.completed?.outputs ?? {})) {
      outputs[nodeId] = this.produced.get(nodeId) ?? { ...outputFromMessage(message), ...complete(nodeId) };
    }
    return { ...outputs, ...this.failed };
  }

  private report(nodeId: string, status: NodeExecutionStatus, output?: NodeOutput): void {
    if (TERMINAL.has(status)) {
      this.unfinished.delete(nodeId);
      this.finished.add(nodeId);
    } else if (!this.finished.has(nodeId)) {
      this.unfinished.add(nodeId);
    }
    if (status === "cancelled") status = this.cancelledAs;
    if (status === "error") this.failed[nodeId] = output ?? { error: "Node failed" };
    this.callbacks.onStatus(nodeId, status, output);
  }
}
