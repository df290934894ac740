/**
 * executeGraphRemote survives a dropped connection, and reattachGraphRemote picks a run up by
 * id, through the real Envoy against the real server: the gateway is stopped and started again
 * on the same port mid-run, a page's gateway goes away for good, the caller aborts.
 * The reference for "every status once, in order" is the run's stored history (watchRun from 0).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  Code,
  ConnectError,
  createFlowClient,
  type FlowClient,
  type FlowEdge,
  type FlowNode,
  type NodeExecutionStatus,
  type NodeOutput,
  RunState,
  statusName,
} from "@flowexec/client";
import { delayChain, edge } from "./helpers/graphs.js";
import { type Service, startGateway, startServer, TEST_ORIGIN } from "./helpers/processes.js";

/** A 1×1 PNG. */
const PNG =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

let server: Service;
let gateway: Service;
/** The gateway's port: a restarted gateway takes it again, so clients keep their base URL. */
let port: number;

before(async () => {
  // Keepalives every 200 ms: a quiet watch is never silent for long unless its connection is.
  server = await startServer({ FLOWEXEC_WATCH_KEEPALIVE_SECONDS: "0.2" });
  gateway = await startGateway(server.address);
  port = Number(gateway.address.split(":").at(-1));
});

after(async () => {
  await gateway?.stop();
  await server?.stop();
});

const clientOf = (address: string): FlowClient => createFlowClient({ baseUrl: `http://${address}` });
const gatewayClient = () => clientOf(`127.0.0.1:${port}`);

/** Stops the gateway, lets `downMs` pass, and starts a new one on the same port. */
async function restartGateway(downMs = 0): Promise<void> {
  await gateway.stop();
  await new Promise((resolve) => setTimeout(resolve, downMs));
  gateway = await startGateway(server.address, TEST_ORIGIN, port);
}

type Recorded = { calls: string[]; onStatus: (nodeId: string, status: NodeExecutionStatus, output?: NodeOutput) => void };

/** An onStatus that records `id:status` (and the output for "complete"), calling `also` after each. */
function recorder(also: (nodeId: string, status: NodeExecutionStatus) => void = () => {}): Recorded {
  const calls: string[] = [];
  return {
    calls,
    onStatus: (nodeId, status, output) => {
      calls.push(`${nodeId}:${status}${status === "complete" ? ` ${JSON.stringify(output)}` : ""}`);
      also(nodeId, status);
    },
  };
}

/** The run's stored history, as the onStatus calls it maps to (statuses only). */
async function storedStatuses(client: FlowClient, runId: string, afterSeq = 0): Promise<string[]> {
  const statuses: string[] = [];
  for await (const event of client.watchRun(runId, { afterSeq })) {
    if (event.kind.case === "nodeStatus") statuses.push(`${event.kind.value.nodeId}:${statusName(event.kind.value.status)}`);
  }
  return statuses;
}

const withoutOutputs = (calls: string[]) => calls.map((call) => call.split(" ")[0]!);

async function rejection(call: Promise<unknown>): Promise<unknown> {
  return call.then(() => assert.fail("the call should have failed"), (err: unknown) => err);
}

/** a → b → c → d, 0.3 s each, and a streaming node beside them. */
const CHAIN = delayChain(["a", "b", "c", "d"], 0.3);
CHAIN.nodes.push({ id: "talk", type: "diag.stream", data: { chunks: ["one ", "two ", "three"], interval: 0.3 } });

