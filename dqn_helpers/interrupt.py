"""Ctrl-C (or a notebook's stop button, or SIGTERM) as a request the loop answers between steps."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from dqn_helpers.i18n import _

SIGNALS = (signal.SIGINT, signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else []))
"""Ctrl-C; what Colab, Docker, Slurm and ``kill`` send; and what closing the terminal sends."""


@contextmanager
def deferred_interrupt(shield: bool = False) -> Iterator[Callable[[], bool]]:
    """Turn SIGINT and SIGTERM into a flag the loop polls: an interrupt never lands mid-update or mid-save.

    SIGTERM (and SIGHUP, a closed terminal) is treated as a Ctrl-C. A second
    signal raises ``KeyboardInterrupt`` at once: the user really wants out. With ``shield`` (around
    a save, which takes seconds) no signal interrupts: the save is written, then the run stops.
    """
    requested = []
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    previous = {sig: signal.getsignal(sig) for sig in SIGNALS}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    timers: list[threading.Timer] = []

    def handler(_signum, _frame) -> None:
        if requested and shield:  # a save in progress: stopping it now would lose the steps it holds
            if len(requested) == 1:
                print("\n" + _("Saving the run first; it stops as soon as the save is written."), file=sys.stderr)
            requested.append(True)
            return
        if requested:
            restore()
            raise KeyboardInterrupt
        requested.append(True)
        if not shield:  # a long step or evaluation: say at once that the signal was heard
            timer = threading.Timer(ACKNOWLEDGE_AFTER_S, acknowledge)
            timer.daemon = True
            timer.start()
            timers.append(timer)

    for sig in SIGNALS:
        signal.signal(sig, handler)
    try:
        yield lambda: bool(requested)
    finally:
        for timer in timers:
            timer.cancel()
        restore()


ACKNOWLEDGE_AFTER_S = 1.0
"""A stop that takes longer than this (a long step or evaluation) is acknowledged on the console."""


def acknowledge() -> None:
    try:
        print("\n" + _("Stop requested: the run finishes the step it is in, saves, then exits. Press Ctrl-C again "
                       "to stop at once (the run then resumes from its last save)."), file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass  # no console left to tell
