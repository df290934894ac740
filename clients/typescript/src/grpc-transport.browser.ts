/**
 * Browser stand-in for grpc-transport.node.ts: browsers cannot speak native gRPC, and keeping
 * @connectrpc/connect-node (node:http2) out of browser bundles is the point of this file.
 */
import type { Transport } from "@connectrpc/connect";
import type { NativeTransportOptions } from "./grpc-transport.node.js";

export type { NativeTransportOptions };

export function createNativeGrpcTransport(_options: NativeTransportOptions): Transport {
  throw new Error('transport "grpc" needs Node (HTTP/2); in a browser use "grpc-web" through the gateway');
}
