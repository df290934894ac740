/**
 * The browser test's page script (bundled by esbuild for the browser, as an editor's bundler
 * would): runs executeGraphRemote over gRPC-Web against the gateway named in `?gateway=` and
 * shows each node's status in the page, as the editor's nodes do.
 */
import {
  ConnectError,
  Code,
  createFlowClient,
  type FlowEdge,
  type FlowNode,
  type NodeExecutionStatus,
  type NodeOutput,
} from "@flowexec/client";

export interface PageRun {
  /** Every onStatus call, in order. */
  calls: [nodeId: string, status: NodeExecutionStatus, output: NodeOutput | null][];
  outputs?: Record<string, NodeOutput>;
  deltas: string[];
  /** The rejection, when the call failed: the Code's name and the message. */
  error?: { code: string; message: string };
}

export interface PageApi {
  /** Run a graph; with `abortWhenRunning`, abort the call once that node is running. */
  run(nodes: FlowNode[], edges: FlowEdge[], abortWhenRunning?: string): Promise<PageRun>;
  /**
   * What an editor does before a reload: run a graph, keep the run id (and, for the test, each
   * onStatus call) in sessionStorage, and reload the page once `reloadWhenRunning` is running.
   */
  runThenReload(nodes: FlowNode[], edges: FlowEdge[], reloadWhenRunning: string): Promise<void>;
  /** After the reload: reattach to the stored run id; also the calls recorded before the reload. */
  reattach(): Promise<PageRun & { runId: string; before: PageRun["calls"] }>;
}

declare global {
  interface Window {
    flowexecTest: PageApi;
  }
}

const client = createFlowClient({ baseUrl: new URLSearchParams(location.search).get("gateway") ?? "" });
const list = document.getElementById("statuses")!;

function show(nodeId: string, status: NodeExecutionStatus, output?: NodeOutput): void {
  let item = list.querySelector<HTMLLIElement>(`li[data-node="${CSS.escape(nodeId)}"]`);
  if (!item) {
    item = document.createElement("li");
    item.dataset["node"] = nodeId;
    list.append(item);
  }
  item.dataset["status"] = status;
  item.textContent = `${nodeId}: ${status}${output?.error ? ` (${output.error})` : ""}`;
}

window.flowexecTest = {
  async run(nodes, edges, abortWhenRunning) {
    list.replaceChildren();
    const controller = new AbortController();
    const result: PageRun = { calls: [], deltas: [] };
    try {
      result.outputs = await client.executeGraphRemote(
        nodes,
        edges,
        "",
        (nodeId, status, output) => {
          result.calls.push([nodeId, status, output ?? null]);
          show(nodeId, status, output);
          if (nodeId === abortWhenRunning && status === "running") controller.abort();
        },
        undefined,
        undefined,
        { signal: controller.signal, onTextDelta: (nodeId, chunk) => result.deltas.push(`${nodeId}:${chunk}`) },
      );
    } catch (err) {
      const error = ConnectError.from(err);
      result.error = { code: Code[error.code], message: error.message };
    }
    return result;
  },

  async runThenReload(nodes, edges, reloadWhenRunning) {
    const before: PageRun["calls"] = [];
    await client.executeGraphRemote(
      nodes,
      edges,
      "",
      (nodeId, status, output) => {
        before.push([nodeId, status, output ?? null]);
        sessionStorage.setItem("flowexec-calls", JSON.stringify(before));
        if (nodeId === reloadWhenRunning && status === "running") location.reload();
      },
      undefined,
      undefined,
      { onRunStarted: (runId) => sessionStorage.setItem("flowexec-run", runId) },
    );
  },

  async reattach() {
    const runId = sessionStorage.getItem("flowexec-run") ?? "";
    const before = JSON.parse(sessionStorage.getItem("flowexec-calls") ?? "[]") as PageRun["calls"];
    const result: PageRun = { calls: [], deltas: [] };
    try {
      result.outputs = await client.reattachGraphRemote(runId, (nodeId, status, output) => {
        result.calls.push([nodeId, status, output ?? null]);
        show(nodeId, status, output);
      });
    } catch (err) {
      const error = ConnectError.from(err);
      result.error = { code: Code[error.code], message: error.message };
    }
    return { ...result, runId, before };
  },
};
document.body.dataset["ready"] = "true";
