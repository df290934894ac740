/**
 * The editor's vocabulary (React Flow nodes and edges, NodeOutput, status strings) ⇄ flowexec.v1.
 * Types are structural: the editor's own React Flow `Node`/`Edge` objects are accepted as they are.
 */
import { create, type JsonObject } from "@bufbuild/protobuf";
import { NodeStatus } from "./gen/flowexec/v1/events_pb.js";
import { type NodeOutput as NodeOutputMessage, NodeOutputSchema } from "./gen/flowexec/v1/graph_pb.js";
import type { ExecuteFlowRequest } from "./gen/flowexec/v1/flow_service_pb.js";
import { CacheMode, ExecuteFlowRequestSchema, ExecutionMode } from "./gen/flowexec/v1/flow_service_pb.js";
import { dataUrlToImage, imageToDataUrl } from "./images.js";

/**
 * A React Flow node as the editor holds it (extra fields such as `position` are ignored).
 * `data` is any object, so `Node<CharacterData>` with `interface CharacterData { … }` fits
 * (an interface has no index signature and is not a `Record<string, unknown>`).
 */
export interface FlowNode {
  id: string;
  type?: string | undefined;
  data?: object | undefined;
}

/** A React Flow edge (camelCase handles; null is React Flow's "no handle"). */
export interface FlowEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

/** The editor's NodeOutput: what a node produced, with images as data URLs. */
export interface NodeOutput {
  text?: string;
  /** Base64 data URL. */
  image?: string;
  /** Every image of a node that makes several (image_generation), in order, as data URLs; `image` is the first. */
  images?: string[];
  personaDescription?: string;
  personaName?: string;
  replacePrompt?: string;
  injectedPrompt?: string;
  error?: string;
  durationMs?: number;
}

/** The editor's node execution statuses ("cancelled" is new with server-side runs). */
export type NodeExecutionStatus = "pending" | "running" | "complete" | "error" | "skipped" | "cancelled";

/** The in-browser runner's statuses: every status but "cancelled". */
export type LegacyNodeExecutionStatus = Exclude<NodeExecutionStatus, "cancelled">;

/** A status callback that knows "cancelled": it gets every status as the server names it. */
export type StatusCallback = (nodeId: string, status: NodeExecutionStatus, output?: NodeOutput) => void;

/**
 * The in-browser runner's status callback, which has no "cancelled". It is accepted by
 * executeGraphRemote together with `cancelledAs: "error" | "skipped"`, the status its cancelled
 * nodes are reported with: a callback cannot be handed a status its type does not name.
 */
export type LegacyStatusCallback = (nodeId: string, status: LegacyNodeExecutionStatus, output?: NodeOutput) => void;

const STATUS_NAMES: Partial<Record<NodeStatus, NodeExecutionStatus>> = {
  [NodeStatus.PENDING]: "pending",
  [NodeStatus.RUNNING]: "running",
  [NodeStatus.COMPLETE]: "complete",
  [NodeStatus.ERROR]: "error",
  [NodeStatus.SKIPPED]: "skipped",
  [NodeStatus.CANCELLED]: "cancelled",
};

/** The editor's name for a wire status; undefined for UNSPECIFIED or a status newer than this client. */
export function statusName(status: NodeStatus): NodeExecutionStatus | undefined {
  return STATUS_NAMES[status];
}

/**
 * Node settings as a google.protobuf.Struct: JSON-safe values only. Editors keep callbacks and
 * `undefined` in node data at times; a JSON round trip drops them as JSON.stringify would.
 */
function jsonData(data: object | undefined): JsonObject {
  return data ? (JSON.parse(JSON.stringify(data)) as JsonObject) : {};
}

/** An editor NodeOutput (e.g. from an earlier run) → the wire message; `error` is not sent. */
export function outputToMessage(output: NodeOutput): NodeOutputMessage {
  return create(NodeOutputSchema, {
    text: output.text ?? "",
    image: output.image ? dataUrlToImage(output.image) : undefined,
    images: (output.images ?? []).map(dataUrlToImage),
    personaName: output.personaName ?? "",
    personaDescription: output.personaDescription ?? "",
    replacePrompt: output.replacePrompt ?? "",
    injectedPrompt: output.injectedPrompt ?? "",
    durationMs: BigInt(Math.round(output.durationMs ?? 0)),
  });
}

