/**
 * RunCompleted repeats outputs with their text only up to the server's per-run summary budget
 * (FLOWEXEC_MAX_SUMMARY_TEXT_BYTES); executeGraphRemote must still resolve every node's whole
 * output, from the node's own output event.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createFlowClient } from "@flowexec/client";
import { delayChain } from "./helpers/graphs.js";
import { type Service, startServer } from "./helpers/processes.js";

describe("a run whose text exceeds the summary budget", () => {
  let server: Service;
  before(async () => {
    server = await startServer({ FLOWEXEC_MAX_SUMMARY_TEXT_BYTES: "8" });
  });
  after(async () => {
    await server?.stop();
  });

  it("executeGraphRemote still resolves every output with its text", async () => {
    const client = createFlowClient({ baseUrl: `http://${server.address}`, transport: "grpc" });
    const graph = delayChain(["a", "b", "c"], 0);
    const outputs = await client.executeGraphRemote(graph.nodes, graph.edges, "mistral", () => {});
    assert.deepEqual(
      ["a", "b", "c"].map((id) => outputs[id]?.text),
      ["from a", "from a", "from a"],
    );
  });
});
