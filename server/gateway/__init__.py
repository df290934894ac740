"""The gRPC-Web gateway: Envoy in front of flowexec, for browsers and the editor's Next.js backend."""
