"""Graph analysis: the request model, validation, edge classes, traversal, ordering, planning."""
