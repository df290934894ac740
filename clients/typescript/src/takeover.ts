/**
 * Following a run into the run that resumes it after a takeover (the Python client's
 * `follow_run` does the same: clients/python/flowexec/follow.py).
 *
 * With replicas sharing PostgreSQL, a replica that dies mid-run stops renewing the run's lease;
 * another replica takes it over, ends it INTERRUPTED — its unfinished nodes CANCELLED with reason
 * SERVER_RESTARTED, then RunCompleted — and, with FLOWEXEC_RESUME_INTERRUPTED=true, resumes it as
 * a new run linked to it (parentRunId) that reuses every stored output. followRun holds that
 * ending back (`TakeoverEnding`); when a run resuming the old one appears (GetRun, ListRuns), the
 * call follows it instead, so the editor sees a pause, not cancelled nodes. When none appears
 * within `takeoverWaitMs`, the held ending is reported as it came.
 */
import { type NodeEvent, StatusReason } from "./gen/flowexec/v1/events_pb.js";
import { RunState } from "./gen/flowexec/v1/runs_pb.js";
import type { CallOptions, FlowClient } from "./client.js";

/** How long to look for the run resuming an interrupted one (default 10 s; 0: never follow). */
export const DEFAULT_TAKEOVER_WAIT_MS = 10_000;

/** A takeover's ending of a run: its SERVER_RESTARTED cancellations, then its RunCompleted. */
export type TakeoverEnding = NodeEvent[];

/** Whether `event` belongs to a takeover's (or a restart's) ending of its run. */
export function restarted(event: NodeEvent): boolean {
  return event.kind.case === "nodeStatus" && event.kind.value.reason === StatusReason.SERVER_RESTARTED;
}

/**
 * The id of the run resuming `runId` after a takeover, once it appears; undefined when `runId`
 * did not end INTERRUPTED or nothing resumes it within `waitMs`.
 */
export async function resumingRun(
  client: FlowClient,
  runId: string,
  waitMs: number,
  rpc: () => CallOptions,
  retried: <T>(call: () => Promise<T>) => Promise<T>,
): Promise<string | undefined> {
  if (waitMs <= 0) return undefined;
  const run = await retried(() => client.getRun(runId, rpc()));
  if (run.state !== RunState.INTERRUPTED) return undefined;
  const deadline = Date.now() + waitMs;
  for (;;) {
    const page = await retried(() => client.listRuns({ ...rpc(), flowId: run.flowId, pageSize: 20 }));
    const children = page.runs.filter((r) => r.parentRunId === runId);
    // Newest first: the takeover's is the first one made.
    if (children.length > 0) return children[children.length - 1]!.runId;
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
