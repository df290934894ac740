/**
 * The real flowexec server and the real Envoy gateway as child processes, on ports picked by the OS.
 *
 * Each runs in its own process group (detached) and is stopped by signalling that group's id, so
 * Envoy, which the gateway launcher runs as a child, goes with it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";

const STARTUP_TIMEOUT_MS = 20_000;

/** The repository root: the nearest folder above this file with a pyproject.toml. */
export const REPO_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "pyproject.toml"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("pyproject.toml not found above the test folder");
    dir = parent;
  }
  return dir;
})();

const VENV = process.env.FLOWEXEC_VENV ?? join(REPO_ROOT, ".venv");
export const FLOWEXEC_BIN = join(VENV, "bin", "flowexec");

export class Service {
  /** HOST:PORT from the readiness line. */
  address = "";

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
    private readonly log: { text: string },
  ) {}

  /** Spawn `flowexec <args>` and wait for its readiness line; `address` is the HOST:PORT it reports. */
  static async start(name: string, args: string[], ready: RegExp, env: NodeJS.ProcessEnv = {}): Promise<Service> {
    const child = spawn(FLOWEXEC_BIN, args, {
      cwd: REPO_ROOT,
      detached: true,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    live.add(child);
    const log = { text: "" };
    child.stderr?.on("data", (chunk: Buffer) => (log.text += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    let stdout = "";
    const address = new Promise<string>((resolve) => {
      child.stdout?.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = ready.exec(stdout);
        if (match?.[1]) resolve(match[1]);
      });
    });
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      address,
      exited.then((code) => new Error(`${name} exited with status ${code} before it was ready`)),
      new Promise<Error>((resolve) => {
        timer = setTimeout(() => resolve(new Error(`${name} not ready within ${STARTUP_TIMEOUT_MS} ms`)), STARTUP_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
    const service = new Service(name, child, exited.then(() => undefined), log);
    if (outcome instanceof Error) {
      await service.stop();
      throw new Error(`${outcome.message}\n${log.text}`);
    }
    service.address = outcome;
    return service;
  }

  /** Everything the process wrote to stderr so far (flowexec's log). */
  get stderr(): string {
    return this.log.text;
  }

  /** Wait until the process's stderr (its log) matches `pattern`; returns the match. */
  async waitForLog(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.log.text);
      if (match) return match;
      if (Date.now() > deadline) throw new Error(`${this.name} never logged ${pattern}; its log:\n${this.log.text}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** SIGTERM to the process group, then wait for the exit. */
  async stop(): Promise<void> {
    await this.kill("SIGTERM");
  }

  /** SIGSTOP to the process group: it keeps its sockets open but answers nothing (a connection gone silent). */
  pause(): void {
    killGroup(this.child, "SIGSTOP");
  }

  /** SIGCONT to the process group, after pause(). */
  resume(): void {
    killGroup(this.child, "SIGCONT");
  }

  /** `signal` to the process group (SIGKILL: a crash, no graceful shutdown), then wait for the exit. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    killGroup(this.child, signal);
    await this.exited;
    live.delete(this.child);
  }
}

const live = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // negative pid: the group this child leads
  } catch {
    // already gone
  }
}

// Last resort when a test run dies without reaching its after() hooks.
process.once("exit", () => live.forEach((child) => killGroup(child, "SIGKILL")));

/** `flowexec serve --diagnostic-nodes` on 127.0.0.1:0. Its address is HOST:PORT. */
export function startServer(env: NodeJS.ProcessEnv = {}): Promise<Service> {
  return Service.start(
    "flowexec server",
    ["serve", "--host", "127.0.0.1", "--port", "0", "--diagnostic-nodes"],
    /flowexec listening on (\S+)/,
    // A run a failed test left behind must not hold the shutdown for the default 30 s.
    // Its own data dir: the default SQLite database of one server is never another's.
    {
      FLOWEXEC_SHUTDOWN_GRACE_SECONDS: "1",
      FLOWEXEC_LOG_LEVEL: "INFO",
      FLOWEXEC_DATA_DIR: mkdtempSync(join(tmpdir(), "flowexec-ts-data-")),
      ...env,
    },
  );
}

export const TEST_ORIGIN = "http://editor.test:3000";

/**
 * `flowexec gateway` (Envoy) on 127.0.0.1:`port` in front of `upstream`, allowing `origin` (CORS).
 * Port 0 picks a free one; a gateway's own port restarts it where its clients expect it.
 */
export function startGateway(upstream: string, origin = TEST_ORIGIN, port = 0): Promise<Service> {
  return Service.start(
    "flowexec gateway",
    ["gateway", "--upstream", upstream, "--port", String(port), "--allowed-origin", origin],
    /flowexec gateway listening on (\S+)/,
  );
}

/** A server and an Envoy gateway in front of it, started before this file's tests and
 * stopped after them (node:test hooks). Read `server`/`gateway` inside tests, not at load. */
export function serverBehindGateway(): { readonly server: Service; readonly gateway: Service } {
  const started: { server?: Service; gateway?: Service } = {};
  before(async () => {
    started.server = await startServer();
    started.gateway = await startGateway(started.server.address);
  });
  after(async () => {
    await started.gateway?.stop();
    await started.server?.stop();
  });
  return {
    get server() {
      if (!started.server) throw new Error("server not started yet");
      return started.server;
    },
    get gateway() {
      if (!started.gateway) throw new Error("gateway not started yet");
      return started.gateway;
    },
  };
}
