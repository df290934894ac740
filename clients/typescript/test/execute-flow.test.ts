/**
 * The client against the real server, over gRPC-Web through the real Envoy and over native gRPC:
 * streaming, rich errors, cancellation and deadlines, seen from both ends.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  Code,
  ConnectError,
  createFlowClient,
  type FlowClient,
  graphToRequest,
  invalidGraphViolations,
  type NodeEvent,
  NodeStatus,
  type TransportKind,
} from "@flowexec/client";
import { delayChain, edge } from "./helpers/graphs.js";
import { serverBehindGateway } from "./helpers/processes.js";

/** A 1×1 PNG. */
const PNG =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

const services = serverBehindGateway();

/**
 * What the server's log says about a cancelled run: how many nodes ended CANCELLED, and the
 * reason it logged. The servicer logs "run <id> cancelled (<reason>)" only when its handler
 * is interrupted with CancelledError; a cancel that lands while the stream is between two
 * messages closes the handler without that line, so the reason may be absent.
 */
async function serverCancelled(runId: string): Promise<{ reason: string | undefined; cancelled: number }> {
  const [, cancelled] = await services.server.waitForLog(new RegExp(`run ${runId} finished in \\d+ ms: .*cancelled=(\\d+)`));
  const reason = new RegExp(`run ${runId} cancelled \\((\\w+)\\)`).exec(services.server.stderr)?.[1];
  return { reason, cancelled: Number(cancelled) };
}

