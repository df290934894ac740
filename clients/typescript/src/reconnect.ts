/**
 * Following a run across dropped connections: watch it, and when the watch fails with a
 * transport error, watch it again from the last seq handled, with bounded retries and backoff.
 * A watch that hears nothing for `idleTimeoutMs` (not even the server's keepalive) is taken for
 * a connection that died without a word (a network switch, a half-open TCP connection) and is
 * dropped and watched again the same way.
 *
 * What counts as a transport error: Unavailable (the gateway cannot reach the server, or the
 * server is going away), Unknown (fetch failed: the gateway is down, restarting, or the network
 * blipped — browsers and undici report these without a gRPC status), Internal (a stream cut by a
 * proxy), a stream that ends OK before the run's last event, and Canceled while the call's own
 * signal is not aborted (the browser aborted the fetch itself, as it does to a page going away:
 * retrying is harmless there, and cancelling the run would undo what a reload should keep). Not
 * retried: the caller's abort and deadline (the call's signal is aborted), and every answer the
 * server meant (NotFound, InvalidArgument, DataLoss, Unauthenticated, …).
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { NodeEvent } from "./gen/flowexec/v1/events_pb.js";
import type { WatchRunResponse } from "./gen/flowexec/v1/flow_service_pb.js";
import { RunFailedError } from "./errors.js";
import type { RunReporter } from "./run-reporter.js";
import { restarted, type TakeoverEnding } from "./takeover.js";

/** How hard a dropped watch (or a StartRun that did not get through) is retried. */
export interface ReconnectPolicy {
  /** Retries in a row that receive nothing before giving up (0: never retry). */
  readonly attempts: number;
  /** Wait before the first retry; it doubles with each retry in a row, up to `maxDelayMs`. */
  readonly initialDelayMs: number;
  /** Longest wait between two retries. */
  readonly maxDelayMs: number;
  /**
   * A watch that receives nothing for this long — no event, no keepalive (the server sends one
   * every 15 s by default, FLOWEXEC_WATCH_KEEPALIVE_SECONDS) — is dropped and retried (0: never).
   */
  readonly idleTimeoutMs: number;
}

/**
 * 8 retries, 0.25 s doubling to 5 s: about 20 s of outage (a gateway restart, a network blip) is
 * ridden out. A watch silent for 45 s (three keepalives missed) counts as dropped.
 */
export const DEFAULT_RECONNECT: ReconnectPolicy = Object.freeze({
  attempts: 8,
  initialDelayMs: 250,
  maxDelayMs: 5000,
  idleTimeoutMs: 45_000,
});

/** `false` (never retry) or the fields to change from DEFAULT_RECONNECT. */
export type ReconnectOption = Partial<ReconnectPolicy> | false | undefined;

export function reconnectPolicy(option: ReconnectOption): ReconnectPolicy {
  if (option === false) return { ...DEFAULT_RECONNECT, attempts: 0 };
  return { ...DEFAULT_RECONNECT, ...option };
}

/** Called before each retry: the retry's number in a row (1, 2, …), the error, the wait. */
export type ReconnectListener = (attempt: number, error: unknown, delayMs: number) => void;

// Canceled is only ever retried when the call's own signal is not aborted (retryOrThrow checks it first).
const TRANSPORT_CODES: ReadonlySet<Code> = new Set([Code.Unavailable, Code.Unknown, Code.Internal, Code.Canceled]);

/** The watch ended OK before the run's last event (a proxy closing the stream, say). */
export class StreamEndedEarly extends RunFailedError {
  constructor(runId: string) {
    super("the stream ended before the run completed", runId);
  }
}

function retryable(err: unknown): boolean {
  return err instanceof StreamEndedEarly || (err instanceof ConnectError && TRANSPORT_CODES.has(err.code));
}

/** Full delay for the nth retry in a row, less up to a quarter at random (clients restarting together spread out). */
function backoff(policy: ReconnectPolicy, attempt: number): number {
  const full = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(full * (1 - Math.random() * 0.25));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => {
      clearTimeout(timer);
      reject(ConnectError.from(signal.reason, Code.Canceled));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", aborted);
      resolve();
    }, ms);
    if (signal.aborted) aborted();
    else signal.addEventListener("abort", aborted, { once: true });
  });
}

