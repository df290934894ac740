"""The server's cache of node outputs, keyed by input lineage (see execution.cache.node_cache)."""