describe("executeGraphRemote across a gateway restart", () => {
  it("delivers every status once and in order when Envoy restarts mid-run", async () => {
    let restarted: Promise<void> | undefined;
    const { calls, onStatus } = recorder((nodeId, status) => {
      if (nodeId === "b" && status === "running") restarted ??= restartGateway(200);
    });
    const reconnects: string[] = [];
    let runId = "";
    const deltas: string[] = [];
    const outputs = await gatewayClient()
      .executeGraphRemote(CHAIN.nodes, CHAIN.edges, "", onStatus, undefined, undefined, {
        onRunStarted: (id) => (runId = id),
        onReconnect: (_attempt, err) => reconnects.push(ConnectError.from(err).message),
        onTextDelta: (_id, chunk) => deltas.push(chunk),
      })
      .finally(() => restarted); // a failed call must not leave the restart running past the test
    assert.ok(reconnects.length > 0, "the watch was never dropped: the test proves nothing");
    assert.deepEqual(withoutOutputs(calls), await storedStatuses(gatewayClient(), runId));
    assert.equal(calls.filter((call) => call.startsWith("d:complete")).length, 1);
    assert.equal(outputs["d"]?.text, "from a");
    assert.equal(outputs["talk"]?.text, "one two three");
    assert.equal(deltas.join(""), "one two three", "each text delta once, in order");
  });

  it("drops a watch that went silent (the gateway frozen) and watches again", async () => {
    const nodes = [
      { id: "a", type: "diag.delay", data: { seconds: 0.2, text: "from a" } },
      { id: "b", type: "diag.delay", data: { seconds: 1.5 } },
      { id: "c", type: "diag.delay", data: { seconds: 0.2 } },
    ];
    const edges = [edge("a", "b"), edge("b", "c")];
    let frozen: Promise<void> | undefined;
    const { calls, onStatus } = recorder((nodeId, status) => {
      if (nodeId === "b" && status === "running") {
        // SIGSTOP: Envoy keeps every connection open and sends nothing, not even keepalives.
        gateway.pause();
        frozen ??= new Promise((resolve) => setTimeout(resolve, 2500)).then(() => gateway.resume());
      }
    });
    const reconnects: string[] = [];
    let runId = "";
    const outputs = await gatewayClient()
      .executeGraphRemote(nodes, edges, "", onStatus, undefined, undefined, {
        onRunStarted: (id) => (runId = id),
        reconnect: { idleTimeoutMs: 700 },
        onReconnect: (_attempt, err) => reconnects.push(ConnectError.from(err).rawMessage),
      })
      .finally(() => frozen ?? gateway.resume());
    assert.ok(reconnects.includes("no reply from the server for 700 ms"), JSON.stringify(reconnects));
    assert.deepEqual(withoutOutputs(calls), await storedStatuses(gatewayClient(), runId));
    assert.equal(outputs["c"]?.text, "from a");
  });

  it("keeps a quiet but healthy watch: keepalives count as replies", async () => {
    const graph = delayChain(["quiet"], 1.5);
    const reconnects: unknown[] = [];
    const outputs = await gatewayClient().executeGraphRemote(graph.nodes, graph.edges, "", () => {}, undefined, undefined, {
      reconnect: { idleTimeoutMs: 700 },
      onReconnect: (_attempt, err) => reconnects.push(err),
    });
    assert.equal(outputs["quiet"]?.text, "from quiet");
    assert.deepEqual(reconnects, []);
  });

  it("re-watches a fetch the environment aborted (Canceled, not by the caller), and the run goes on", async () => {
    // What a browser does to a page's fetches as it goes away: they end with an AbortError,
    // which connect reports as Canceled, though the caller never aborted.
    let cut = false;
    const client = createFlowClient({
      baseUrl: `http://127.0.0.1:${port}`,
      fetch: async (input, init) => {
        if (cut || !String(input).endsWith("/WatchRun")) return fetch(input, init);
        cut = true;
        const environment = new AbortController();
        setTimeout(() => environment.abort(new DOMException("The user aborted a request.", "AbortError")), 400);
        const signals = [init?.signal, environment.signal].filter((s): s is AbortSignal => !!s);
        return fetch(input, { ...init, signal: AbortSignal.any(signals) });
      },
    });
    const reconnects: string[] = [];
    const { calls, onStatus } = recorder();
    let runId = "";
    const outputs = await client.executeGraphRemote(CHAIN.nodes, CHAIN.edges, "", onStatus, undefined, undefined, {
      onRunStarted: (id) => (runId = id),
      onReconnect: (_attempt, err) => reconnects.push(Code[ConnectError.from(err).code]),
    });
    assert.deepEqual(reconnects, ["Canceled"]);
    assert.deepEqual(withoutOutputs(calls), await storedStatuses(gatewayClient(), runId));
    assert.equal(outputs["d"]?.text, "from a");
  });

  it("retries StartRun while the gateway is down, starting the run once", async () => {
    await gateway.stop();
    const up = new Promise((resolve) => setTimeout(resolve, 300)).then(async () => {
      gateway = await startGateway(server.address, TEST_ORIGIN, port);
    });
    const flowId = `start-${randomUUID()}`;
    const reconnects: number[] = [];
    const graph = delayChain(["a"], 0);
    const outputs = await gatewayClient()
      .executeGraphRemote(graph.nodes, graph.edges, "", () => {}, undefined, undefined, {
        flowId,
        onReconnect: (attempt) => reconnects.push(attempt),
      })
      .finally(() => up);
    assert.ok(reconnects.length > 0, "StartRun never failed: the test proves nothing");
    assert.equal(outputs["a"]?.text, "from a");
    assert.equal((await gatewayClient().listRuns({ flowId })).runs.length, 1);
  });

  it("gives up after its retries: unfinished nodes cancelled with the last error", { timeout: 20_000 }, async () => {
    let stopped: Promise<void> | undefined;
    const reasons: (string | undefined)[] = [];
    const { calls, onStatus: record } = recorder((nodeId, status) => {
      if (nodeId === "b" && status === "running") stopped ??= gateway.stop();
    });
    const onStatus = (nodeId: string, status: NodeExecutionStatus, output?: NodeOutput) => {
      if (status === "cancelled") reasons.push(output?.error);
      record(nodeId, status, output);
    };
    let runId = "";
    const err = await rejection(
      gatewayClient().executeGraphRemote(CHAIN.nodes, CHAIN.edges, "", onStatus, undefined, undefined, {
        onRunStarted: (id) => (runId = id),
        reconnect: { attempts: 2, initialDelayMs: 50 },
      }),
    );
    await stopped;
    if (stopped) gateway = await startGateway(server.address, TEST_ORIGIN, port);
    assert.ok(err instanceof ConnectError, String(err));
    // b was running when the gateway went away: it and everything after it end cancelled, with the reason.
    const cancelled = calls.filter((call) => call.endsWith(":cancelled")).map((call) => call.split(":")[0]);
    assert.ok(["b", "c", "d"].every((id) => cancelled.includes(id)), JSON.stringify(calls));
    assert.ok(reasons.every((reason) => reason === `connection lost: ${err.message}`), JSON.stringify(reasons));
    // The CancelRun sent after giving up could not get through either: the run went on alone.
    await storedStatuses(gatewayClient(), runId);
    assert.equal((await gatewayClient().getRun(runId)).state, RunState.SUCCEEDED);
  });
});

