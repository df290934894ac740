/** The editor-side conversions and image helpers, without a server. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  createFlowClient,
  dataUrlToImage,
  graphToRequest,
  imageToBlob,
  imageToBlobUrl,
  imageToDataUrl,
  outputFromMessage,
  pb,
} from "@flowexec/client";

const PNG_DATA_URL =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

describe("images", () => {
  it("turns bytes into a data URL and back", () => {
    const image = dataUrlToImage(PNG_DATA_URL);
    assert.equal(image.mimeType, "image/png");
    assert.deepEqual([...image.data.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
    assert.equal(imageToDataUrl(image), PNG_DATA_URL);
  });

  it("encodes images larger than one String.fromCharCode chunk", () => {
    const data = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7) % 256);
    const back = dataUrlToImage(imageToDataUrl({ data, mimeType: "image/jpeg" }));
    assert.deepEqual(back.data, data);
  });

  it("reads percent-encoded data URLs", () => {
    const image = dataUrlToImage("data:image/svg+xml,%3Csvg%2F%3E");
    assert.equal(new TextDecoder().decode(image.data), "<svg/>");
  });

  it("makes Blobs and object URLs", async () => {
    const image = dataUrlToImage(PNG_DATA_URL);
    const blob = imageToBlob(image);
    assert.equal(blob.type, "image/png");
    assert.deepEqual(new Uint8Array(await blob.arrayBuffer()), image.data);
    const url = imageToBlobUrl(image);
    assert.match(url, /^blob:/);
    URL.revokeObjectURL(url);
  });
});

describe("editor conversions", () => {
  it("maps React Flow nodes and edges, dropping what JSON cannot carry", () => {
    const request = graphToRequest(
      [{ id: "n1", type: "textOutput", data: { label: "Out", onChange: () => {}, missing: undefined } }],
      [{ id: "e1", source: "n0", target: "n1", sourceHandle: null, targetHandle: "adapter-persona" }],
      "mistral",
      { triggerNodeId: "n1", cachedOutputs: { n0: { personaName: "Mara", durationMs: 5 } }, dryRun: true },
    );
    assert.deepEqual(request.nodes[0]?.data, { label: "Out" });
    assert.equal(request.edges[0]?.sourceHandle, "");
    assert.equal(request.edges[0]?.targetHandle, "adapter-persona");
    assert.equal(request.providerId, "mistral");
    assert.equal(request.triggerNodeId, "n1");
    assert.equal(request.cachedOutputs["n0"]?.personaName, "Mara");
    assert.equal(request.options?.dryRun, true);
    assert.equal(request.options?.includeProviderCalls, false, "provider calls are not asked for by default");
  });

  it("asks for a live run's provider calls only when told to, from graphToRequest and executeGraphRemote", async () => {
    assert.equal(graphToRequest([], [], "", { includeProviderCalls: true }).options?.includeProviderCalls, true);
    // What executeGraphRemote sends, caught before it leaves (no server needed).
    const sent: unknown[] = [];
    const client = createFlowClient({
      baseUrl: "http://127.0.0.1:9",
      interceptors: [
        () => async (req) => {
          // executeGraphRemote starts its run with StartRun (unary); the graph is its `flow`.
          if (!req.stream) sent.push((req.message as pb.StartRunRequest).flow);
          throw new ConnectError("caught", Code.FailedPrecondition); // not retried
        },
      ],
    });
    for (const includeProviderCalls of [true, undefined]) {
      await assert.rejects(client.executeGraphRemote([], [], "", () => {}, undefined, undefined, { includeProviderCalls }));
    }
    const asked = sent.map((message) => (message as pb.ExecuteFlowRequest).options?.includeProviderCalls);
    assert.deepEqual(asked, [true, false]);
  });

  it("sends the run's cache mode, unspecified (the server's default) unless told", () => {
    assert.equal(graphToRequest([], [], "").options?.cacheMode, pb.CacheMode.UNSPECIFIED);
    assert.equal(graphToRequest([], [], "", { cacheMode: "refresh" }).options?.cacheMode, pb.CacheMode.REFRESH);
    assert.equal(graphToRequest([], [], "", { cacheMode: "bypass" }).options?.cacheMode, pb.CacheMode.BYPASS);
  });

  it("sends the run's execution mode, unspecified (the server's default) unless told", () => {
    assert.equal(graphToRequest([], [], "").options?.executionMode, pb.ExecutionMode.UNSPECIFIED);
    assert.equal(graphToRequest([], [], "", { executionMode: "eco" }).options?.executionMode, pb.ExecutionMode.ECO);
    assert.equal(graphToRequest([], [], "", { executionMode: "fast" }).options?.executionMode, pb.ExecutionMode.FAST);
  });

  it("carries a batch's images as data URLs, and none that came without bytes", () => {
    const image = dataUrlToImage(PNG_DATA_URL);
    const output = outputFromMessage(create(pb.NodeOutputSchema, { image, images: [image, image] }));
    assert.deepEqual(output.images, [PNG_DATA_URL, PNG_DATA_URL]);
    const summary = outputFromMessage(create(pb.NodeOutputSchema, { images: [{ mimeType: "image/png" }] }));
    assert.equal(summary.images, undefined);
  });

  it("leaves unset (empty) output fields out of the editor's NodeOutput", () => {
    const output = outputFromMessage(create(pb.NodeOutputSchema, { text: "hi", durationMs: 42n }));
    assert.deepEqual(output, { text: "hi", durationMs: 42 });
  });
});
