/** examples/run-flow.ts, run as a user would: the demo flow through the real Envoy, statuses printed live. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { it } from "node:test";
import { serverBehindGateway } from "./helpers/processes.js";

const EXAMPLE = fileURLToPath(new URL("../examples/run-flow.js", import.meta.url));

const services = serverBehindGateway();

it("runs the demo flow (server/demo/demo_flow.json) through the gateway and prints every node's status", async () => {
  // Dry run: no provider key here, and the LLM nodes still stream the prompts they would send.
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [EXAMPLE, "--gateway", `http://${services.gateway.address}`, "--dry-run"],
    { timeout: 30_000 },
  );
  for (const node of ["char-mara (consistentCharacter)", "scene (sceneBuilder)", "idea (initialPrompt)",
    "enhance (promptEnhancer)", "translate (translator)", "out (textOutput)"]) {
    assert.match(stdout, new RegExp(`▶ ${escape(node)}: running`));
    assert.match(stdout, new RegExp(`✓ ${escape(node)}: complete`));
  }
  assert.match(stdout, /idea streaming:/);
  assert.match(stdout, /^outputs:$/m);
  assert.doesNotMatch(stdout, /layout/, "the group node is layout only");
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
