"""How the server process treats memory: the garbage collector's settings and glibc's malloc.

Both are process-wide, set once at start-up by `flowexec serve` (server.main), never by the
library: an application embedding the engine keeps its own.

- The collector. Everything imported at start-up (grpc, protobuf, the provider SDKs) lives as
  long as the process: frozen, it leaves the collector's reach, or every full collection under
  load walks it again (measured: a 5000-node flow's first event 136 → 47 ms). And the live path
  allocates a few objects per event, nearly all freed by reference counting within the batch: at
  the default threshold (700) a stream of 60k events/s ran ~450 collections a second and spent
  ~13% of its time in them (full ones of ~20 ms included); at 20,000, ~35 a second and ~4% of
  its time (a young collection ~1 ms: no pause the token path would notice).
- malloc. glibc raises its mmap threshold to the size of each large block freed (up to 32 MiB),
  so after a run with a multi-MiB event (a long text, an image) such blocks come from the heap,
  which only shrinks from its top: one small object allocated after them (a stalled watcher's
  batch) keeps tens of MiB resident. A fixed threshold keeps blocks of 1 MiB and more in their
  own mappings, returned to the system when freed.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import platform

log = logging.getLogger("flowexec.server")

# Young-generation threshold (objects allocated minus freed between collections); the older
# generations keep their defaults (collected every 10 younger collections).
GC_YOUNG_THRESHOLD = 20_000
# Blocks this large and larger are mmapped (glibc M_MMAP_THRESHOLD, fixed).
MMAP_THRESHOLD_BYTES = 1024 * 1024
_M_MMAP_THRESHOLD = -3  # glibc's malloc.h


def tune_collector() -> None:
    """Freeze what is loaded so far and raise the young generation's threshold."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def return_large_blocks() -> bool:
    """Fix glibc's mmap threshold (see the module docstring); False where malloc is not glibc's."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    if mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) != 1:
        log.warning("could not set malloc's mmap threshold; large freed blocks may stay resident")
        return False
    return True
