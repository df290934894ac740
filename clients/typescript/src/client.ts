/**
 * createFlowClient: one object per flowexec endpoint, over gRPC-Web (browsers, or Node behind the
 * Envoy gateway) or native gRPC (a Node backend that reaches the server directly).
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { createNativeGrpcTransport } from "#grpc-transport";
import { catalogCalls, type GetModelDefaultsOptions, type ListNodeTypesOptions } from "./catalog.js";
import type { GetModelDefaultsResponse, ListNodeTypesResponse } from "./gen/flowexec/v1/catalog_pb.js";
import type { NodeEvent } from "./gen/flowexec/v1/events_pb.js";
import { type ExecuteFlowRequestSchema, FlowService } from "./gen/flowexec/v1/flow_service_pb.js";
import type { Run } from "./gen/flowexec/v1/runs_pb.js";
import {
  type FlowEdge,
  type FlowNode,
  type GraphRequestOptions,
  graphToRequest,
  type LegacyStatusCallback,
  type NodeOutput,
  type StatusCallback,
} from "./editor.js";
import { reattachGraph, type ReattachOptions, type RemoteRunOptions, runGraph } from "./remote.js";
import type { CancelledAs } from "./run-reporter.js";
import {
  type GetRunOptions,
  type ListRunsOptions,
  runCalls,
  type RunPage,
  type StartRunOptions,
  type WatchRunOptions,
} from "./runs.js";

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
   * The run is started with StartRun and followed with WatchRun: a dropped connection (gateway
   * restart, network blip) is watched again from the last event seen, so each status arrives
   * once, in order (`options.reconnect`). `options.onRunStarted` gives the run id, for
   * reattachGraphRemote after a page reload. When the call ends without the run completing
   * (abort, deadline, a connection lost for good), every node not yet finished is reported
   * cancelled with the reason, the run is cancelled on the server, then the promise rejects.
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
  /**
   * Follows a run by id (the one `onRunStarted` gave, stored before a page reload) into the same
   * onStatus calls and resolved outputs as executeGraphRemote: from its first event, or after
   * `options.afterSeq`. A finished run is replayed at once; an unfinished one is followed live,
   * across dropped connections. Aborting (or `timeoutMs`) cancels the run, as in executeGraphRemote.
   */
  reattachGraphRemote(runId: string, onStatus: StatusCallback, options?: ReattachOptions): Promise<Record<string, NodeOutput>>;
  /** The same, for a StatusCallback without "cancelled" (see executeGraphRemote). */
  reattachGraphRemote(
    runId: string,
    onStatus: LegacyStatusCallback,
    options: ReattachOptions & { cancelledAs: Exclude<CancelledAs, "cancelled"> },
  ): Promise<Record<string, NodeOutput>>;
  /**
   * Starts a run that goes on with no client attached and returns it at once (its planned nodes
   * PENDING). Follow it with watchRun. A retried call with the same `idempotencyKey` returns the
   * run the first one started.
   */
  startRun(request: ExecuteFlowRequestInit, options?: StartRunOptions): Promise<Run>;
  /** The same from the editor's React Flow graph (see graphToRequest). */
  startRun(
    nodes: readonly FlowNode[],
    edges: readonly FlowEdge[],
    providerId: string,
    options?: StartRunOptions & GraphRequestOptions,
  ): Promise<Run>;
  /**
   * A run's events with seq > `afterSeq` (default 0), in order, from storage and then live;
   * ends after the run's last event (at once for a finished run). Keepalives are skipped.
   * Leaving the loop early, or aborting, ends the watch, not the run.
   */
  watchRun(runId: string, options?: WatchRunOptions): AsyncIterable<NodeEvent>;
  /** A run: state, each planned node's last status and output (images only with `includeImages`), counts, times. */
  getRun(runId: string, options?: GetRunOptions): Promise<Run>;
  /** The caller's runs, newest first, a page at a time; filter by `flowId` and `states`. */
  listRuns(options?: ListRunsOptions): Promise<RunPage>;
  /** Cancels a queued or running run (its unfinished nodes end CANCELLED) and returns it once stored. Idempotent. */
  cancelRun(runId: string, options?: CallOptions): Promise<Run>;
  /**
   * Starts a new run (parentRunId = runId) of the old run's nodes that did not complete, fed by
   * every output it stored. FailedPrecondition while the old run is still queued or running.
   */
  resumeRun(runId: string, options?: CallOptions): Promise<Run>;
  /**
   * The node types the server runs — family, names, settings (type, default, options, range),
   * ports, output schema, default model, cache policy, origin — and the plugins it loaded or
   * refused: what the editor's palette and settings forms can be built from.
   */
  listNodeTypes(options?: ListNodeTypesOptions): Promise<ListNodeTypesResponse>;
  /**
   * The model defaults (what model-defaults.ts held): each node type's default provider and model,
   * each provider's default and vision model, the default image vendor, the task table. See
   * nodeModelDefaults and resolveModelForNode.
   */
  getModelDefaults(options?: GetModelDefaultsOptions): Promise<GetModelDefaultsResponse>;
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
    return runGraph(client, run, runOptions, options.defaultTimeoutMs);
  }

  function reattachGraphRemote(
    runId: string,
    // Sound for the same reason as executeGraphRemote's.
    onStatus: StatusCallback | LegacyStatusCallback,
    runOptions?: ReattachOptions,
  ): Promise<Record<string, NodeOutput>> {
    return reattachGraph(client, runId, onStatus as StatusCallback, runOptions, options.defaultTimeoutMs);
  }

  const calls = runCalls(service);

  function startRun(
    first: ExecuteFlowRequestInit | readonly FlowNode[],
    ...rest: [StartRunOptions?] | [readonly FlowEdge[], string, (StartRunOptions & GraphRequestOptions)?]
  ): Promise<Run> {
    if (!Array.isArray(first)) return calls.startRun(first as ExecuteFlowRequestInit, rest[0] as StartRunOptions | undefined);
    const [edges, providerId, graphOptions = {}] = rest as [readonly FlowEdge[], string, StartRunOptions & GraphRequestOptions];
    return calls.startRun(graphToRequest(first as readonly FlowNode[], edges, providerId, graphOptions), graphOptions);
  }

  const client: FlowClient = {
    service, executeFlow, executeGraphRemote, reattachGraphRemote, ...calls, startRun, ...catalogCalls(service),
  };
  return client;
}
