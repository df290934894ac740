/** Graphs of the server's diagnostic nodes (diag.delay, diag.fail, diag.stream), as the editor sends them. */
import type { FlowEdge, FlowNode } from "@flowexec/client";

export interface Graph {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

export function edge(source: string, target: string, targetHandle = "text"): FlowEdge {
  return { id: `${source}->${target}`, source, target, sourceHandle: "text", targetHandle };
}

/** a → b → c …, each sleeping `seconds` before passing its text on. */
export function delayChain(ids: string[], seconds: number): Graph {
  return {
    nodes: ids.map((id, i) => ({
      id,
      type: "diag.delay",
      position: { x: i * 200, y: 0 },
      data: i === 0 ? { seconds, text: `from ${id}` } : { seconds },
    })),
    edges: ids.slice(1).map((id, i) => edge(ids[i]!, id)),
  };
}
