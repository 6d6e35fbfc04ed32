"""One run per output folder: a second run into the same ``--out`` is refused, naming the first."""

from __future__ import annotations

import datetime
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dqn_helpers.errors import DQNHelpersError
from dqn_helpers.i18n import _

LOCK_FILE = ".lock"


class FolderInUse(DQNHelpersError):
    """Another run is writing to the same output folder."""


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` while a run writes there (released when the process ends).

    Two runs sharing one folder would also share ``run.pt.tmp``: in a save race most copies of
    ``run.pt`` came out corrupt. The operating system's ``flock`` dies with its process, so a
    killed run never leaves a stale lock. Where ``fcntl`` does not exist (Windows), nothing is locked.
    """
    try:
        import fcntl
    except ImportError:
        yield
        return
    try:
        handle = open(folder / LOCK_FILE, "a+")  # noqa: SIM115 - held until the run ends
    except OSError as error:  # a folder named .lock, a file we may not open...
        raise DQNHelpersError(_("cannot use the lock file {file}: {reason}. Remove it if no run is writing to this "
                                "folder, or use another --out").format(file=folder / LOCK_FILE,
                                                                       reason=error.strerror or error)) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or _("another process")
            raise FolderInUse(_("another run is writing to {folder}: {holder}. Wait for it to finish, or use another "
                                "--out").format(folder=folder, holder=holder)) from None
        started = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} on {socket.gethostname()}, started {started}\n")
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the lock
