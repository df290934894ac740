/**
 * The Envoy gateway as a browser meets it: CORS preflight, headers exposed on real responses,
 * and what the extra hop costs.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Code, ConnectError, createFlowClient, graphToRequest } from "@flowexec/client";
import { delayChain } from "./helpers/graphs.js";
import { serverBehindGateway, TEST_ORIGIN } from "./helpers/processes.js";

const METHOD_PATH = "/flowexec.v1.FlowService/ExecuteFlow";

const services = serverBehindGateway();

function preflight(origin: string): Promise<Response> {
  return fetch(`http://${services.gateway.address}${METHOD_PATH}`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type,x-grpc-web,x-user-agent,grpc-timeout,authorization",
    },
  });
}

describe("CORS", () => {
  it("answers the preflight of an allowed origin", async () => {
    const response = await preflight(TEST_ORIGIN);
    assert.equal(response.status, 200);
    const h = response.headers;
    assert.equal(h.get("access-control-allow-origin"), TEST_ORIGIN);
    assert.match(h.get("access-control-allow-methods") ?? "", /POST/);
    for (const header of ["content-type", "x-grpc-web", "x-user-agent", "grpc-timeout", "authorization"]) {
      assert.match(h.get("access-control-allow-headers") ?? "", new RegExp(`\\b${header}\\b`));
    }
    for (const header of ["grpc-status", "grpc-message", "grpc-status-details-bin"]) {
      assert.match(h.get("access-control-expose-headers") ?? "", new RegExp(`\\b${header}\\b`));
    }
  });

  it("gives another origin no CORS grant", async () => {
    const response = await preflight("https://evil.test");
    assert.equal(response.headers.get("access-control-allow-origin"), null);
  });

  it("exposes the error status headers on a real gRPC-Web error response", async () => {
    let seen: Headers | undefined;
    const client = createFlowClient({
      baseUrl: `http://${services.gateway.address}`,
      headers: { origin: TEST_ORIGIN },
      // Records what a browser's fetch would get, before the client reads it.
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        seen = response.headers;
        return response;
      },
    });
    const bad = graphToRequest([{ id: "a", type: "diag.delay" }], [{ id: "e", source: "a", target: "b" }], "");
    await assert.rejects(
      async () => {
        for await (const _ of client.executeFlow(bad));
      },
      (err: unknown) => err instanceof ConnectError && err.code === Code.InvalidArgument,
    );
    assert.equal(seen?.get("access-control-allow-origin"), TEST_ORIGIN);
    assert.match(seen?.get("access-control-expose-headers") ?? "", /grpc-status-details-bin/);
  });
});

describe("latency", () => {
  it("adds little to the first event (reported as a diagnostic)", async (t) => {
    const request = graphToRequest(delayChain(["a"], 0).nodes, [], "");
    const firstEventMs = async (transport: "grpc-web" | "grpc", address: string): Promise<number> => {
      const client = createFlowClient({ baseUrl: `http://${address}`, transport });
      const samples: number[] = [];
      for (let i = 0; i < 21; i++) {
        const started = performance.now();
        let first = 0;
        for await (const _ of client.executeFlow(request)) first ||= performance.now() - started;
        if (i > 0) samples.push(first); // the first call also opens the connection
      }
      return samples.sort((x, y) => x - y)[samples.length >> 1]!;
    };
    const direct = await firstEventMs("grpc", services.server.address);
    const viaEnvoy = await firstEventMs("grpc-web", services.gateway.address);
    t.diagnostic(`median first event: native gRPC ${direct.toFixed(2)} ms, gRPC-Web via Envoy ${viaEnvoy.toFixed(2)} ms`);
    assert.ok(viaEnvoy - direct < 50, `Envoy added ${(viaEnvoy - direct).toFixed(1)} ms`);
  });
});
