/**
 * Seed-004 flow documents from TypeScript: elementFlowToRequest on the shipped example
 * (examples/element_flow.json), run on the real server over native gRPC; its results read back.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import {
  createFlowClient,
  type ElementFlowDocument,
  elementFlowToRequest,
  type FlowClient,
  isElementFlow,
  type NodeEvent,
  NodeStatus,
  outputValues,
  runResults,
  StatusReason,
} from "@flowexec/client";
import { REPO_ROOT, serverBehindGateway } from "./helpers/processes.js";

const services = serverBehindGateway();
const example = JSON.parse(readFileSync(join(REPO_ROOT, "examples", "element_flow.json"), "utf8")) as ElementFlowDocument;

describe("seed-004 flow documents", () => {
  let client: FlowClient;

  before(() => {
    client = createFlowClient({ baseUrl: `http://${services.server.address}`, transport: "grpc" });
  });

  it("converts elements, connections, inputs and the time limit", () => {
    assert.ok(isElementFlow(example) && !isElementFlow({ nodes: [], edges: [] }));
    const request = elementFlowToRequest(example, { initialInputs: { prompt: "Hi?" } });
    assert.equal(request.flowId, "flow-123");
    assert.equal(request.options?.maxExecutionMs, 300_000n);
    assert.deepEqual(request.initialInputs, { prompt: "Hi?" });
    assert.deepEqual(request.nodes.map((n) => [n.id, n.type]), [
      ["start-1", "start"], ["kind-1", "case"], ["ask-1", "data_block"], ["tell-1", "data_block"],
      ["merge-1", "merge"], ["end-1", "end"],
    ]);
    assert.equal(request.nodes[1]?.data?.["input"], "prompt");
    const edge = request.edges[5];
    assert.deepEqual([edge?.source, edge?.sourceHandle, edge?.target, edge?.targetHandle],
      ["merge-1", "value", "end-1", "text_input"]);
    assert.throws(() => elementFlowToRequest({ elements: {}, start_element_id: "s" }), /start_element_id 's' is not/);
  });

  it("runs the document: only the matching branch, and the end element's inputs as results", async () => {
    const events: NodeEvent[] = [];
    for await (const event of client.executeFlow(elementFlowToRequest(example, { initialInputs: { prompt: "Calm sea." } }))) {
      events.push(event);
    }
    const last = events.at(-1);
    assert.equal(last?.kind.case, "runCompleted");
    if (last?.kind.case !== "runCompleted") return;
    assert.deepEqual(runResults(last.kind.value), { text_input: "You made a statement.", prompt: "Calm sea." });
    const skipped = events.flatMap((e) => (e.kind.case === "nodeStatus" && e.kind.value.status === NodeStatus.SKIPPED ? [e.kind.value] : []));
    assert.deepEqual(skipped.map((s) => [s.nodeId, s.reason]), [["ask-1", StatusReason.BRANCH_NOT_TAKEN]]);
    const merged = events.find((e) => e.kind.case === "nodeOutput" && e.kind.value.nodeId === "merge-1");
    assert.ok(merged?.kind.case === "nodeOutput" && merged.kind.value.output);
    assert.deepEqual(outputValues(merged.kind.value.output), { value: "You made a statement." });
  });
});
