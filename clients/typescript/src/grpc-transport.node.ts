/**
 * Native gRPC (HTTP/2) transport, for Node backends that reach flowexec directly.
 * Selected through package.json "imports" (#grpc-transport) everywhere but in browser bundles.
 */
import type { Interceptor, Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";

export interface NativeTransportOptions {
  baseUrl: string;
  interceptors: Interceptor[];
  defaultTimeoutMs?: number;
}

export function createNativeGrpcTransport(options: NativeTransportOptions): Transport {
  return createGrpcTransport(options);
}
