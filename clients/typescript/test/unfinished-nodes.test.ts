/**
 * No node stays "running" in the editor: when executeGraphRemote's call ends without the run
 * completing (abort, deadline, the server going away), every node it planned or reported that
 * has not finished is reported cancelled, with the reason, before the promise rejects.
 * Through the real Envoy against the real server.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  Code,
  ConnectError,
  createFlowClient,
  type FlowClient,
  type LegacyNodeExecutionStatus,
  type NodeExecutionStatus,
  type NodeOutput,
  type RemoteRunOptions,
} from "@flowexec/client";
import { edge } from "./helpers/graphs.js";
import { serverBehindGateway, type Service, startGateway, startServer } from "./helpers/processes.js";

const services = serverBehindGateway();

/** slow (running when the call ends) → next (pending); quick completes; idle runs in parallel. */
const nodes = [
  { id: "quick", type: "diag.delay", position: { x: 0, y: 0 }, data: { text: "done" } },
  { id: "slow", type: "diag.delay", position: { x: 0, y: 100 }, data: { seconds: 30, text: "late" } },
  { id: "next", type: "diag.delay", position: { x: 200, y: 100 }, data: {} },
  { id: "idle", type: "diag.delay", position: { x: 0, y: 200 }, data: { seconds: 30 } },
];
const edges = [edge("slow", "next")];
const UNFINISHED = ["slow", "next", "idle"];

type Call = [nodeId: string, status: NodeExecutionStatus, output: NodeOutput | undefined];

/**
 * Runs the graph and returns every onStatus call and the rejection. `whenRunning` is called
 * once, when quick has completed and both slow nodes are running.
 */
async function runUntilItFails(
  client: FlowClient,
  whenRunning: () => void,
  options: RemoteRunOptions & { mayComplete?: boolean } = {},
): Promise<{ calls: Call[]; error: unknown }> {
  const calls: Call[] = [];
  const now = new Map<string, NodeExecutionStatus>();
  let called = false;
  const onStatus = (nodeId: string, status: NodeExecutionStatus, output?: NodeOutput) => {
    calls.push([nodeId, status, output]);
    now.set(nodeId, status);
    if (!called && now.get("quick") === "complete" && now.get("slow") === "running" && now.get("idle") === "running") {
      called = true;
      whenRunning();
    }
  };
  const error = await client.executeGraphRemote(nodes, edges, "", onStatus, undefined, undefined, options).then(
    () => (options.mayComplete ? undefined : assert.fail("the call should have failed")),
    (err: unknown) => err,
  );
  return { calls, error };
}

function lastStatus(calls: Call[], nodeId: string): [NodeExecutionStatus, NodeOutput | undefined] | undefined {
  const last = calls.filter(([id]) => id === nodeId).at(-1);
  return last && [last[1], last[2]];
}

function assertUnfinishedCancelled(calls: Call[], reason: string | RegExp): void {
  assert.equal(lastStatus(calls, "quick")?.[1]?.text, "done");
  for (const nodeId of UNFINISHED) {
    const [status, output] = lastStatus(calls, nodeId) ?? [];
    assert.equal(status, "cancelled", `${nodeId} ended ${status}; calls: ${JSON.stringify(calls)}`);
    if (typeof reason === "string") assert.equal(output?.error, reason);
    else assert.match(output?.error ?? "", reason);
  }
  // Each node is cancelled once, and nothing is reported after that.
  assert.equal(calls.filter(([, status]) => status === "cancelled").length, UNFINISHED.length);
}

function assertCode(error: unknown, code: Code): void {
  assert.ok(error instanceof ConnectError, `not a ConnectError: ${String(error)}`);
  assert.equal(error.code, code, `expected ${Code[code]}, got ${Code[error.code]}: ${error.message}`);
}

describe("executeGraphRemote leaves no node running", () => {
  const gatewayClient = () => createFlowClient({ baseUrl: `http://${services.gateway.address}` });

  it("reports pending and running nodes cancelled when the caller aborts", async () => {
    const controller = new AbortController();
    const { calls, error } = await runUntilItFails(gatewayClient(), () => controller.abort(), {
      signal: controller.signal,
    });
    assertCode(error, Code.Canceled);
    assertUnfinishedCancelled(calls, "aborted by the caller");
  });

  it("reports them cancelled when the deadline passes", async () => {
    const { calls, error } = await runUntilItFails(gatewayClient(), () => {}, { timeoutMs: 1500 });
    assertCode(error, Code.DeadlineExceeded);
    assertUnfinishedCancelled(calls, "deadline exceeded");
  });

  it("delivers the cancellation as cancelledAs to a callback without \"cancelled\"", async () => {
    const controller = new AbortController();
    const seen: [string, LegacyNodeExecutionStatus, NodeOutput | undefined][] = [];
    const legacy = (nodeId: string, status: LegacyNodeExecutionStatus, output?: NodeOutput) => {
      seen.push([nodeId, status, output]);
      if (nodeId === "idle" && status === "running") controller.abort();
    };
    const run = gatewayClient().executeGraphRemote(nodes, edges, "", legacy, undefined, undefined, {
      signal: controller.signal,
      cancelledAs: "error",
    });
    await assert.rejects(run, (err: unknown) => err instanceof ConnectError && err.code === Code.Canceled);
    assert.ok(!seen.some(([, status]) => (status as string) === "cancelled"));
    assert.deepEqual(seen.filter(([id]) => id === "next").at(-1), ["next", "error", { error: "aborted by the caller" }]);
  });
});

describe("executeGraphRemote when the server goes away mid-run", () => {
  async function withOwnServer(test: (server: Service, client: FlowClient) => Promise<void>): Promise<void> {
    const server = await startServer();
    const gateway = await startGateway(server.address).catch(async (err: unknown) => {
      await server.stop();
      throw err;
    });
    try {
      await test(server, createFlowClient({ baseUrl: `http://${gateway.address}` }));
    } finally {
      await gateway.stop();
      await server.stop();
    }
  }

  it("reports unfinished nodes cancelled with the lost connection's error when the server is killed", async () => {
    await withOwnServer(async (server, client) => {
      // The watch is retried (the gateway answers Unavailable) until the retries run out: keep them short.
      const { calls, error } = await runUntilItFails(client, () => void server.kill("SIGKILL"), {
        reconnect: { attempts: 2, initialDelayMs: 50 },
      });
      assert.ok(error instanceof ConnectError, `not a ConnectError: ${String(error)}`);
      assertUnfinishedCancelled(calls, `connection lost: ${error.message}`);
    });
  });

  it("reports unfinished nodes cancelled when the server shuts down past its grace period", async () => {
    await withOwnServer(async (server, client) => {
      // SIGTERM: the server drains for its 1 s grace period, then cancels the run while the call is
      // still open: the server's own CANCELLED statuses and run_completed arrive, and the call ends OK.
      const { calls, error } = await runUntilItFails(client, () => void server.kill("SIGTERM"), { mayComplete: true });
      assert.equal(error, undefined, `the call failed: ${String(error)}`);
      assertUnfinishedCancelled(calls, "Run cancelled");
    });
  });
});
