/**
 * executeGraphRemote and reattachGraphRemote: a run on the server, followed into the editor's
 * StatusCallback (the mapping is run-reporter's, shared by both).
 *
 * executeGraphRemote starts the run with StartRun and follows it with WatchRun, so the run does
 * not depend on any one stream: a dropped watch (a gateway restart, a network blip) is watched
 * again from the last seq seen, and every status still reaches `onStatus` once, in order.
 * reattachGraphRemote follows a run it is given by id (after a page reload) the same way.
 *
 * A call that ends without the run's last event (abort, deadline, a connection lost for good,
 * RunFailed, a callback that threw) leaves no node "running" in the editor: every node the run
 * planned or reported that has no terminal status yet is reported cancelled, with the reason,
 * before the promise rejects. Unless the run itself failed, the run is also cancelled on the
 * server (CancelRun): an abort or a deadline ends it, as they always did.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { NodeEvent } from "./gen/flowexec/v1/events_pb.js";
import {
  type FlowEdge,
  type FlowNode,
  type GraphRequestOptions,
  graphToRequest,
  type NodeOutput,
  outputFromMessage,
  type StatusCallback,
} from "./editor.js";
import { RunFailedError } from "./errors.js";
import type { CallOptions, FlowClient } from "./client.js";
import {
  followRun,
  type ReconnectListener,
  type ReconnectOption,
  type ReconnectPolicy,
  reconnectPolicy,
  StreamEndedEarly,
  withRetries,
} from "./reconnect.js";
import { type CancelledAs, type NodeProgressReport, RunReporter } from "./run-reporter.js";
import { DEFAULT_TAKEOVER_WAIT_MS, resumingRun } from "./takeover.js";
import { watchResponses } from "./runs.js";

/** How long a CancelRun sent after the call ended may take (it is not retried). */
const CANCEL_TIMEOUT_MS = 5000;

export interface FollowOptions extends CallOptions {
  /** Every raw event, before it is mapped to onStatus. */
  onEvent?: ((event: NodeEvent) => void) | undefined;
  /** Streaming nodes' text chunks, as they arrive (StatusCallback has no place for them). */
  onTextDelta?: ((nodeId: string, chunk: string) => void) | undefined;
  /** A running node's progress (e.g. ComfyUI sampler steps), as it arrives. */
  onProgress?: ((nodeId: string, progress: NodeProgressReport) => void) | undefined;
  /**
   * How a cancelled node reaches `onStatus`: "cancelled" (the default), or "error" / "skipped"
   * for an editor whose StatusCallback has no "cancelled" (required with a LegacyStatusCallback).
   * Either way the output is `{ error: reason }`; as "error" the node is also in the resolved
   * outputs as `{ error }`, like a failed node.
   */
  cancelledAs?: CancelledAs | undefined;
  /**
   * Retries of a watch that failed with a transport error or went silent (and of StartRun/GetRun):
   * `false` for none, or fields to change from DEFAULT_RECONNECT (8 retries, 0.25 s doubling to
   * 5 s; a watch silent for 45 s is dropped).
   */
  reconnect?: ReconnectOption;
  /** Called before each retry (e.g. to show "reconnecting…"). */
  onReconnect?: ReconnectListener | undefined;
  /**
   * The run ended INTERRUPTED because another replica took it over (its replica died): how long
   * to look for the run resuming it (FLOWEXEC_RESUME_INTERRUPTED=true) and follow that one
   * instead, its nodes going on where they were (default 10 s; 0: report the interruption).
   */
  takeoverWaitMs?: number | undefined;
}

export interface RemoteRunOptions
  extends FollowOptions,
    Pick<
      GraphRequestOptions,
      "flowId" | "dryRun" | "maxConcurrency" | "includeProviderCalls" | "cacheMode" | "executionMode"
    > {
  /**
   * The run's id, as soon as the server has accepted the run (before any status): store it
   * (e.g. in sessionStorage) to reattach with reattachGraphRemote after a page reload. Called
   * again with the new id when the call follows the run resuming it after a takeover.
   */
  onRunStarted?: ((runId: string) => void) | undefined;
}

export interface ReattachOptions extends FollowOptions {
  /**
   * Replay from after this seq (default 0: the whole run, every status from the first).
   * Statuses up to it are not reported again; the outputs still cover the whole run.
   */
  afterSeq?: bigint | number | undefined;
}

