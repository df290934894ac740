/**
 * The node-type catalogue and the model defaults from TypeScript, against the real server through
 * the real Envoy (gRPC-Web, as the editor calls it) and over native gRPC: listNodeTypes gives what
 * a palette needs (sceneBuilder's seven settings and their choices, the translator's 28
 * languages), getModelDefaults what model-defaults.ts held; a setting the catalogue says is closed
 * is refused with a field violation naming node and setting.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  CacheDefault,
  Code,
  ConnectError,
  createFlowClient,
  fieldDefault,
  type FlowClient,
  graphToRequest,
  invalidGraphViolations,
  nodeModelDefaults,
  PortKind,
  ProviderKind,
  resolveModelForNode,
} from "@flowexec/client";
import { serverBehindGateway } from "./helpers/processes.js";

const services = serverBehindGateway();

describe("listNodeTypes", () => {
  let web: FlowClient;
  let grpc: FlowClient;

  before(() => {
    web = createFlowClient({ baseUrl: `http://${services.gateway.address}` });
    grpc = createFlowClient({ baseUrl: `http://${services.server.address}`, transport: "grpc" });
  });

  it("lists every node type with its settings, ports and policies", async () => {
    const catalogue = await web.listNodeTypes();
    const types = new Map(catalogue.nodeTypes.map((t) => [t.type, t]));
    assert.ok(catalogue.families.includes("data_source") && catalogue.families.includes("flow_control"));
    const scene = types.get("sceneBuilder");
    assert.ok(scene);
    assert.deepEqual(scene.fields.map((f) => f.name),
      ["imageStyle", "lighting", "timeOfDay", "weather", "cameraAngle", "cameraLens", "mood"]);
    const lighting = scene.fields.find((f) => f.name === "lighting");
    assert.ok(lighting && lighting.options.includes("golden-hour") && lighting.optionsOpen);
    assert.equal(fieldDefault(lighting), "");
    const keepSystem = types.get("context_history")?.fields.find((f) => f.name === "keep_system");
    assert.equal(keepSystem && fieldDefault(keepSystem), true);
    assert.deepEqual(scene.outputs.map((p) => [p.name, p.kind]), [["text", PortKind.TEXT]]);
    const translator = types.get("translator");
    const language = translator?.fields.find((f) => f.name === "language");
    assert.equal(language?.options.length, 28);
    assert.deepEqual([translator?.defaultModel?.providerId, translator?.defaultModel?.model], ["mistral", "ministral-14b-2512"]);
    assert.equal(translator?.cacheDefault, CacheDefault.CACHED);
    const width = types.get("imageGenerator")?.fields.find((f) => f.name === "width");
    assert.deepEqual([width?.type, width?.minimum, width?.maximum], ["integer", 64, 4096]);
    const end = types.get("end");
    assert.ok(end?.results && end.portsFromSettings && end.inputsOpen);
    assert.equal(typeof end?.settingsSchema?.["properties"], "object"); // google.protobuf.Struct: a JSON object
  });

  it("filters by family, over native gRPC too, and names an unknown family", async () => {
    const flowControl = await grpc.listNodeTypes({ family: "flow_control" });
    assert.deepEqual(flowControl.nodeTypes.map((t) => t.type), ["start", "end", "case", "flow_select"]);
    const err = await web.listNodeTypes({ family: "nope" }).then(() => assert.fail("expected an error"), (e: unknown) => e);
    assert.ok(err instanceof ConnectError && err.code === Code.InvalidArgument);
    assert.match(err.rawMessage, /^family: unknown family 'nope' \(known: data_source, text/);
  });

  it("a closed option it lists is enforced before the run, naming node and setting", async () => {
    const catalogue = await web.listNodeTypes({ family: "utility" });
    const join = catalogue.nodeTypes.find((t) => t.type === "merge")?.fields.find((f) => f.name === "join");
    assert.deepEqual([join?.options, join?.optionsOpen], [["any", "all", "first_non_null"], false]);
    const request = graphToRequest([{ id: "m", type: "merge", data: { join: "some" } }], [], "");
    const err = await (async () => {
      for await (const _ of web.executeFlow(request)) assert.fail("an event arrived for a refused request");
    })().then(() => assert.fail("expected an error"), (e: unknown) => e);
    assert.ok(err instanceof ConnectError && err.code === Code.InvalidArgument);
    assert.deepEqual(invalidGraphViolations(err).map((v) => v.field), ["nodes[0].data.join"]);
  });
});

describe("getModelDefaults", () => {
  let web: FlowClient;

  before(() => {
    web = createFlowClient({ baseUrl: `http://${services.gateway.address}` });
  });

  it("holds model-defaults.ts's table, each provider's default models and the task table", async () => {
    const defaults = await web.getModelDefaults();
    const table = nodeModelDefaults(defaults);
    assert.deepEqual(table["storyTeller"], { providerId: "mistral", model: "labs-mistral-small-creative" });
    assert.deepEqual(table["imageDescriber"], { providerId: "claude", model: "" });
    assert.equal(table["imageGenerator"], undefined); // it follows the flow's provider
    const mistral = defaults.providers.find((p) => p.providerId === "mistral" && p.kind === ProviderKind.TEXT);
    assert.deepEqual([mistral?.defaultModel, mistral?.visionModel], ["ministral-14b-2512", "pixtral-12b-2409"]);
    assert.equal(defaults.defaultImageProvider, "huggingface");
    assert.ok(defaults.tasks.find((t) => t.name === "vision")?.alwaysLocal);
    assert.equal(defaults.defaultExecutionMode, "eco");
    // The editor's resolution chain: node's own → type default → flow's provider.
    assert.deepEqual(resolveModelForNode(defaults, "translator", {}, "glm"), { providerId: "mistral", model: "ministral-14b-2512" });
    assert.deepEqual(resolveModelForNode(defaults, "translator", { model: "mistral-large" }, "glm"),
      { providerId: "mistral", model: "mistral-large" });
    assert.deepEqual(resolveModelForNode(defaults, "translator", { providerId: "claude" }, "glm"), { providerId: "claude", model: "" });
    assert.deepEqual(resolveModelForNode(defaults, "imageGenerator", {}, "glm"), { providerId: "glm", model: "" });
  });

  it("filters by node type and provider", async () => {
    const one = await web.getModelDefaults({ nodeType: "translator", providerId: "claude" });
    assert.deepEqual(one.nodeTypes.map((n) => n.nodeType), ["translator"]);
    assert.deepEqual(one.providers.map((p) => p.providerId), ["claude"]);
    const err = await web.getModelDefaults({ nodeType: "nope" }).then(() => assert.fail("expected an error"), (e: unknown) => e);
    assert.ok(err instanceof ConnectError && err.code === Code.InvalidArgument);
  });
});