async function expectConnectError(run: Promise<unknown>, code: Code): Promise<ConnectError> {
  const err = await run.then(
    () => assert.fail(`expected ${Code[code]}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ConnectError, `not a ConnectError: ${String(err)}`);
  assert.equal(err.code, code, `expected ${Code[code]}, got ${Code[err.code]}: ${err.message}`);
  return err;
}

for (const transport of ["grpc-web", "grpc"] as TransportKind[]) {
  describe(`${transport} ${transport === "grpc-web" ? "through Envoy" : "direct"}`, () => {
    let client: FlowClient;

    before(() => {
      const address = transport === "grpc-web" ? services.gateway.address : services.server.address;
      client = createFlowClient({ baseUrl: `http://${address}`, transport });
    });

    it("streams events as they happen, not at the end of the run", async () => {
      const graph = delayChain(["a", "b", "c"], 0.4);
      const started = performance.now();
      const arrivals: { event: NodeEvent; ms: number }[] = [];
      for await (const event of client.executeFlow(graphToRequest(graph.nodes, graph.edges, "", { flowId: "incremental" }))) {
        arrivals.push({ event, ms: performance.now() - started });
      }
      assert.deepEqual(arrivals.map(({ event }) => Number(event.seq)), arrivals.map((_, i) => i + 1));
      const first = arrivals[0]!;
      const last = arrivals.at(-1)!;
      assert.equal(first.event.kind.case, "runStarted");
      assert.equal(last.event.kind.case, "runCompleted");
      // Three 0.4 s nodes in a row: buffering would deliver everything at ~1.2 s.
      assert.ok(first.ms < 400, `first event after ${first.ms.toFixed(0)} ms`);
      assert.ok(last.ms - first.ms > 1000, `events spread over only ${(last.ms - first.ms).toFixed(0)} ms`);
      const aDone = arrivals.find(
        ({ event }) => event.kind.case === "nodeStatus" && event.kind.value.nodeId === "a" &&
          event.kind.value.status === NodeStatus.COMPLETE,
      )!;
      assert.ok(last.ms - aDone.ms > 600, "a's COMPLETE arrived with the last event");
    });

    it("rejects an invalid graph with InvalidArgument and the decoded violation", async () => {
      const graph = delayChain(["a"], 0);
      graph.edges.push({ id: "dangling", source: "a", target: "nowhere" });
      const err = await expectConnectError(client.executeGraphRemote(graph.nodes, graph.edges, "", () => {}),
        Code.InvalidArgument);
      const violations = invalidGraphViolations(err);
      assert.equal(violations.length, 1);
      assert.equal(violations[0]!.field, "edges[0].target");
      assert.match(violations[0]!.description, /nowhere/);
    });

    it("cancels the run on the server when the AbortSignal fires mid-run", async () => {
      const nodes = [...delayChain(["slow1"], 30).nodes, ...delayChain(["slow2"], 30).nodes];
      const controller = new AbortController();
      let runId = "";
      const run = (async () => {
        for await (const event of client.executeFlow(graphToRequest(nodes, [], ""), { signal: controller.signal })) {
          if (event.kind.case === "runStarted") runId = event.runId;
          if (event.kind.case === "nodeStatus" && event.kind.value.status === NodeStatus.RUNNING) controller.abort();
        }
      })();
      await expectConnectError(run, Code.Canceled);
      assert.notEqual(runId, "");
      const { reason, cancelled } = await serverCancelled(runId);
      assert.equal(cancelled, 2, "both running nodes end CANCELLED");
      assert.notEqual(reason, "deadline_exceeded");
    });

    it("cancels the run on the server when the reader leaves the loop early", async () => {
      const request = graphToRequest(delayChain(["slow"], 30).nodes, [], "");
      let runId = "";
      for await (const event of client.executeFlow(request)) {
        runId = event.runId;
        break;
      }
      const { reason, cancelled } = await serverCancelled(runId);
      assert.equal(cancelled, 1);
      assert.notEqual(reason, "deadline_exceeded");
    });

    it("fails with DeadlineExceeded when timeoutMs passes, and the server stops the run", async (t) => {
      const graph = delayChain(["slow"], 30);
      let runId = "";
      const started = performance.now();
      const run = (async () => {
        for await (const event of client.executeFlow(graphToRequest(graph.nodes, graph.edges, ""), { timeoutMs: 600 })) {
          if (event.kind.case === "runStarted") runId = event.runId;
        }
      })();
      await expectConnectError(run, Code.DeadlineExceeded);
      assert.ok(performance.now() - started < 5000, "the deadline did not cut the call");
      // Client and server both time out at ~600 ms; whichever acts first names the reason.
      const { reason, cancelled } = await serverCancelled(runId);
      assert.equal(cancelled, 1);
      t.diagnostic(`server-side reason: ${reason ?? "(not logged)"}`);
    });

    it("executeGraphRemote calls onStatus in event order with the editor's statuses and outputs", async () => {
      const nodes = [
        { id: "src", type: "diag.delay", position: { x: 0, y: 0 }, data: { seconds: 0.05, text: "hello" } },
        { id: "shout", type: "diag.stream", position: { x: 200, y: 0 }, data: { chunks: ["he", "llo"] } },
        { id: "boom", type: "diag.fail", position: { x: 0, y: 200 }, data: { message: "provider down" } },
        { id: "after-boom", type: "diag.delay", position: { x: 200, y: 200 }, data: {} },
        { id: "mystery", type: "test.no-such-type", position: { x: 0, y: 400 }, data: {} },
        { id: "steps", type: "diag.progress", position: { x: 0, y: 600 }, data: { steps: 3, label: "work" } },
        { id: "out", type: "textOutput", position: { x: 400, y: 0 }, data: { onChange: () => {} } },
      ];
      const edges = [edge("src", "out"), edge("shout", "out"), edge("boom", "after-boom")];
      const calls: [string, string, unknown][] = [];
      const expected: [string, string][] = [];
      const deltas: string[] = [];
      const progress: string[] = [];
      const outputs = await client.executeGraphRemote(
        nodes,
        edges,
        "mistral",
        (nodeId, status, output) => calls.push([nodeId, status, output]),
        undefined,
        undefined,
        {
          flowId: "remote",
          onTextDelta: (nodeId, chunk) => deltas.push(`${nodeId}:${chunk}`),
          onProgress: (nodeId, { value, max, label }) => progress.push(`${nodeId}:${label} ${value}/${max}`),
          onEvent: (event) => {
            if (event.kind.case === "nodeStatus") {
              expected.push([event.kind.value.nodeId, NodeStatus[event.kind.value.status].toLowerCase()]);
            }
          },
        },
      );
      assert.deepEqual(calls.map(([id, status]) => [id, status]), expected);
      const last = (id: string) => calls.filter(([nodeId]) => nodeId === id).at(-1);
      assert.deepEqual(
        calls.filter(([id]) => id === "src").map(([, status]) => status),
        ["pending", "running", "complete"],
      );
      const [, , srcOutput] = last("src")!;
      assert.equal((srcOutput as { text: string }).text, "hello");
      assert.deepEqual(last("boom"), ["boom", "error", { error: "provider down" }]);
      assert.deepEqual(last("after-boom"), ["after-boom", "skipped", { error: "Upstream node failed" }]);
      assert.equal(last("mystery")?.[1], "skipped");
      assert.equal(last("out")?.[1], "complete");
      assert.deepEqual(deltas, ["shout:he", "shout:llo"]);
      assert.deepEqual(progress, ["steps:work 1/3", "steps:work 2/3", "steps:work 3/3"]);
      assert.equal(outputs["out"]?.text, "hello\n\nhello");
      assert.equal(outputs["shout"]?.text, "hello");
      assert.deepEqual(outputs["boom"], { error: "provider down" });
      assert.equal(outputs["after-boom"], undefined);
    });

    it("executeGraphRemote re-runs from a node with cached outputs, images included", async () => {
      const graph = delayChain(["first", "second"], 0);
      const calls: string[] = [];
      const outputs = await client.executeGraphRemote(
        graph.nodes,
        graph.edges,
        "",
        (nodeId, status) => calls.push(`${nodeId}:${status}`),
        "second",
        { first: { text: "cached text", image: PNG, durationMs: 12 } },
      );
      assert.deepEqual(calls, ["second:pending", "second:running", "second:complete"]);
      assert.equal(outputs["second"]?.text, "cached text");
      assert.equal(outputs["first"]?.image, PNG, "the image made the round trip as bytes");
    });

    it("executeGraphRemote runs a node again whose cached output is an error", async () => {
      // The editor's store holds { error } for a node that failed last time: nothing to reuse.
      const graph = delayChain(["first", "second", "third"], 0);
      const calls: string[] = [];
      const outputs = await client.executeGraphRemote(
        graph.nodes,
        graph.edges,
        "",
        (nodeId, status) => calls.push(`${nodeId}:${status}`),
        "third",
        { first: { text: "cached text" }, second: { error: "provider down", durationMs: 3 } },
      );
      assert.deepEqual(calls, [
        "second:pending", "third:pending", "second:running", "second:complete", "third:running", "third:complete",
      ]);
      assert.equal(outputs["second"]?.text, "cached text", "second ran again, on first's cached output");
      assert.equal(outputs["third"]?.text, "cached text");
      assert.equal(outputs["second"]?.error, undefined);
    });

    it("executeGraphRemote hands out produced images as data URLs, in onStatus and in the outputs", async () => {
      // A dry-run imageDescriber calls no model but still outputs the (normalised) image it was given.
      const nodes = [{ id: "look", type: "imageDescriber", data: { image: PNG } }];
      let shown: string | undefined;
      const outputs = await client.executeGraphRemote(
        nodes,
        [],
        "mistral",
        (nodeId, status, output) => {
          if (status === "complete") shown = output?.image;
        },
        undefined,
        undefined,
        { dryRun: true },
      );
      assert.match(shown ?? "", /^data:image\/\w+;base64,[A-Za-z0-9+/]{20,}/);
      assert.equal(outputs["look"]?.image, shown, "RunCompleted's bytes-less image was filled in");
    });
  });
}
