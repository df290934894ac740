/**
 * The rich error details flowexec sends. An invalid graph fails with INVALID_ARGUMENT and a
 * google.rpc.BadRequest naming each culprit (`field` like "edges[0].target" or "nodes[2].type").
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "./gen/google/rpc/error_details_pb.js";

export interface FieldViolation {
  /** Path of the offending request field, e.g. "edges[0].target". */
  field: string;
  /** Why it is invalid. */
  description: string;
}

/** The field violations of an INVALID_ARGUMENT error; [] for any other error or value. */
export function invalidGraphViolations(err: unknown): FieldViolation[] {
  if (!(err instanceof ConnectError) || err.code !== Code.InvalidArgument) return [];
  return err
    .findDetails(BadRequestSchema)
    .flatMap((badRequest) => badRequest.fieldViolations)
    .map(({ field, description }) => ({ field, description }));
}

/** The run failed as a whole (an engine fault, not a node failure): the stream's RunFailed event. */
export class RunFailedError extends Error {
  constructor(
    message: string,
    readonly runId: string,
  ) {
    super(message);
    this.name = "RunFailedError";
  }
}
