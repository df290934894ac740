/**
 * Runs as stored resources: the calls behind FlowClient's startRun, watchRun, getRun, listRuns,
 * cancelRun and resumeRun, on the generated Connect client.
 *
 * A run started with StartRun goes on with no client attached; WatchRun streams its events
 * after a seq (stored, then live, gap-free) and ends after the run's last event. Its replies
 * with no events are keepalives, which these calls skip.
 */
import { type Client, Code, ConnectError } from "@connectrpc/connect";
import type { NodeEvent } from "./gen/flowexec/v1/events_pb.js";
import type { FlowService, WatchRunResponse } from "./gen/flowexec/v1/flow_service_pb.js";
import type { Run, RunState } from "./gen/flowexec/v1/runs_pb.js";
import type { CallOptions } from "./client.js";

export interface StartRunOptions extends CallOptions {
  /**
   * A retried startRun with the same key (from the same caller) returns the run the first call
   * started instead of starting the graph again. At most 256 characters.
   */
  idempotencyKey?: string | undefined;
}

export interface WatchRunOptions extends CallOptions {
  /** Only events with seq > afterSeq (default 0: every event of the run). */
  afterSeq?: bigint | number | undefined;
}

export interface GetRunOptions extends CallOptions {
  /** Include image bytes in the nodes' outputs (default: mime type only). */
  includeImages?: boolean | undefined;
}

export interface ListRunsOptions extends CallOptions {
  /** Most runs per page (server default 50; above 500 counts as 500). */
  pageSize?: number | undefined;
  /** The previous page's `nextPageToken`; absent for the first page. */
  pageToken?: string | undefined;
  /** Only the runs of this flow id. */
  flowId?: string | undefined;
  /** Only runs in these states. */
  states?: readonly RunState[] | undefined;
}

/** A page of the caller's runs, newest first (without their nodes). */
export interface RunPage {
  runs: Run[];
  /** Pass it as `pageToken` for the next page; "" on the last page. */
  nextPageToken: string;
}

function callOptions({ signal, timeoutMs, headers }: CallOptions) {
  return { signal, timeoutMs, headers };
}

function theRun(run: Run | undefined): Run {
  if (run === undefined) throw new ConnectError("the server replied without a run", Code.Internal);
  return run;
}

/**
 * WatchRun's replies as they come, keepalives included (a reconnecting watcher counts them as
 * signs of life). Leaving the loop early cancels the call, not the run.
 */
export async function* watchResponses(
  service: Client<typeof FlowService>,
  runId: string,
  options: WatchRunOptions = {},
): AsyncGenerator<WatchRunResponse> {
  const { signal } = options;
  // connect-es does not cancel a stream whose reader stops early (break, return, a throw in the
  // loop body): our own controller does.
  const controller = new AbortController();
  const forward = () => controller.abort(signal?.reason);
  if (signal?.aborted) forward();
  signal?.addEventListener("abort", forward, { once: true });
  let finished = false;
  try {
    const request = { runId, afterSeq: BigInt(options.afterSeq ?? 0) };
    yield* service.watchRun(request, { ...callOptions(options), signal: controller.signal });
    finished = true;
  } finally {
    signal?.removeEventListener("abort", forward);
    if (!finished) controller.abort();
  }
}

export function runCalls(service: Client<typeof FlowService>) {
  return {
    async startRun(flow: Parameters<typeof service.startRun>[0]["flow"], options: StartRunOptions = {}): Promise<Run> {
      const request = { flow, idempotencyKey: options.idempotencyKey ?? "" };
      return theRun((await service.startRun(request, callOptions(options))).run);
    },

    async *watchRun(runId: string, options: WatchRunOptions = {}): AsyncGenerator<NodeEvent> {
      for await (const response of watchResponses(service, runId, options)) yield* response.events;
    },

    async getRun(runId: string, options: GetRunOptions = {}): Promise<Run> {
      const request = { runId, includeImages: options.includeImages ?? false };
      return theRun((await service.getRun(request, callOptions(options))).run);
    },

    async listRuns(options: ListRunsOptions = {}): Promise<RunPage> {
      const request = {
        pageSize: options.pageSize ?? 0,
        pageToken: options.pageToken ?? "",
        flowId: options.flowId ?? "",
        states: [...(options.states ?? [])],
      };
      const { runs, nextPageToken } = await service.listRuns(request, callOptions(options));
      return { runs, nextPageToken };
    },

    async cancelRun(runId: string, options: CallOptions = {}): Promise<Run> {
      return theRun((await service.cancelRun({ runId }, callOptions(options))).run);
    },

    async resumeRun(runId: string, options: CallOptions = {}): Promise<Run> {
      return theRun((await service.resumeRun({ runId }, callOptions(options))).run);
    },
  };
}
