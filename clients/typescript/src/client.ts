/**
 * createFlowClient: one object per flowexec endpoint, over gRPC-Web (browsers, or Node behind the
 * Envoy gateway) or native gRPC (a Node backend that reaches the server directly).
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { createNativeGrpcTransport } from "#grpc-transport";
import type { NodeEvent } from "./gen/flowexec/v1/events_pb.js";
import { type ExecuteFlowRequestSchema, FlowService } from "./gen/flowexec/v1/flow_service_pb.js";
import type { FlowEdge, FlowNode, LegacyStatusCallback, NodeOutput, StatusCallback } from "./editor.js";
import { type CancelledAs, type RemoteRunOptions, runGraph } from "./remote.js";

type Awaitable<T> = T | Promise<T>;

export type TransportKind = "grpc-web" | "grpc";

export interface FlowClientOptions {
  /**
   * "grpc-web": the gateway's URL, e.g. "http://localhost:8080" or "https://editor.example.com/flowexec".
   * "grpc": the server's URL, e.g. "http://127.0.0.1:50051".
   */
  baseUrl: string;
  /** Default "grpc-web". "grpc" needs Node (HTTP/2). */
  transport?: TransportKind;
  /** Sent as `authorization: Bearer <token>`; a function is asked before every call (refreshable tokens). */
  token?: string | (() => Awaitable<string | undefined>);
  /** Extra request headers for every call; a function is asked before every call. */
  headers?: HeadersInit | (() => Awaitable<HeadersInit>);
  /** Deadline of calls that pass no `timeoutMs`. Default: none. */
  defaultTimeoutMs?: number;
  /** More interceptors (logging, tracing); they run after the one adding the token and headers. */
  interceptors?: Interceptor[];
  /** gRPC-Web only: the fetch implementation (default: globalThis.fetch). */
  fetch?: typeof globalThis.fetch;
}

export interface CallOptions {
  /** Aborting cancels the call, and the server cancels the run (its nodes end CANCELLED). */
  signal?: AbortSignal;
  /** Deadline of this call; past it the call fails with Code.DeadlineExceeded. */
  timeoutMs?: number;
  /** Extra request headers for this call. */
  headers?: HeadersInit;
}

export type ExecuteFlowRequestInit = MessageInitShape<typeof ExecuteFlowRequestSchema>;

/** Outputs of an earlier run by node id, as the editor's store keeps them. */
export type CachedOutputs = Readonly<Record<string, NodeOutput>>;

export interface FlowClient {
  /**
   * Every event of the run, in order, as soon as the server sends it (batches are flattened).
   * Leaving the loop early cancels the call, and with it the run.
   */
  executeFlow(request: ExecuteFlowRequestInit, options?: CallOptions): AsyncIterable<NodeEvent>;
  /**
   * The editor's drop-in for its in-browser `executeGraph`: runs the graph server-side, calls
   * `onStatus` for every status change in order, and resolves to every output of the run.
   * When the call ends without the run completing (abort, deadline, lost connection), every
   * node not yet finished is reported cancelled with the reason, then the promise rejects.
   * Cached outputs holding an `error` are not sent: those nodes run again if the trigger needs them.
   */
  executeGraphRemote(
    nodes: readonly FlowNode[],
    edges: readonly FlowEdge[],
    providerId: string,
    onStatus: StatusCallback,
    triggerNodeId?: string,
    cachedOutputs?: CachedOutputs,
    options?: RemoteRunOptions,
  ): Promise<Record<string, NodeOutput>>;
  /**
   * The same, for an editor whose StatusCallback has no "cancelled" (the in-browser runner's):
   * `options.cancelledAs` names the status, "error" or "skipped", its cancelled nodes get instead.
   */
  executeGraphRemote(
    nodes: readonly FlowNode[],
    edges: readonly FlowEdge[],
    providerId: string,
    onStatus: LegacyStatusCallback,
    triggerNodeId: string | undefined,
    cachedOutputs: CachedOutputs | undefined,
    options: RemoteRunOptions & { cancelledAs: Exclude<CancelledAs, "cancelled"> },
  ): Promise<Record<string, NodeOutput>>;
  /** The generated Connect client, for anything the methods above do not cover. */
  readonly service: Client<typeof FlowService>;
}

/** Client-wide headers and the bearer token; a call's own `headers` win over both. */
function metadataInterceptor(options: FlowClientOptions): Interceptor {
  return (next) => async (req) => {
    const setDefault = (name: string, value: string) => req.header.has(name) || req.header.set(name, value);
    const headers = typeof options.headers === "function" ? await options.headers() : options.headers;
    new Headers(headers).forEach((value, name) => setDefault(name, value));
    const token = typeof options.token === "function" ? await options.token() : options.token;
    if (token) setDefault("authorization", `Bearer ${token}`);
    return next(req);
  };
}

function createTransport(options: FlowClientOptions): Transport {
  const interceptors = [metadataInterceptor(options), ...(options.interceptors ?? [])];
  const common = { baseUrl: options.baseUrl, interceptors, defaultTimeoutMs: options.defaultTimeoutMs };
  switch (options.transport ?? "grpc-web") {
    case "grpc-web":
      // Binary only: the JSON variant of gRPC-Web does not work against a grpcio server.
      return createGrpcWebTransport({ ...common, useBinaryFormat: true, fetch: options.fetch });
    case "grpc":
      return createNativeGrpcTransport(common);
    default:
      throw new TypeError(`unknown transport ${JSON.stringify(options.transport)}`);
  }
}

export function createFlowClient(options: FlowClientOptions): FlowClient {
  const service = createClient(FlowService, createTransport(options));

  async function* executeFlow(request: ExecuteFlowRequestInit, call: CallOptions = {}): AsyncGenerator<NodeEvent> {
    const { signal, timeoutMs, headers } = call;
    // connect-es does not cancel a stream whose reader stops early (break, return, a throw in the
    // loop body): the run would go on on the server. Our own controller lets us cancel it.
    const controller = new AbortController();
    const forward = () => controller.abort(signal?.reason);
    if (signal?.aborted) forward();
    signal?.addEventListener("abort", forward, { once: true });
    let finished = false;
    try {
      for await (const response of service.executeFlow(request, { signal: controller.signal, timeoutMs, headers })) {
        yield* response.events;
      }
      finished = true;
    } finally {
      signal?.removeEventListener("abort", forward);
      if (!finished) controller.abort();
    }
  }

  function executeGraphRemote(
    nodes: readonly FlowNode[],
    edges: readonly FlowEdge[],
    providerId: string,
    // Sound: a LegacyStatusCallback comes with a cancelledAs that keeps "cancelled" from it.
    onStatus: StatusCallback | LegacyStatusCallback,
    triggerNodeId?: string,
    cachedOutputs?: CachedOutputs,
    runOptions?: RemoteRunOptions,
  ): Promise<Record<string, NodeOutput>> {
    const run = { nodes, edges, providerId, onStatus: onStatus as StatusCallback, triggerNodeId, cachedOutputs };
    return runGraph(client, run, runOptions);
  }

  const client: FlowClient = { service, executeFlow, executeGraphRemote };
  return client;
}
