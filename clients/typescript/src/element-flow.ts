/**
 * Seed 004's flow documents (elements and connections) → ExecuteFlowRequest, as the Python
 * client's `flowexec.element_flow` does it:
 *
 *   const request = elementFlowToRequest(doc);            // { flow_definition, initial_inputs, config } or the definition
 *   for await (const event of client.executeFlow(request)) …
 *   const results = runResults(lastEvent.kind.value);     // the end elements' inputs, by name
 *
 * - each element becomes a node: id `element_id` (else its key), type `type`, every other field
 *   (`input_schema`, `temperature`, `wrapper_prompt`, `name`, …) as its settings;
 * - each connection an edge: `from_output` → sourceHandle, `to_input` → targetHandle;
 * - `initial_inputs` → initialInputs; `config.max_execution_time` (seconds) → options.maxExecutionMs;
 * - `start_element_id` must name an element. A malformed document throws an Error naming the place.
 */
import { create, type JsonObject, type JsonValue, toJson } from "@bufbuild/protobuf";
import { type Value, ValueSchema } from "@bufbuild/protobuf/wkt";
import type { RunCompleted } from "./gen/flowexec/v1/events_pb.js";
import { type ExecuteFlowRequest, ExecuteFlowRequestSchema } from "./gen/flowexec/v1/flow_service_pb.js";
import type { NodeOutput } from "./gen/flowexec/v1/graph_pb.js";

/** A seed-004 element: its type and id, and its own fields (its settings). */
export interface FlowElement {
  type: string;
  element_id?: string;
  [field: string]: unknown;
}

/** A seed-004 connection: an edge from `from_output` of `from_id` to `to_input` of `to_id`. */
export interface FlowConnection {
  from_id: string;
  to_id: string;
  from_output?: string;
  to_input?: string;
  id?: string;
}

/** The flow definition of a seed-004 document. */
export interface ElementFlowDefinition {
  flow_id?: string;
  elements: Record<string, FlowElement> | FlowElement[];
  connections?: FlowConnection[];
  start_element_id?: string;
  initial_inputs?: Record<string, unknown>;
  config?: { max_execution_time?: number };
}

/** A whole seed-004 execute request, or just its definition. */
export type ElementFlowDocument =
  | ElementFlowDefinition
  | {
      flow_id?: string;
      flow_definition: ElementFlowDefinition;
      initial_inputs?: Record<string, unknown>;
      config?: { max_execution_time?: number };
      [field: string]: unknown;
    };

export interface ElementFlowOptions {
  providerId?: string;
  dryRun?: boolean;
  /** Merged over the document's initial_inputs. */
  initialInputs?: Record<string, unknown>;
  /** Replaces the document's config.max_execution_time. */
  maxExecutionMs?: number;
}

/** True for a seed-004 document, false for the editor's React Flow graph. */
export function isElementFlow(doc: object): doc is ElementFlowDocument {
  return "flow_definition" in doc || "elements" in doc;
}

export function elementFlowToRequest(doc: ElementFlowDocument, options: ElementFlowOptions = {}): ExecuteFlowRequest {
  const outer = doc as Record<string, unknown>;
  const definition = ("flow_definition" in doc ? doc.flow_definition : doc) as ElementFlowDefinition;
  if (!isObject(definition)) throw new Error("flow_definition must be an object");
  const nodes = elementNodes(definition.elements);
  const ids = new Set(nodes.map((n) => n.id));
  const start = definition.start_element_id;
  if (start !== undefined && !ids.has(start)) throw new Error(`start_element_id '${start}' is not an element of the flow`);
  const connections = definition.connections ?? [];
  if (!Array.isArray(connections)) throw new Error("connections must be a list");
  const edges = connections.map((c, i) => {
    if (!isObject(c)) throw new Error(`connections[${i}] must be an object`);
    return {
      id: String(c.id ?? `connection-${i}`),
      source: String(c.from_id ?? ""),
      target: String(c.to_id ?? ""),
      sourceHandle: String(c.from_output ?? ""),
      targetHandle: String(c.to_input ?? ""),
    };
  });
  const docInputs = objectOrEmpty(outer["initial_inputs"] ?? definition.initial_inputs, "initial_inputs");
  const config = objectOrEmpty(outer["config"] ?? definition.config, "config");
  return create(ExecuteFlowRequestSchema, {
    flowId: String(outer["flow_id"] ?? definition.flow_id ?? ""),
    providerId: options.providerId ?? "",
    nodes,
    edges,
    initialInputs: json({ ...docInputs, ...(options.initialInputs ?? {}) }),
    options: {
      dryRun: options.dryRun ?? false,
      maxExecutionMs: BigInt(options.maxExecutionMs ?? limitMs(config["max_execution_time"])),
    },
  });
}

/** A run's named results (RunCompleted.results: the end elements' inputs) as plain JSON. */
export function runResults(completed: RunCompleted): Record<string, JsonValue> {
  return plain(completed.results);
}

/** A node output's named values (NodeOutput.values) as plain JSON. */
export function outputValues(output: NodeOutput): Record<string, JsonValue> {
  return plain(output.values);
}

function plain(values: { [key: string]: Value }): Record<string, JsonValue> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, toJson(ValueSchema, value)]));
}

function elementNodes(elements: unknown): { id: string; type: string; data: JsonObject }[] {
  let items: [string, unknown][];
  if (Array.isArray(elements)) items = elements.map((e) => ["", e]);
  else if (isObject(elements)) items = Object.entries(elements);
  else throw new Error("elements must be an object (element id → element) or a list of elements");
  return items.map(([key, element], i) => {
    const where = key ? `elements['${key}']` : `elements[${i}]`;
    if (!isObject(element)) throw new Error(`${where} must be an object`);
    const { type, element_id: elementId, ...settings } = element;
    const id = String(elementId ?? key);
    if (!id) throw new Error(`${where} has no element_id`);
    return { id, type: String(type ?? ""), data: json(settings) };
  });
}

function limitMs(seconds: unknown): number {
  if (seconds === undefined || seconds === null) return 0;
  if (typeof seconds !== "number" || !(seconds >= 0 && seconds <= 1e9)) {
    throw new Error(`config.max_execution_time must be a number of seconds from 0 to 1e9, not ${JSON.stringify(seconds)}`);
  }
  return Math.round(seconds * 1000);
}

function objectOrEmpty(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new Error(`${name} must be an object`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function json(value: Record<string, unknown>): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}
