/**
 * The client in a real browser: Debian's Chromium (driven by playwright-core) loads a page from
 * 127.0.0.1 whose script is this package bundled by esbuild for the browser, and runs
 * executeGraphRemote over gRPC-Web through the real Envoy (cross-origin, so CORS is real too)
 * against the real server. The statuses are read from the page.
 *
 * Chromium comes from scripts/ensure_chromium.sh (run by scripts/test_typescript.sh).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { build } from "esbuild";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { createFlowClient, type FlowEdge, type FlowNode, RunState, statusName } from "@flowexec/client";
import type { PageRun } from "./browser/page.js";
import { edge } from "./helpers/graphs.js";
import { type Service, startGateway, startServer } from "./helpers/processes.js";

const CHROMIUM = process.env.FLOWEXEC_CHROMIUM ?? "/usr/bin/chromium";
// Headless, and nothing that reaches for the internet (Chromium keeps trying otherwise).
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const PAGE_SCRIPT = fileURLToPath(new URL("./browser/page.js", import.meta.url));

/** The page's script, bundled as an editor's bundler would (browser condition, ES module). */
async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [PAGE_SCRIPT],
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    write: false,
    logLevel: "error",
  });
  return result.outputFiles[0]!.text;
}

/** Serves the page and its bundle on 127.0.0.1:0; resolves to its origin. */
async function servePage(script: string): Promise<{ server: Server; origin: string }> {
  const html = `<!doctype html><meta charset="utf-8"><title>flowexec browser test</title>
<ul id="statuses"></ul><script type="module" src="/app.js"></script>`;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/") res.writeHead(200, { "content-type": "text/html" }).end(html);
    else if (path === "/app.js") res.writeHead(200, { "content-type": "text/javascript" }).end(script);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { server, origin: `http://127.0.0.1:${port}` };
}

describe("executeGraphRemote in Chromium, through Envoy", () => {
  let profile = "";
  let pageServer: Server | undefined;
  let flowServer: Service | undefined;
  let gateway: Service | undefined;
  let context: BrowserContext | undefined;
  let page: Page;

  before(async () => {
    const served = await servePage(await bundle());
    pageServer = served.server;
    flowServer = await startServer();
    gateway = await startGateway(flowServer.address, served.origin);
    profile = await mkdtemp(join(tmpdir(), "flowexec-chromium-"));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    await page.goto(`${served.origin}/?gateway=${encodeURIComponent(`http://${gateway.address}`)}`);
    await page.waitForSelector("body[data-ready]", { state: "attached", timeout: 10_000 }).catch((err: Error) => {
      throw new Error(`the page script did not start: ${errors.join("; ") || err.message}`);
    });
  });

  after(async () => {
    await context?.close();
    await gateway?.stop();
    await flowServer?.stop();
    await new Promise((resolve) => (pageServer ? pageServer.close(resolve) : resolve(undefined)));
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  const run = (nodes: FlowNode[], edges: FlowEdge[], abortWhenRunning?: string): Promise<PageRun> =>
    page.evaluate(([n, e, a]) => window.flowexecTest.run(n, e, a), [nodes, edges, abortWhenRunning] as const);

  /** What the page shows: node id → status. */
  const shown = async (): Promise<Record<string, string>> =>
    Object.fromEntries(
      await page.locator("#statuses li").evaluateAll((items) =>
        items.map((li) => [(li as HTMLElement).dataset["node"], (li as HTMLElement).dataset["status"]])),
    );

  it("runs a graph and shows every node's status and output", async () => {
    const nodes = [
      { id: "src", type: "diag.delay", data: { seconds: 0.05, text: "hello" } },
      { id: "shout", type: "diag.stream", data: { chunks: ["he", "llo"] } },
      { id: "boom", type: "diag.fail", data: { message: "provider down" } },
      { id: "out", type: "textOutput", data: {} },
    ];
    const result = await run(nodes, [edge("src", "out"), edge("shout", "out")]);
    assert.equal(result.error, undefined, result.error?.message);
    assert.deepEqual(await shown(), { src: "complete", shout: "complete", boom: "error", out: "complete" });
    assert.deepEqual(result.calls.filter(([id]) => id === "src").map(([, status]) => status), ["pending", "running", "complete"]);
    assert.deepEqual(result.deltas, ["shout:he", "shout:llo"]);
    assert.equal(result.outputs?.["out"]?.text, "hello\n\nhello");
    assert.deepEqual(result.outputs?.["boom"], { error: "provider down" });
  });

  it("aborted mid-run, shows the unfinished nodes cancelled", async () => {
    const nodes = [
      { id: "slow", type: "diag.delay", data: { seconds: 30 } },
      { id: "next", type: "diag.delay", data: {} },
    ];
    const result = await run(nodes, [edge("slow", "next")], "slow");
    assert.equal(result.error?.code, "Canceled", result.error?.message);
    assert.deepEqual(await shown(), { slow: "cancelled", next: "cancelled" });
    assert.deepEqual(result.calls.at(-1), ["next", "cancelled", { error: "aborted by the caller" }]);
    const runs = await createFlowClient({ baseUrl: `http://${gateway!.address}` }).listRuns({ pageSize: 1 });
    assert.equal(runs.runs[0]?.state, RunState.CANCELLED, "the abort cancelled the run on the server");
  });

  it("reloaded mid-run, reattaches by the run id it kept and shows the same statuses", async () => {
    const nodes = [
      { id: "a", type: "diag.delay", data: { seconds: 0.3, text: "from a" } },
      { id: "b", type: "diag.delay", data: { seconds: 0.5 } },
      { id: "c", type: "diag.delay", data: { seconds: 0.3 } },
    ];
    const edges = [edge("a", "b"), edge("b", "c")];
    const reloaded = page.waitForEvent("load");
    // The reload destroys the page the call ran in: its evaluate never settles normally.
    void page.evaluate(([n, e]) => window.flowexecTest.runThenReload(n, e, "b"), [nodes, edges] as const).catch(() => undefined);
    await reloaded;
    await page.waitForSelector("body[data-ready]", { state: "attached", timeout: 10_000 });
    const result = await page.evaluate(() => window.flowexecTest.reattach());
    assert.equal(result.error, undefined, result.error?.message);
    assert.match(result.runId, /^[0-9a-f]{32}$/);

    const client = createFlowClient({ baseUrl: `http://${gateway!.address}` });
    const history: string[] = [];
    for await (const event of client.watchRun(result.runId)) {
      if (event.kind.case === "nodeStatus") history.push(`${event.kind.value.nodeId}:${statusName(event.kind.value.status)}`);
    }
    assert.deepEqual(result.calls.map(([id, status]) => `${id}:${status}`), history);
    assert.deepEqual(result.calls.slice(0, result.before.length), result.before, "before the reload: a prefix of the same calls");
    assert.ok(result.before.length < result.calls.length, "the reload came after the run ended");
    assert.deepEqual(await shown(), { a: "complete", b: "complete", c: "complete" });
    assert.equal(result.outputs?.["c"]?.text, "from a");
    assert.equal((await client.getRun(result.runId)).state, RunState.SUCCEEDED, "the reload did not cancel the run");
  });
});
