/**
 * The package as a consumer gets it: from a clean copy of clients/typescript (no dist/, no
 * build/), `npm pack` builds it (the `prepare` script) and the tarball installs into a fresh
 * project, imports in Node and type-checks a consumer's .ts; `npm run example` builds first.
 *
 * The copy borrows this checkout's node_modules (the toolchain, never part of a checkout) and the
 * consumer installs the dependencies from npm's cache when it can (--prefer-offline).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { REPO_ROOT } from "./helpers/processes.js";

const run = promisify(execFile);
const PACKAGE = join(REPO_ROOT, "clients", "typescript");
const TSC = join(PACKAGE, "node_modules", ".bin", "tsc");
const STEP_TIMEOUT_MS = 120_000;

interface PackResult {
  filename: string;
  files: { path: string }[];
}

/** A port nothing listens on: one the OS just handed out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("packaging, from a clean copy", () => {
  let root = "";
  let copy = "";
  let pack: PackResult;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "flowexec-pack-"));
    // The repository layout the example expects: <root>/clients/typescript and <root>/server/demo.
    copy = join(root, "clients", "typescript");
    const skip = new Set(["node_modules", "dist", "build"].map((name) => join(PACKAGE, name)));
    await cp(PACKAGE, copy, { recursive: true, filter: (source) => !skip.has(source) });
    await symlink(join(PACKAGE, "node_modules"), join(copy, "node_modules"));
    await mkdir(join(root, "server", "demo"), { recursive: true });
    await cp(join(REPO_ROOT, "server", "demo", "demo_flow.json"), join(root, "server", "demo", "demo_flow.json"));
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", root], {
      cwd: copy,
      timeout: STEP_TIMEOUT_MS,
    });
    [pack] = JSON.parse(stdout) as [PackResult];
  });

  after(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("npm pack builds dist/ and packs it, without sources or tests", () => {
    const files = pack.files.map(({ path }) => path);
    for (const file of ["dist/index.js", "dist/index.d.ts", "dist/grpc-transport.node.js", "dist/grpc-transport.browser.js"]) {
      assert.ok(files.includes(file), `${file} missing from the tarball: ${files.join(", ")}`);
    }
    assert.deepEqual(files.filter((file) => /^(src|test|build|examples)\//.test(file)), []);
  });

  it("the tarball installs into a fresh project, imports in Node and type-checks a consumer", async () => {
    const consumer = join(root, "consumer");
    await mkdir(consumer);
    await writeFile(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", join(root, pack.filename)], {
      cwd: consumer,
      timeout: STEP_TIMEOUT_MS,
    });

    const script = `
      import { createFlowClient, graphToRequest } from "@flowexec/client";
      const request = graphToRequest([{ id: "a", type: "initialPrompt", data: { text: "hi" } }], [], "mistral");
      console.log(typeof createFlowClient({ baseUrl: "http://127.0.0.1:1" }).executeGraphRemote, request.nodes[0].data.text);`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: consumer });
    assert.equal(stdout.trim(), "function hi");

    // A strict consumer, resolving the package the way Node does (exports, types conditions).
    await writeFile(join(consumer, "main.ts"), `
      import { createFlowClient, type FlowNode, type NodeOutput } from "@flowexec/client";
      interface CharacterData { characterName: string }
      const nodes: { id: string; type: string; data: CharacterData }[] =
        [{ id: "c", type: "consistentCharacter", data: { characterName: "Mara" } }];
      const client = createFlowClient({ baseUrl: "http://localhost:8080" });
      export const outputs: Promise<Record<string, NodeOutput>> =
        client.executeGraphRemote(nodes satisfies FlowNode[], [], "mistral", () => {});
      // @ts-expect-error the package's types are real, not any: a number is no node list
      void client.executeGraphRemote(42, [], "", () => {});
    `);
    await writeFile(join(consumer, "tsconfig.json"), JSON.stringify({
      compilerOptions: {
        target: "ES2022", lib: ["ES2022", "DOM"], module: "NodeNext", moduleResolution: "NodeNext",
        strict: true, noEmit: true, skipLibCheck: true, types: [],
      },
      files: ["main.ts"],
    }));
    await run(TSC, ["-p", "tsconfig.json"], { cwd: consumer, timeout: STEP_TIMEOUT_MS }).catch((err: { stdout?: string }) => {
      assert.fail(`the consumer does not type-check:\n${err.stdout ?? String(err)}`);
    });
  });

  it("npm run example builds what it runs", async () => {
    await rm(join(copy, "dist"), { recursive: true, force: true });
    // No gateway listens there: the example must get as far as calling it, and say so (one retry, not eight).
    const gateway = `http://127.0.0.1:${await closedPort()}`;
    const outcome = await run("npm", ["run", "example", "--silent", "--", "--gateway", gateway, "--retries", "1"], {
      cwd: copy,
      timeout: STEP_TIMEOUT_MS,
    }).then(
      () => assert.fail("the example should fail without a gateway"),
      (err: { code?: number; stdout?: string; stderr?: string }) => err,
    );
    assert.equal(outcome.code, 1, outcome.stderr);
    assert.match(outcome.stdout ?? "", /^ {2}… reconnecting in \d+ ms \(retry 1\): /m, outcome.stderr);
    assert.match(outcome.stdout ?? "", /^run failed: /m, outcome.stderr);
  });
});
