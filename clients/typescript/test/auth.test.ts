/**
 * The auth hook on the wire, for both transports: a stand-in server records the request headers
 * and refuses the call with UNAUTHENTICATED, as a gateway checking tokens would.
 */
import assert from "node:assert/strict";
import { createServer as createHttp1Server, type IncomingHttpHeaders } from "node:http";
import { createServer as createHttp2Server } from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import { describe, it } from "node:test";
import { Code, ConnectError, createFlowClient, graphToRequest, type TransportKind } from "@flowexec/client";

const REFUSAL = { "grpc-status": "16", "grpc-message": "token expired" };

/** Serve one call with a trailers-only refusal; resolve with the request's headers. */
async function refusingServer(transport: TransportKind) {
  let received: IncomingHttpHeaders | undefined;
  const server =
    transport === "grpc"
      ? createHttp2Server((req, res) => {
          received = req.headers;
          res.writeHead(200, { "content-type": "application/grpc", ...REFUSAL }).end();
        })
      : createHttp1Server((req, res) => {
          received = req.headers;
          res.writeHead(200, { "content-type": "application/grpc-web+proto", ...REFUSAL }).end();
        });
  // close() waits for idle keep-alive connections (HTTP/1.1 and HTTP/2 alike): end them.
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    headers: () => received,
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        sockets.forEach((socket) => socket.destroy());
      }),
  };
}

for (const transport of ["grpc-web", "grpc"] as TransportKind[]) {
  describe(`auth metadata over ${transport}`, () => {
    it("sends the bearer token and extra headers, and surfaces the refusal as a ConnectError", async () => {
      const stub = await refusingServer(transport);
      let asked = 0;
      const client = createFlowClient({
        baseUrl: stub.baseUrl,
        transport,
        token: async () => `token-${++asked}`,
        headers: () => ({ "x-flowexec-tenant": "studio-7" }),
      });
      try {
        const request = graphToRequest([{ id: "a", type: "diag.delay" }], [], "");
        await assert.rejects(
          async () => {
            for await (const _ of client.executeFlow(request, { headers: { "x-request-id": "r-1" } }));
          },
          (err: unknown) =>
            err instanceof ConnectError && err.code === Code.Unauthenticated && err.rawMessage === "token expired",
        );
        const headers = stub.headers();
        assert.equal(headers?.["authorization"], "Bearer token-1");
        assert.equal(headers?.["x-flowexec-tenant"], "studio-7");
        assert.equal(headers?.["x-request-id"], "r-1");
        assert.equal(asked, 1, "the token function is asked once per call");

        // A call's own header wins over the client-wide one.
        await assert.rejects(async () => {
          for await (const _ of client.executeFlow(request, { headers: { "x-flowexec-tenant": "other" } }));
        });
        assert.equal(stub.headers()?.["x-flowexec-tenant"], "other");
        assert.equal(stub.headers()?.["authorization"], "Bearer token-2");
      } finally {
        await stub.close();
      }
    });
  });
}
