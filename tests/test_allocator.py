"""glibc keeps freed blocks for the next batch: measured, not assumed."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import time, torch
from dqn_helpers.allocator import keep_freed_memory
from dqn_helpers.model import PixelDQN
if {keep}:
    assert keep_freed_memory()
torch.set_num_threads(1)
network, x = PixelDQN(4, 30, 90, 2), torch.randint(0, 255, (100, 4, 30, 90), dtype=torch.uint8)
with torch.no_grad():
    for _ in range(3): network(x)
    start = time.perf_counter()
    for _ in range(30): network(x)
print((time.perf_counter() - start) / 30)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_keeping_freed_blocks_makes_a_repeated_large_allocation_cheaper():
    """A greedy pass over 100 observations allocates and frees megabytes of activations each time."""
    def seconds(keep: bool) -> float:
        out = subprocess.run([sys.executable, "-c", PROBE.format(keep=keep)], capture_output=True, text=True,
                             check=True)
        return float(out.stdout)

    kept, default = min(seconds(True) for _ in range(2)), min(seconds(False) for _ in range(2))
    assert kept < default / 1.5, f"kept {kept * 1e3:.3f} ms vs default {default * 1e3:.3f} ms per forward pass"
