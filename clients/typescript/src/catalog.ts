/**
 * The server's node-type catalogue and model defaults: the calls behind FlowClient's listNodeTypes
 * and getModelDefaults, and the editor's model resolution on top of them.
 *
 * ListNodeTypes is what a palette is built from: each node type's family, names, settings (type,
 * default, options and whether others are accepted, range), ports, output schema, default model,
 * cache policy and origin (built in, or a plugin). The server validates a node's `data` with the
 * same metadata before a run (a wrong type or an option a closed setting does not offer is
 * InvalidArgument naming node and setting), so a form built from it sends what the server takes.
 *
 * GetModelDefaults replaces the editor's model-defaults.ts table: `nodeModelDefaults(defaults)`
 * is its NODE_MODEL_DEFAULTS, `resolveModelForNode` its resolution chain.
 */
import { type JsonValue, toJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import type { GetModelDefaultsResponse, ListNodeTypesResponse, NodeField } from "./gen/flowexec/v1/catalog_pb.js";
import type { FlowService } from "./gen/flowexec/v1/flow_service_pb.js";
import type { CallOptions } from "./client.js";

export interface ListNodeTypesOptions extends CallOptions {
  /** Only node types of this family (e.g. "text", "flow_control"); InvalidArgument for an unknown one. */
  family?: string | undefined;
}

export interface GetModelDefaultsOptions extends CallOptions {
  /** Only this node type's entry (InvalidArgument when the server has no such type). */
  nodeType?: string | undefined;
  /** Only this provider's entries (InvalidArgument when the server has no such provider). */
  providerId?: string | undefined;
}

/** A provider and model, as model-defaults.ts held them; an empty model means the provider's default. */
export interface ModelChoice {
  providerId: string;
  model: string;
}

function callOptions({ signal, timeoutMs, headers }: CallOptions) {
  return { signal, timeoutMs, headers };
}

export function catalogCalls(service: Client<typeof FlowService>) {
  return {
    async listNodeTypes(options: ListNodeTypesOptions = {}): Promise<ListNodeTypesResponse> {
      return service.listNodeTypes({ family: options.family ?? "" }, callOptions(options));
    },

    async getModelDefaults(options: GetModelDefaultsOptions = {}): Promise<GetModelDefaultsResponse> {
      const request = { nodeType: options.nodeType ?? "", providerId: options.providerId ?? "" };
      return service.getModelDefaults(request, callOptions(options));
    },
  };
}

/** A setting's default as a plain JSON value; undefined when it has none. */
export function fieldDefault(field: NodeField): JsonValue | undefined {
  return field.defaultValue === undefined ? undefined : toJson(ValueSchema, field.defaultValue);
}

/** Node type → its default provider and model (model-defaults.ts's NODE_MODEL_DEFAULTS); types without one are absent. */
export function nodeModelDefaults(defaults: GetModelDefaultsResponse): Record<string, ModelChoice> {
  const table: Record<string, ModelChoice> = {};
  for (const entry of defaults.nodeTypes) {
    if (entry.defaultModel) table[entry.nodeType] = { providerId: entry.defaultModel.providerId, model: entry.defaultModel.model };
  }
  return table;
}

function setting(data: Readonly<Record<string, unknown>>, key: string): string {
  const value = data[key];
  return typeof value === "string" ? value.trim() : "";
}

/**
 * The provider and model a node uses, as the server resolves them: the node's own `providerId`
 * (seed-004 elements: `provider_id`) and `model` → its type's default → the flow's provider. A node
 * naming only a model keeps the provider the rest of the chain picks. An empty model means the
 * provider's default (its `defaultModel` in `defaults.providers`); `task:NAME` models are resolved
 * by the server with its task table (`defaults.tasks`).
 */
export function resolveModelForNode(
  defaults: GetModelDefaultsResponse,
  nodeType: string,
  data: Readonly<Record<string, unknown>>,
  globalProviderId: string,
): ModelChoice {
  const nodeProvider = setting(data, "providerId") || setting(data, "provider_id");
  const nodeModel = setting(data, "model");
  if (nodeProvider) return { providerId: nodeProvider, model: nodeModel };
  const typeDefault = nodeModelDefaults(defaults)[nodeType];
  if (typeDefault) return { providerId: typeDefault.providerId, model: nodeModel || typeDefault.model };
  return { providerId: globalProviderId, model: nodeModel };
}
