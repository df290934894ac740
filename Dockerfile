# flowexec server image: one replica. Run as many as you like against one PostgreSQL (see the
# README, "Replicas and workers"); put Envoy (`flowexec gateway`) or any gRPC-Web ingress in front.
#
#   docker build -t flowexec .
#   docker run -e FLOWEXEC_DATABASE_URL=postgresql://flow:secret@db:5432/flowexec -p 50051:50051 flowexec
#
# Not built on the machine this was written on (no image daemon there): treat it as untested.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    FLOWEXEC_HOST=0.0.0.0 \
    FLOWEXEC_PORT=50051

WORKDIR /app
# The package only (tests, bench and the TypeScript client stay out).
COPY pyproject.toml README.md ./
COPY execution ./execution
COPY server ./server
COPY clients/python ./clients/python
RUN pip install . && useradd --system --uid 10001 flowexec
USER flowexec

EXPOSE 50051
# Health: grpc.health.v1 on the same port (Kubernetes: a `grpc` probe on 50051). SIGTERM drains:
# give the pod a termination grace above FLOWEXEC_SHUTDOWN_GRACE_SECONDS.
# --workers N: N processes on the port, one per core you give the container (PostgreSQL only).
ENTRYPOINT ["flowexec", "serve"]
CMD ["--workers", "1"]