/** The wire message → the editor's NodeOutput; empty strings ("not set" on the wire) are left out. */
export function outputFromMessage(message: NodeOutputMessage): NodeOutput {
  const output: NodeOutput = {};
  if (message.text) output.text = message.text;
  // An image without bytes is a RunCompleted reference to one sent earlier: nothing to show.
  if (message.image?.data.length) output.image = imageToDataUrl(message.image);
  const images = message.images.filter((image) => image.data.length);
  if (images.length) output.images = images.map(imageToDataUrl);
  if (message.personaName) output.personaName = message.personaName;
  if (message.personaDescription) output.personaDescription = message.personaDescription;
  if (message.replacePrompt) output.replacePrompt = message.replacePrompt;
  if (message.injectedPrompt) output.injectedPrompt = message.injectedPrompt;
  output.durationMs = Number(message.durationMs);
  return output;
}

export interface GraphRequestOptions {
  /** Client-side id of the flow, for server logs. */
  flowId?: string | undefined;
  /** Run only `triggerNodeId`, its downstream nodes and its ancestors missing from `cachedOutputs`. */
  triggerNodeId?: string | undefined;
  /**
   * Outputs of an earlier run by node id. An entry with `error` (a node that failed then) is not
   * sent: the node has no output to reuse, so it runs again when the trigger needs it.
   */
  cachedOutputs?: Readonly<Record<string, NodeOutput>> | undefined;
  /** Call no provider: LLM and image nodes report the requests they would send. */
  dryRun?: boolean | undefined;
  /**
   * Debugging a live run: ask for each output's provider calls (provider, model, full prompts).
   * The server sends them only when its operator allows it (FLOWEXEC_EXPOSE_PROVIDER_CALLS);
   * dry runs always carry them. Read them from the raw events (`onEvent`, `executeFlow`).
   */
  includeProviderCalls?: boolean | undefined;
  /** Most nodes executing at once (capped by the server). */
  maxConcurrency?: number | undefined;
  /**
   * The run's use of the server's node-output cache: "use" (the default: unchanged nodes are
   * served their stored output, marked `cached` in the raw events), "refresh" (compute again and
   * store) or "bypass" (ignore it). A node's own `data.cache` narrows it.
   */
  cacheMode?: "use" | "refresh" | "bypass" | undefined;
  /**
   * Where `task:NAME` models (an LLM node's model field, a pipeline's chunks) run: "eco" (local
   * models through Ollama) or "fast" (cloud models through OpenRouter); unset = the server's
   * default. A node's own `data.executionMode` wins; always-local tasks (vision, security) stay
   * local either way. A `pipeline` node's chunks arrive as `nodeStep` events (`onEvent`).
   */
  executionMode?: "eco" | "fast" | undefined;
}

const CACHE_MODES = { use: CacheMode.USE, refresh: CacheMode.REFRESH, bypass: CacheMode.BYPASS } as const;
const EXECUTION_MODES = { eco: ExecutionMode.ECO, fast: ExecutionMode.FAST } as const;

/** The editor stores a failed node's result as `{ error }`: there is nothing in it to reuse. */
function failedOutput(output: NodeOutput): boolean {
  return output.error !== undefined && output.error !== null;
}

/** React Flow nodes and edges → ExecuteFlowRequest (cached outputs holding an `error` are left out). */
export function graphToRequest(
  nodes: readonly FlowNode[],
  edges: readonly FlowEdge[],
  providerId: string,
  options: GraphRequestOptions = {},
): ExecuteFlowRequest {
  return create(ExecuteFlowRequestSchema, {
    flowId: options.flowId ?? "",
    providerId,
    triggerNodeId: options.triggerNodeId ?? "",
    nodes: nodes.map((n) => ({ id: n.id, type: n.type ?? "", data: jsonData(n.data) })),
    edges: edges.map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      sourceHandle: e.sourceHandle ?? "",
      targetHandle: e.targetHandle ?? "",
    })),
    cachedOutputs: Object.fromEntries(
      Object.entries(options.cachedOutputs ?? {})
        .filter(([, out]) => !failedOutput(out))
        .map(([id, out]) => [id, outputToMessage(out)]),
    ),
    options: {
      dryRun: options.dryRun ?? false,
      maxConcurrency: options.maxConcurrency ?? 0,
      includeProviderCalls: options.includeProviderCalls ?? false,
      cacheMode: options.cacheMode === undefined ? CacheMode.UNSPECIFIED : CACHE_MODES[options.cacheMode],
      executionMode:
        options.executionMode === undefined ? ExecutionMode.UNSPECIFIED : EXECUTION_MODES[options.executionMode],
    },
  });
}