describe("caller abort and deadline", () => {
  const SLOW: { nodes: FlowNode[]; edges: FlowEdge[] } = {
    nodes: [...delayChain(["slow"], 30).nodes, { id: "next", type: "diag.delay", data: {} }],
    edges: [edge("slow", "next")],
  };

  it("an abort cancels the run on the server before the promise rejects", async () => {
    const controller = new AbortController();
    let runId = "";
    const { calls, onStatus } = recorder((nodeId, status) => {
      if (nodeId === "slow" && status === "running") controller.abort();
    });
    const err = await rejection(
      gatewayClient().executeGraphRemote(SLOW.nodes, SLOW.edges, "", onStatus, undefined, undefined, {
        signal: controller.signal,
        onRunStarted: (id) => (runId = id),
      }),
    );
    assert.ok(err instanceof ConnectError && err.code === Code.Canceled, String(err));
    assert.deepEqual(calls.slice(-2), ["slow:cancelled", "next:cancelled"]);
    const run = await gatewayClient().getRun(runId);
    assert.equal(run.state, RunState.CANCELLED);
  });

  it("a deadline cancels the run on the server before the promise rejects", async () => {
    let runId = "";
    const err = await rejection(
      gatewayClient().executeGraphRemote(SLOW.nodes, SLOW.edges, "", () => {}, undefined, undefined, {
        timeoutMs: 800,
        onRunStarted: (id) => (runId = id),
      }),
    );
    assert.ok(err instanceof ConnectError && err.code === Code.DeadlineExceeded, String(err));
    assert.equal((await gatewayClient().getRun(runId)).state, RunState.CANCELLED);
  });

  it("a callback that throws abandons the run, and the run is cancelled", async () => {
    let runId = "";
    const err = await rejection(
      gatewayClient().executeGraphRemote(SLOW.nodes, SLOW.edges, "", (nodeId, status) => {
        if (nodeId === "slow" && status === "running") throw new Error("editor bug");
      }, undefined, undefined, { onRunStarted: (id) => (runId = id) }),
    );
    assert.equal((err as Error).message, "editor bug");
    assert.equal((await gatewayClient().getRun(runId)).state, RunState.CANCELLED);
  });
});