interface Retrying {
  policy: ReconnectPolicy;
  /** The whole call's signal (the caller's abort and deadline): it ends the waits too. */
  signal: AbortSignal;
  onReconnect?: ReconnectListener | undefined;
}

/** After a failure: throw it when it is not a transport error or retries are used up; else wait. */
async function retryOrThrow(err: unknown, failures: number, { policy, signal, onReconnect }: Retrying): Promise<void> {
  if (signal.aborted || !retryable(err) || failures > policy.attempts) throw err;
  const delayMs = backoff(policy, failures);
  onReconnect?.(failures, err, delayMs);
  await sleep(delayMs, signal);
}

/** A unary call (StartRun with an idempotency key, GetRun), retried on transport errors. */
export async function withRetries<T>(call: () => Promise<T>, retrying: Retrying): Promise<T> {
  for (let failures = 1; ; failures++) {
    try {
      return await call();
    } catch (err) {
      await retryOrThrow(err, failures, retrying);
    }
  }
}

/**
 * One watch's signal: the whole call's, and its own idle timer, which aborts the watch with
 * Unavailable (retryable) when `idleTimeoutMs` pass without `alive()` being called.
 */
function watchSignal(signal: AbortSignal, idleTimeoutMs: number) {
  const controller = new AbortController();
  const forward = () => controller.abort(signal.reason);
  if (signal.aborted) forward();
  signal.addEventListener("abort", forward, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const silent = new ConnectError(`no reply from the server for ${idleTimeoutMs} ms`, Code.Unavailable);
  const alive = () => {
    clearTimeout(timer);
    if (idleTimeoutMs > 0) timer = setTimeout(() => controller.abort(silent), idleTimeoutMs);
  };
  alive();
  const dispose = () => {
    clearTimeout(timer);
    signal.removeEventListener("abort", forward);
  };
  return { signal: controller.signal, alive, dispose };
}

/**
 * Feeds `reporter` every event of run `runId` after its `lastSeq`, watching again from the last
 * seq handled after each transport failure, until the run's last event — except a takeover's
 * ending (takeover.ts), which is returned instead of handled. Retries count from 0
 * again whenever a watch receives anything (an event or a keepalive). Throws what a callback
 * threw, RunFailedError, the caller's abort or deadline, or the transport error that used up
 * the retries.
 */
export async function followRun(
  watch: (afterSeq: bigint, signal: AbortSignal) => AsyncIterable<WatchRunResponse>,
  runId: string,
  reporter: RunReporter,
  retrying: Retrying,
): Promise<TakeoverEnding | undefined> {
  // A takeover's ending is held back (takeover.ts), to be reported only if no run resumes it.
  const held: NodeEvent[] = [];
  const handle = (event: NodeEvent): TakeoverEnding | undefined => {
    const last = held.at(-1)?.seq ?? reporter.lastSeq;
    if (held.length > 0 && event.seq <= last) return undefined; // seen before the watch broke
    if (restarted(event)) {
      held.push(event);
    } else if (event.kind.case === "runCompleted" && held.length > 0) {
      return [...held, event];
    } else {
      for (const earlier of held.splice(0)) reporter.handle(earlier);
      reporter.handle(event);
    }
    return undefined;
  };
  for (let failures = 1; ; failures++) {
    let failure: unknown;
    const idle = watchSignal(retrying.signal, retrying.policy.idleTimeoutMs);
    const responses = watch(held.at(-1)?.seq ?? reporter.lastSeq, idle.signal)[Symbol.asyncIterator]();
    try {
      for (;;) {
        let next: IteratorResult<WatchRunResponse>;
        try {
          next = await responses.next();
        } catch (err) {
          failure = err; // the stream's own failure; a callback's error (below) is not caught here
          break;
        }
        if (next.done) break;
        idle.alive();
        failures = 1; // a sign of life: the outage, if any, is over
        for (const event of next.value.events) {
          const ending = handle(event);
          if (ending) return ending;
        }
      }
    } finally {
      idle.dispose();
      await responses.return?.(); // cancels the call when a callback threw
    }
    if (reporter.completed) return undefined; // however the stream ended after the last event
    await retryOrThrow(failure ?? new StreamEndedEarly(runId), failures, retrying);
  }
}
