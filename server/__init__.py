"""flowexec's gRPC server: a thin grpc.aio layer over the engine in `execution/`."""
