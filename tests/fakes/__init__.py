"""Fake vendor servers for tests: real HTTP servers on 127.0.0.1:0 speaking each vendor's wire
format, so the real SDKs (retries, streaming, error parsing) run unpatched against them."""