export interface GraphRun {
  nodes: readonly FlowNode[];
  edges: readonly FlowEdge[];
  providerId: string;
  onStatus: StatusCallback;
  triggerNodeId?: string | undefined;
  cachedOutputs?: Readonly<Record<string, NodeOutput>> | undefined;
}

/** Why a call ended without the run's last event, in the words the unfinished nodes are cancelled with. */
function endReason(err: unknown, signal: AbortSignal | undefined): string {
  if (signal?.aborted) return "aborted by the caller";
  if (err instanceof StreamEndedEarly) return `connection lost: ${err.message}`;
  if (err instanceof RunFailedError) return `run failed: ${err.message}`;
  if (err instanceof ConnectError) {
    return err.code === Code.DeadlineExceeded ? "deadline exceeded" : `connection lost: ${err.message}`;
  }
  // Not the call's own failure: a callback (onStatus, onEvent, onTextDelta, onRunStarted) threw.
  return `run abandoned: ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * One executeGraphRemote/reattachGraphRemote call: the caller's signal and the call's deadline as
 * one signal, the time left for each RPC, the retry policy.
 */
class CallScope {
  readonly retrying: { policy: ReconnectPolicy; signal: AbortSignal; onReconnect?: ReconnectListener | undefined };
  private readonly controller = new AbortController();
  private readonly deadline: number | undefined;
  private readonly timer: ReturnType<typeof setTimeout> | undefined;
  private readonly forward = () => this.controller.abort(this.callerSignal?.reason);

  constructor(
    private readonly callerSignal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    private readonly headers: HeadersInit | undefined,
    reconnect: ReconnectOption,
    onReconnect: ReconnectListener | undefined,
  ) {
    this.retrying = { policy: reconnectPolicy(reconnect), signal: this.controller.signal, onReconnect };
    if (callerSignal?.aborted) this.forward();
    callerSignal?.addEventListener("abort", this.forward, { once: true });
    if (timeoutMs !== undefined && timeoutMs > 0) {
      this.deadline = Date.now() + timeoutMs;
      const expired = new ConnectError("the operation timed out", Code.DeadlineExceeded);
      this.timer = setTimeout(() => this.controller.abort(expired), timeoutMs);
    }
  }

  /**
   * Options for one RPC of the call: its signal, and as timeoutMs what is left of the deadline,
   * or 0, which is connect's "no deadline" (the call's own deadline is this scope's, not the
   * client's defaultTimeoutMs for each watch).
   */
  rpc(): CallOptions {
    const timeoutMs = this.deadline === undefined ? 0 : Math.max(1, this.deadline - Date.now());
    return { signal: this.controller.signal, timeoutMs, headers: this.headers };
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.callerSignal?.removeEventListener("abort", this.forward);
  }
}

interface Steps {
  /** Starts or finds the run; resolves to its id. */
  start(scope: CallScope): Promise<string>;
  /** The run's id is known (executeGraphRemote's onRunStarted). */
  started?: ((runId: string) => void) | undefined;
  /** After the run's last event: the outputs no event carried, by node id. */
  complete(scope: CallScope, runId: string): Promise<(nodeId: string) => NodeOutput | undefined>;
}

/** Start (or find) the run, follow it to its last event, and settle as the module docstring says. */
async function drive(
  client: FlowClient,
  reporter: RunReporter,
  options: FollowOptions,
  defaultTimeoutMs: number | undefined,
  steps: Steps,
): Promise<Record<string, NodeOutput>> {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const scope = new CallScope(options.signal, timeoutMs, options.headers, options.reconnect, options.onReconnect);
  let runId = "";
  try {
    runId = await steps.start(scope);
    steps.started?.(runId);
    for (;;) {
      const following = runId;
      const watch = (afterSeq: bigint, signal: AbortSignal) =>
        watchResponses(client.service, following, { ...scope.rpc(), afterSeq, signal });
      const ending = await followRun(watch, runId, reporter, scope.retrying);
      if (ending === undefined) break;
      const next = await resumingRun(client, runId, options.takeoverWaitMs ?? DEFAULT_TAKEOVER_WAIT_MS,
        () => scope.rpc(), (call) => withRetries(call, scope.retrying));
      if (next === undefined) {
        for (const event of ending) reporter.handle(event);
        break;
      }
      runId = next; // another replica took the run over and resumed it: follow that run
      reporter.continueWith();
      steps.started?.(runId);
    }
    const complete = await steps.complete(scope, runId);
    return reporter.outputs(complete);
  } catch (err) {
    if (reporter.completed === undefined) {
      reporter.cancelUnfinished(endReason(err, options.signal));
      // A run that failed has ended; any other is still going on the server unless we end it.
      if (runId && !(err instanceof RunFailedError && !(err instanceof StreamEndedEarly))) {
        await client.cancelRun(runId, { timeoutMs: CANCEL_TIMEOUT_MS, headers: options.headers }).catch(() => undefined);
      }
    }
    throw err;
  } finally {
    scope.dispose();
  }
}

function reporterFor(onStatus: StatusCallback, options: FollowOptions, afterSeq = 0n): RunReporter {
  const { onEvent, onTextDelta, onProgress, cancelledAs } = options;
  return new RunReporter({ onStatus, onEvent, onTextDelta, onProgress, cancelledAs }, afterSeq);
}

/** A key for StartRun: with it, StartRun is retried without ever starting the graph twice. */
function idempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16)); // randomUUID needs a secure context in browsers
  return `executeGraphRemote-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * Resolves to the run's outputs by node id (including the cached ones it used) plus `{ error }`
 * for each node that failed. Rejects with a ConnectError when the call fails (e.g.
 * Code.InvalidArgument, Code.Canceled, Code.DeadlineExceeded, or the transport error that used
 * up the retries) or RunFailedError, after reporting every unfinished node cancelled.
 */
export function runGraph(
  client: FlowClient,
  run: GraphRun,
  options: RemoteRunOptions = {},
  defaultTimeoutMs?: number,
): Promise<Record<string, NodeOutput>> {
  const request = graphToRequest(run.nodes, run.edges, run.providerId, {
    flowId: options.flowId,
    dryRun: options.dryRun,
    maxConcurrency: options.maxConcurrency,
    includeProviderCalls: options.includeProviderCalls,
    cacheMode: options.cacheMode,
    executionMode: options.executionMode,
    triggerNodeId: run.triggerNodeId,
    cachedOutputs: run.cachedOutputs,
  });
  const reporter = reporterFor(run.onStatus, options);
  const key = idempotencyKey();
  return drive(client, reporter, options, defaultTimeoutMs, {
    async start(scope) {
      const started = await withRetries(() => client.startRun(request, { ...scope.rpc(), idempotencyKey: key }), scope.retrying);
      reporter.seed(started.nodes);
      return started.runId;
    },
    started: options.onRunStarted,
    // The outputs no event carried are the cached ones: the caller's own, with their image bytes.
    complete: async () => (nodeId) => run.cachedOutputs?.[nodeId],
  });
}

/**
 * Follows run `runId` (started by executeGraphRemote, or any run of the caller's) from seq 0, or
 * after `options.afterSeq`, into the same onStatus calls and the same resolved outputs as
 * executeGraphRemote gives; a finished run is replayed at once. Rejects as executeGraphRemote
 * does (Code.NotFound for an unknown run or another user's).
 */
export function reattachGraph(
  client: FlowClient,
  runId: string,
  onStatus: StatusCallback,
  options: ReattachOptions = {},
  defaultTimeoutMs?: number,
): Promise<Record<string, NodeOutput>> {
  const afterSeq = BigInt(options.afterSeq ?? 0);
  const reporter = reporterFor(onStatus, options, afterSeq);
  const getRun = (scope: CallScope, includeImages: boolean, id = runId) =>
    withRetries(() => client.getRun(id, { ...scope.rpc(), includeImages }), scope.retrying);
  return drive(client, reporter, options, defaultTimeoutMs, {
    async start(scope) {
      // Replaying from seq 0, run_started names the planned nodes; after a later seq, GetRun does.
      if (afterSeq > 0n) reporter.seed((await getRun(scope, false)).nodes);
      return runId;
    },
    // Cached outputs, and those sent before afterSeq: the stored ones, image bytes included.
    async complete(scope, finalRunId) {
      if (reporter.outputsNotSeen().length === 0) return () => undefined;
      const stored = new Map((await getRun(scope, true, finalRunId)).nodes.map((node) => [node.nodeId, node.output]));
      return (nodeId) => {
        const output = stored.get(nodeId);
        return output && outputFromMessage(output);
      };
    },
  });
}
