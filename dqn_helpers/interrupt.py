"""Ctrl-C (or a notebook's stop button) as a request the training loop answers between steps."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def deferred_interrupt() -> Iterator[Callable[[], bool]]:
    """Turn SIGINT into a flag the loop polls, so an interrupt never lands mid-update or mid-save.

    A second Ctrl-C raises ``KeyboardInterrupt`` at once: the user really wants out.
    """
    requested = []
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(_signum, _frame) -> None:
        if requested:
            signal.signal(signal.SIGINT, previous)
            raise KeyboardInterrupt
        requested.append(True)

    signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: bool(requested)
    finally:
        signal.signal(signal.SIGINT, previous)
