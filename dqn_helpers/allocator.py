"""Keep freed memory for the next batch instead of giving it back to the OS (Linux, glibc).

Every forward and backward pass allocates activations of a few megabytes and frees them. By
default glibc serves blocks that large with ``mmap`` and returns them on ``free``, so the next
pass of the same size faults the same pages in again. On this project's 2-core machine that
made a greedy forward pass over 100 observations cost 102 ms instead of 7 ms on 2026-11-25, and
a training update about a fifth slower; on 2026-12-04, when page faults cost less there, 13-18 ms
instead of 8-11 (about 2,200 page faults a pass instead of none that day: ``tests/test_allocator.py``).
PyTorch's CPU tuning guide suggests swapping in jemalloc or tcmalloc for the same reason; telling
glibc to keep freed blocks (``mallopt``) needs nothing installed. The memory kept is what a pass needed anyway.
"""

from __future__ import annotations

import ctypes
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameter numbers (malloc.h)
MMAP_THRESHOLD = 32 * 2**20  # blocks above this (the replay buffer) still get their own mapping
TRIM_THRESHOLD = 2**30  # give the heap's free top back only beyond this

_applied: bool | None = None


def keep_freed_memory() -> bool:
    """Apply the setting once per process; True where it took effect (glibc on Linux)."""
    global _applied
    if _applied is None:
        mallopt = getattr(ctypes.CDLL(None), "mallopt", None) if sys.platform.startswith("linux") else None
        _applied = bool(mallopt and mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) and
                        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return _applied
