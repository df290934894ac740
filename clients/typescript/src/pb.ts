/** The generated flowexec.v1 code, re-exported as the `pb` namespace of the package. */
export * from "./gen/flowexec/v1/catalog_pb.js";
export * from "./gen/flowexec/v1/events_pb.js";
export * from "./gen/flowexec/v1/flow_service_pb.js";
export * from "./gen/flowexec/v1/graph_pb.js";
export * from "./gen/flowexec/v1/runs_pb.js";
