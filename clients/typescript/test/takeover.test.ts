/**
 * executeGraphRemote through the death of the server executing its run: killed (-9) mid-run and
 * started again on its database with FLOWEXEC_RESUME_INTERRUPTED=true, the server interrupts the
 * run and resumes it as a linked run; the call follows that run — a pause, no node reported
 * cancelled — or, told not to (takeoverWaitMs: 0), reports the interruption. A replica taking
 * over a dead replica's run ends and resumes it the same way (tests/runs/test_kill_through_gateway.py).
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createFlowClient, type NodeExecutionStatus, type NodeOutput, type RemoteRunOptions } from "@flowexec/client";
import { delayChain } from "./helpers/graphs.js";
import { Service, startGateway, startServer } from "./helpers/processes.js";

type Call = [nodeId: string, status: NodeExecutionStatus];

/** a → b → c, 1.5 s each; the server is killed while b runs and started again where it was. */
async function killedMidRun(options: RemoteRunOptions) {
  const dataDir = mkdtempSync(join(tmpdir(), "flowexec-ts-takeover-"));
  const first = await startServer({ FLOWEXEC_DATA_DIR: dataDir });
  const gateway = await startGateway(first.address);
  let second: Service | undefined;
  try {
    const client = createFlowClient({ baseUrl: `http://${gateway.address}` });
    const { nodes, edges } = delayChain(["a", "b", "c"], 1.5);
    const calls: Call[] = [];
    const runIds: string[] = [];
    let restarting: Promise<void> | undefined;
    const onStatus = (nodeId: string, status: NodeExecutionStatus, _output?: NodeOutput) => {
      calls.push([nodeId, status]);
      if (!restarting && nodeId === "b" && status === "running") {
        restarting = (async () => {
          await first.kill("SIGKILL");
          second = await Service.start(
            "flowexec server (restarted)",
            ["serve", "--host", "127.0.0.1", "--port", first.address.split(":").at(-1)!, "--diagnostic-nodes"],
            /flowexec listening on (\S+)/,
            { FLOWEXEC_DATA_DIR: dataDir, FLOWEXEC_RESUME_INTERRUPTED: "true", FLOWEXEC_SHUTDOWN_GRACE_SECONDS: "1" },
          );
        })();
      }
    };
    const outputs = await client.executeGraphRemote(nodes, edges, "", onStatus, undefined, undefined, {
      ...options,
      onRunStarted: (runId) => runIds.push(runId),
    });
    await restarting;
    return { calls, runIds, outputs };
  } finally {
    await gateway.stop();
    await second?.stop();
    await first.stop();
  }
}

describe("executeGraphRemote when the server executing the run dies", () => {
  it("follows the run resuming it: a pause, no node cancelled", async () => {
    const { calls, runIds, outputs } = await killedMidRun({});
    assert.equal(runIds.length, 2, "the call told of the resumed run");
    assert.notEqual(runIds[0], runIds[1]);
    assert.deepEqual(calls.filter(([, status]) => status === "cancelled"), []);
    // b: running when the server died, then pending and running again in the resumed run.
    assert.deepEqual(calls.filter(([id]) => id === "b").map(([, status]) => status),
      ["pending", "running", "pending", "running", "complete"]);
    assert.deepEqual(Object.keys(outputs).sort(), ["a", "b", "c"]);
    assert.equal(outputs.c?.text, "from a");
  });

  it("reports the interruption when told not to follow", async () => {
    const { calls, runIds, outputs } = await killedMidRun({ takeoverWaitMs: 0 });
    assert.equal(runIds.length, 1);
    assert.deepEqual(calls.filter(([, status]) => status === "cancelled").map(([id]) => id).sort(), ["b", "c"]);
    assert.equal(outputs.a?.text, "from a");
  });
});
