"""Storage of runs (see execution.store.base for the seam)."""
