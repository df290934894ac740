/**
 * Runs as stored resources, through the real Envoy against the real server: startRun, watchRun,
 * getRun, listRuns, cancelRun, resumeRun.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  Code,
  ConnectError,
  createFlowClient,
  type FlowClient,
  graphToRequest,
  type NodeEvent,
  NodeStatus,
  type Run,
  RunState,
} from "@flowexec/client";
import { delayChain, edge } from "./helpers/graphs.js";
import { type Service, startGateway, startServer } from "./helpers/processes.js";

/** A 1×1 PNG. */
const PNG =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

let server: Service;
let gateway: Service;
let client: FlowClient;

before(async () => {
  // Keepalives every 100 ms, so a quiet node's watch receives some.
  server = await startServer({ FLOWEXEC_WATCH_KEEPALIVE_SECONDS: "0.1" });
  gateway = await startGateway(server.address);
  client = createFlowClient({ baseUrl: `http://${gateway.address}` });
});

after(async () => {
  await gateway?.stop();
  await server?.stop();
});

async function collect(events: AsyncIterable<NodeEvent>): Promise<NodeEvent[]> {
  const all: NodeEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

function statusesOf(events: NodeEvent[]): string[] {
  return events.flatMap((e) =>
    e.kind.case === "nodeStatus" ? [`${e.kind.value.nodeId}:${NodeStatus[e.kind.value.status]}`] : []);
}

async function expectCode(call: Promise<unknown>, code: Code): Promise<void> {
  const err = await call.then(() => assert.fail(`expected ${Code[code]}`), (e: unknown) => e);
  assert.ok(err instanceof ConnectError, `not a ConnectError: ${String(err)}`);
  assert.equal(err.code, code, `expected ${Code[code]}, got ${Code[err.code]}: ${err.message}`);
}

/** Polls getRun until the node is RUNNING (the run is under way, not queued). */
async function untilRunning(runId: string, nodeId: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const run = await client.getRun(runId);
    if (run.nodes.find((n) => n.nodeId === nodeId)?.status === NodeStatus.RUNNING) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`${nodeId} never ran`);
}

describe("startRun and watchRun", () => {
  it("starts a run that goes on alone, and watchRun streams all of it in order", async () => {
    const graph = delayChain(["a", "b"], 0.05);
    const run = await client.startRun(graph.nodes, graph.edges, "", { flowId: "started" });
    assert.match(run.runId, /^[0-9a-f]{32}$/);
    assert.equal(run.flowId, "started");
    assert.deepEqual(run.nodes.map((n) => [n.nodeId, n.status]), [["a", NodeStatus.PENDING], ["b", NodeStatus.PENDING]]);
    const events = await collect(client.watchRun(run.runId));
    assert.deepEqual(events.map((e) => Number(e.seq)), events.map((_, i) => i + 1));
    assert.equal(events[0]?.kind.case, "runStarted");
    assert.equal(events.at(-1)?.kind.case, "runCompleted");
    assert.deepEqual(statusesOf(events), [
      "a:PENDING", "b:PENDING", "a:RUNNING", "a:COMPLETE", "b:RUNNING", "b:COMPLETE",
    ]);
  });

  it("returns the same run for a repeated idempotency key, from a request too", async () => {
    const graph = delayChain(["a"], 0);
    const request = graphToRequest(graph.nodes, graph.edges, "");
    const idempotencyKey = randomUUID();
    const first = await client.startRun(request, { idempotencyKey });
    const again = await client.startRun(request, { idempotencyKey });
    const other = await client.startRun(request, { idempotencyKey: randomUUID() });
    assert.equal(again.runId, first.runId);
    assert.notEqual(other.runId, first.runId);
  });

  it("watches from afterSeq: exactly the events after it", async () => {
    const graph = delayChain(["a", "b", "c"], 0);
    const run = await client.startRun(graph.nodes, graph.edges, "");
    const all = await collect(client.watchRun(run.runId));
    for (const afterSeq of [0, 1, 5, all.length - 1, all.length]) {
      const tail = await collect(client.watchRun(run.runId, { afterSeq }));
      assert.deepEqual(tail.map((e) => e.seq), all.slice(afterSeq).map((e) => e.seq), `afterSeq ${afterSeq}`);
    }
  });

  it("skips the keepalives of a quiet run", async () => {
    const graph = delayChain(["quiet"], 0.8);
    const run = await client.startRun(graph.nodes, graph.edges, "");
    let keepalives = 0;
    for await (const response of client.service.watchRun({ runId: run.runId })) if (!response.events.length) keepalives++;
    assert.ok(keepalives > 0, "the server sent no keepalive: the test proves nothing");
    const events = await collect(client.watchRun((await client.startRun(graph.nodes, graph.edges, "")).runId));
    assert.deepEqual(events.map((e) => Number(e.seq)), events.map((_, i) => i + 1));
    assert.ok(events.every((e) => e.kind.case !== undefined), "an empty event reached the loop");
  });

  it("fails with NotFound for an unknown run", async () => {
    await expectCode(collect(client.watchRun("0".repeat(32))), Code.NotFound);
    await expectCode(client.getRun("0".repeat(32)), Code.NotFound);
  });
});

