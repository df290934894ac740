"""flowexec Python client: generated stubs (v1/), an async client and the CLI."""
