"""Generated from proto/flowexec/v1 by scripts/gen_protos.py. Do not edit."""
