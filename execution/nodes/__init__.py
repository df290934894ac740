"""Node families. Each module exports EXECUTORS, an explicit list of ExecutorSpec."""
