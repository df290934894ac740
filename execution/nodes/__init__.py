"""Node families. Each family module declares its node types whole (settings record, executor,
NodeSpec) and exports them in NODE_SPECS, an explicit list; execution.nodes.builtin registers them."""
