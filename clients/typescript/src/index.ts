/**
 * @flowexec/client: run the image-generation editor's node graphs on a flowexec server.
 *
 *   const flowexec = createFlowClient({ baseUrl: "http://localhost:8080" }); // the gRPC-Web gateway
 *   const outputs = await flowexec.executeGraphRemote(nodes, edges, "mistral", onStatus);
 */
export { createFlowClient } from "./client.js";
export type {
  CachedOutputs,
  CallOptions,
  ExecuteFlowRequestInit,
  FlowClient,
  FlowClientOptions,
  TransportKind,
} from "./client.js";
export type { FollowOptions, ReattachOptions, RemoteRunOptions } from "./remote.js";
export type { CancelledAs, NodeProgressReport } from "./run-reporter.js";
export { fieldDefault, nodeModelDefaults, resolveModelForNode } from "./catalog.js";
export type { GetModelDefaultsOptions, ListNodeTypesOptions, ModelChoice } from "./catalog.js";
export { CacheDefault, JoinPolicy, PortKind, ProviderKind } from "./gen/flowexec/v1/catalog_pb.js";
export type {
  GetModelDefaultsResponse,
  ListNodeTypesResponse,
  NodeField,
  NodePlugin,
  NodePort,
  NodeType,
} from "./gen/flowexec/v1/catalog_pb.js";
export { DEFAULT_RECONNECT } from "./reconnect.js";
export type { ReconnectListener, ReconnectOption, ReconnectPolicy } from "./reconnect.js";
export type { GetRunOptions, ListRunsOptions, RunPage, StartRunOptions, WatchRunOptions } from "./runs.js";
export {
  graphToRequest,
  outputFromMessage,
  outputToMessage,
  statusName,
} from "./editor.js";
export type {
  FlowEdge,
  FlowNode,
  GraphRequestOptions,
  LegacyNodeExecutionStatus,
  LegacyStatusCallback,
  NodeExecutionStatus,
  NodeOutput,
  StatusCallback,
} from "./editor.js";
export { elementFlowToRequest, isElementFlow, outputValues, runResults } from "./element-flow.js";
export type {
  ElementFlowDefinition,
  ElementFlowDocument,
  ElementFlowOptions,
  FlowConnection,
  FlowElement,
} from "./element-flow.js";
export { dataUrlToImage, imageToBlob, imageToBlobUrl, imageToDataUrl } from "./images.js";
export type { ImageBytes } from "./images.js";
export { invalidGraphViolations, RunFailedError } from "./errors.js";
export type { FieldViolation } from "./errors.js";
export { NodeStatus, StatusReason } from "./gen/flowexec/v1/events_pb.js";
export type { NodeEvent } from "./gen/flowexec/v1/events_pb.js";
export { RunState } from "./gen/flowexec/v1/runs_pb.js";
export type { Run, RunNode } from "./gen/flowexec/v1/runs_pb.js";
/** Every generated flowexec.v1 message, enum and schema (e.g. pb.NodeOutput, the wire message). */
export * as pb from "./pb.js";
export { Code, ConnectError } from "@connectrpc/connect";