describe("reattachGraphRemote", () => {
  it("after the original call was abandoned mid-run, replays the same onStatus calls and outputs", async () => {
    // The page reaches the server through its own gateway, which goes away for good mid-run
    // (the page is reloaded): its call ends, and its CancelRun cannot get through.
    const pageGateway = await startGateway(server.address);
    let stored = ""; // sessionStorage
    let dropped: Promise<void> | undefined;
    const first = recorder((nodeId, status) => {
      if (nodeId === "b" && status === "running") dropped ??= pageGateway.stop();
    });
    await rejection(
      clientOf(pageGateway.address)
        .executeGraphRemote(CHAIN.nodes, CHAIN.edges, "", first.onStatus, undefined, undefined, {
          onRunStarted: (runId) => (stored = runId),
          reconnect: false,
        })
        .finally(() => dropped ?? pageGateway.stop()),
    );
    assert.notEqual(stored, "");

    // The reloaded page reattaches by the stored id while the run goes on.
    const again = recorder();
    const outputs = await gatewayClient().reattachGraphRemote(stored, again.onStatus);
    const history = await storedStatuses(gatewayClient(), stored);
    assert.deepEqual(withoutOutputs(again.calls), history);
    const seenBefore = first.calls.filter((call) => !call.endsWith(":cancelled"));
    assert.deepEqual(again.calls.slice(0, seenBefore.length), seenBefore, "the first page saw a prefix of the same calls");
    assert.ok(seenBefore.length < again.calls.length, "the first call was not cut mid-run");
    assert.equal(outputs["d"]?.text, "from a");
    assert.equal(outputs["talk"]?.text, "one two three");
  });

  it("gives executeGraphRemote's calls and outputs for a finished run: errors, skips, cached images", async () => {
    const mixed = {
      nodes: [
        { id: "src", type: "diag.delay", data: { text: "hello" } },
        { id: "boom", type: "diag.fail", data: { message: "provider down" } },
        { id: "after-boom", type: "diag.delay", data: {} },
        { id: "out", type: "textOutput", data: {} },
      ],
      edges: [edge("src", "out"), edge("boom", "after-boom")],
    };
    const cached = delayChain(["first", "second"], 0);
    const runs = [
      { graph: mixed, trigger: undefined, cache: undefined },
      { graph: cached, trigger: "second", cache: { first: { text: "cached text", image: PNG, durationMs: 12 } } },
    ];
    for (const { graph, trigger, cache } of runs) {
      const original = recorder();
      let runId = "";
      const expected = await gatewayClient().executeGraphRemote(graph.nodes, graph.edges, "", original.onStatus, trigger, cache, {
        onRunStarted: (id) => (runId = id),
      });
      const replay = recorder();
      const outputs = await gatewayClient().reattachGraphRemote(runId, replay.onStatus);
      assert.deepEqual(replay.calls, original.calls);
      assert.deepEqual(outputs, expected);
    }
  });

  it("from afterSeq: only the later calls, and still the whole run's outputs", async () => {
    const original = recorder();
    let runId = "";
    const expected = await gatewayClient().executeGraphRemote(CHAIN.nodes, CHAIN.edges, "", original.onStatus, undefined, undefined, {
      onRunStarted: (id) => (runId = id),
    });
    const afterSeq = 8;
    const later = recorder();
    const outputs = await gatewayClient().reattachGraphRemote(runId, later.onStatus, { afterSeq });
    const tail = await storedStatuses(gatewayClient(), runId, afterSeq);
    assert.ok(tail.length > 0 && tail.length < original.calls.length);
    assert.deepEqual(later.calls, original.calls.slice(original.calls.length - tail.length));
    assert.deepEqual(outputs, expected);
  });

  it("mid-run after afterSeq, aborted: the nodes it did not see finish are reported cancelled, the run too", async () => {
    const slow = { nodes: [...delayChain(["slow"], 30).nodes, { id: "next", type: "diag.delay", data: {} }], edges: [edge("slow", "next")] };
    const started = await gatewayClient().startRun(slow.nodes, slow.edges, "");
    let afterSeq = 0n;
    for await (const event of gatewayClient().watchRun(started.runId)) {
      afterSeq = event.seq;
      if (event.kind.case === "nodeStatus" && event.kind.value.nodeId === "slow" && statusName(event.kind.value.status) === "running") break;
    }
    const controller = new AbortController();
    const { calls, onStatus } = recorder();
    const reattached = gatewayClient().reattachGraphRemote(started.runId, onStatus, { afterSeq, signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    const err = await rejection(reattached);
    assert.ok(err instanceof ConnectError && err.code === Code.Canceled, String(err));
    assert.deepEqual(calls, ["slow:cancelled", "next:cancelled"], "no event after afterSeq: GetRun said what was unfinished");
    assert.equal((await gatewayClient().getRun(started.runId)).state, RunState.CANCELLED);
  });

  it("fails with NotFound for an unknown run, reporting nothing", async () => {
    const { calls, onStatus } = recorder();
    const err = await rejection(gatewayClient().reattachGraphRemote("0".repeat(32), onStatus));
    assert.ok(err instanceof ConnectError && err.code === Code.NotFound, String(err));
    assert.deepEqual(calls, []);
  });
});
