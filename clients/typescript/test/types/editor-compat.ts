/**
 * Type-level test, checked by `tsc -p tsconfig.test.json` (a type error fails
 * scripts/test_typescript.sh) and never run: the Next.js editor's own types, as it declares them
 * under strict TypeScript, must go into executeGraphRemote unchanged.
 *
 * - React Flow nodes whose `data` is an interface (no index signature, so not a Record<string, unknown>);
 * - the in-browser runner's StatusCallback, whose status union has no "cancelled": accepted with
 *   `cancelledAs`, and refused without it (it could not handle "cancelled");
 * - the editor's own NodeOutput interface and its store of outputs.
 */
import { createFlowClient, type FlowClient, type NodeOutput as ClientNodeOutput } from "@flowexec/client";

// ---- What the editor declares (React Flow v11 style Node<T>, the flow store's types) ----

interface XYPosition {
  x: number;
  y: number;
}

interface Node<T = unknown, U extends string | undefined = string | undefined> {
  id: string;
  position: XYPosition;
  data: T;
  type?: U;
  selected?: boolean;
  dragging?: boolean;
  width?: number | null;
  height?: number | null;
  parentNode?: string;
}

interface Edge<T = unknown> {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
  animated?: boolean;
  data?: T;
}

interface CharacterData {
  characterName: string;
  characterDescription: string;
  image?: string;
  onChange?: (patch: Partial<CharacterData>) => void;
}

interface SceneData {
  lighting: string;
  mood: string;
}

type AppNode = Node<CharacterData, "consistentCharacter"> | Node<SceneData, "sceneBuilder"> | Node<{ text: string }>;

interface NodeOutput {
  text?: string;
  image?: string;
  personaDescription?: string;
  personaName?: string;
  replacePrompt?: string;
  injectedPrompt?: string;
  error?: string;
  durationMs?: number;
}

type NodeExecutionStatus = "pending" | "running" | "complete" | "error" | "skipped";
type StatusCallback = (nodeId: string, status: NodeExecutionStatus, output?: NodeOutput) => void;

interface FlowState {
  nodes: AppNode[];
  edges: Edge[];
  nodeOutputs: Record<string, NodeOutput>;
  nodeStatus: Record<string, NodeExecutionStatus>;
}

// ---- How the editor calls the client ----

declare const state: FlowState;
declare const signal: AbortSignal;
const flowexec: FlowClient = createFlowClient({ baseUrl: "http://localhost:8080" });
export const { executeGraphRemote } = flowexec;

const onStatus: StatusCallback = (nodeId, status, output) => {
  state.nodeStatus[nodeId] = status;
  if (output) state.nodeOutputs[nodeId] = output;
};

export async function runFromEditor(triggerNodeId?: string): Promise<void> {
  const characters: Node<CharacterData>[] = state.nodes.filter(
    (n): n is Node<CharacterData, "consistentCharacter"> => n.type === "consistentCharacter",
  );
  // The in-browser runner's callback: cancelled nodes are reported as "error".
  const outputs: Record<string, NodeOutput> = await executeGraphRemote(
    state.nodes,
    state.edges,
    "mistral",
    onStatus,
    triggerNodeId,
    state.nodeOutputs,
    { signal, cancelledAs: "error" },
  );
  state.nodeOutputs = { ...state.nodeOutputs, ...outputs };
  await executeGraphRemote(characters, [], "mistral", onStatus, undefined, undefined, { cancelledAs: "skipped" });
  // The callback alone (no editor nodes), so its check is not hidden behind the nodes' one.
  const plain = [{ id: "a", type: "initialPrompt", data: { text: "hi" } }];
  await executeGraphRemote(plain, [], "mistral", onStatus, undefined, undefined, { cancelledAs: "error" });

  // @ts-expect-error a callback without "cancelled" needs cancelledAs: it could not handle "cancelled"
  await executeGraphRemote(state.nodes, state.edges, "mistral", onStatus, triggerNodeId, state.nodeOutputs, { signal });
  // @ts-expect-error ...nor may cancelledAs be "cancelled" for it
  await executeGraphRemote(state.nodes, state.edges, "mistral", onStatus, undefined, undefined, { cancelledAs: "cancelled" });

  // A callback that knows "cancelled" (or takes any string) needs nothing more.
  type WithCancelled = NodeExecutionStatus | "cancelled";
  const statuses: Record<string, WithCancelled> = {};
  await executeGraphRemote(state.nodes, state.edges, "mistral", (id, status: WithCancelled) => (statuses[id] = status));
  await executeGraphRemote(state.nodes, state.edges, "", (id: string, status: string, output?: ClientNodeOutput) =>
    console.log(id, status, output?.text));
  // An inline callback is typed by the first overload: "cancelled" is one of its statuses.
  await executeGraphRemote(state.nodes, [], "", (_id, status) => {
    const cancelled: boolean = status === "cancelled";
    return cancelled;
  });
}