describe("getRun", () => {
  it("shows a finished run's state, nodes and outputs, image bytes only when asked", async () => {
    const nodes = [{ id: "look", type: "imageDescriber", data: { image: PNG } }, { id: "boom", type: "diag.fail", data: {} }];
    const started = await client.startRun(nodes, [], "mistral", { dryRun: true, flowId: "get" });
    await collect(client.watchRun(started.runId));
    const run = await client.getRun(started.runId);
    assert.equal(run.state, RunState.FAILED);
    assert.equal(run.dryRun, true);
    assert.equal(run.flowId, "get");
    assert.deepEqual([run.counts?.complete, run.counts?.error, run.counts?.cancelled], [1, 1, 0]);
    const look = run.nodes.find((n) => n.nodeId === "look");
    assert.equal(look?.status, NodeStatus.COMPLETE);
    assert.match(look?.output?.image?.mimeType ?? "", /^image\//);
    assert.equal(look?.output?.image?.data.length, 0, "no image bytes unless asked");
    const withImages = await client.getRun(started.runId, { includeImages: true });
    assert.ok((withImages.nodes.find((n) => n.nodeId === "look")?.output?.image?.data.length ?? 0) > 20);
    assert.equal(run.nodes.find((n) => n.nodeId === "boom")?.status, NodeStatus.ERROR);
  });
});

describe("listRuns", () => {
  it("pages through the caller's runs of a flow, newest first, filtered by state", async () => {
    const flowId = `list-${randomUUID()}`;
    const graph = delayChain(["a"], 0);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const run = await client.startRun(graph.nodes, graph.edges, "", { flowId });
      await collect(client.watchRun(run.runId));
      ids.push(run.runId);
    }
    const slow = await client.startRun(delayChain(["slow"], 30).nodes, [], "", { flowId });
    await client.cancelRun(slow.runId);

    const seen: Run[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.listRuns({ flowId, pageSize: 2, pageToken });
      assert.ok(page.runs.length <= 2);
      seen.push(...page.runs);
      pageToken = page.nextPageToken || undefined;
      assert.ok(++pages <= 3, "paging does not end");
    } while (pageToken);
    assert.deepEqual(seen.map((r) => r.runId), [slow.runId, ...ids.reverse()]);
    assert.ok(seen.every((r) => r.nodes.length === 0), "listed runs come without their nodes");

    const succeeded = await client.listRuns({ flowId, states: [RunState.SUCCEEDED] });
    assert.deepEqual(succeeded.runs.map((r) => r.runId).sort(), [...ids].sort());
    const cancelled = await client.listRuns({ flowId, states: [RunState.CANCELLED, RunState.FAILED] });
    assert.deepEqual(cancelled.runs.map((r) => r.runId), [slow.runId]);
  });
});

describe("cancelRun and resumeRun", () => {
  it("cancels a running run (idempotently), and resumes what did not complete in a new run", async () => {
    const nodes = [
      { id: "quick", type: "diag.delay", data: { text: "kept" } },
      { id: "slow", type: "diag.delay", data: { seconds: 30 } },
    ];
    const started = await client.startRun(nodes, [edge("quick", "slow")], "");
    await untilRunning(started.runId, "slow");
    const cancelled = await client.cancelRun(started.runId);
    assert.equal(cancelled.state, RunState.CANCELLED);
    assert.equal((await client.cancelRun(started.runId)).state, RunState.CANCELLED, "a second cancel changes nothing");
    const events = await collect(client.watchRun(started.runId));
    assert.ok(statusesOf(events).includes("quick:COMPLETE"));
    assert.equal(statusesOf(events).at(-1), "slow:CANCELLED");
    assert.equal(events.at(-1)?.kind.case, "runCompleted");

    const resumed = await client.resumeRun(started.runId);
    assert.equal(resumed.parentRunId, started.runId);
    assert.notEqual(resumed.runId, started.runId);
    assert.deepEqual(resumed.nodes.map((n) => n.nodeId), ["slow"], "only what did not complete runs again");
    await untilRunning(resumed.runId, "slow");
    assert.equal((await client.cancelRun(resumed.runId)).state, RunState.CANCELLED);
    const run = await client.getRun(resumed.runId);
    assert.equal(run.nodes.find((n) => n.nodeId === "quick")?.output?.text, "kept", "quick's stored output fed it");
  });

  it("refuses to resume a run that is still going (FailedPrecondition)", async () => {
    const started = await client.startRun(delayChain(["slow"], 30).nodes, [], "");
    try {
      await expectCode(client.resumeRun(started.runId), Code.FailedPrecondition);
    } finally {
      await client.cancelRun(started.runId);
    }
  });
});
