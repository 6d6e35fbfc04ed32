"""Weights & Biases tracking that never stops to ask for a login.

``mode="auto"`` logs online only when an API key is already configured (``WANDB_API_KEY`` or
a ``~/.netrc`` entry written by ``wandb login``), and offline otherwise: the run is written to
``<out>/wandb/`` and can be uploaded later with ``wandb sync <out>/wandb/offline-run-*``.
"""

from __future__ import annotations

import json
import netrc
import os
import socket
import struct
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

from dqn_helpers.errors import DQNHelpersError

MODES = ("auto", "online", "offline", "disabled")
WANDB_HOST = "api.wandb.ai"


def has_wandb_key() -> bool:
    """True when wandb can log in without asking: a key in the environment or in ~/.netrc."""
    if os.environ.get("WANDB_API_KEY"):
        return True
    try:
        return netrc.netrc().authenticators(WANDB_HOST) is not None
    except (FileNotFoundError, netrc.NetrcParseError, OSError):
        return False


def resolve_mode(mode: str) -> str:
    """``auto`` → online with a key, offline without; ``online`` without a key is an error, not a prompt."""
    if mode not in MODES:
        raise DQNHelpersError(f"wandb mode must be one of {MODES}, got {mode!r}")
    if mode == "auto":
        mode = "online" if has_wandb_key() else "offline"
    elif mode == "online" and not has_wandb_key():
        raise DQNHelpersError(
            "wandb mode 'online' needs an API key: run `wandb login` (or set WANDB_API_KEY) first, "
            "or use --wandb offline and `wandb sync` later."
        )
    if mode == "online":
        problem = unreachable_reason()
        if problem is not None:  # wandb itself would wait ~90 s, then raise
            print(f"W&B: cannot reach {wandb_server()} ({problem}); logging offline instead "
                  "(upload later with `wandb sync`).", file=sys.stderr)
            return "offline"
    return mode


def wandb_server() -> str:
    return os.environ.get("WANDB_BASE_URL", f"https://{WANDB_HOST}")


def unreachable_reason(timeout_s: float = 3.0) -> str | None:
    """None when W&B's server accepts a connection within ``timeout_s``, else why not."""
    url = urllib.parse.urlsplit(wandb_server())
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname or WANDB_HOST, port), timeout=timeout_s):
            return None
    except OSError as error:
        return str(error.strerror or error) or type(error).__name__


RUN_ID_FILE = "wandb-run-id"  # in the output folder: a resumed run continues the same W&B run


def start_tracking(mode: str, config: dict[str, Any], out_dir: Path, name: str, project: str = "dqn-from-pixels",
                   resuming: bool = False):
    """A wandb run (or None when disabled), writing under ``out_dir``; never prompts.

    When ``resuming``, the W&B run the folder's earlier session started is continued (its id is
    kept in ``<out>/wandb-run-id``), so the curve is one run, not two halves.
    """
    mode = resolve_mode(mode)
    if mode == "disabled":
        return None
    import wandb

    out_dir.mkdir(parents=True, exist_ok=True)
    id_file = out_dir / RUN_ID_FILE
    run_id = id_file.read_text().strip() if resuming and id_file.exists() else None
    run = wandb.init(project=project, name=name, config=config, dir=str(out_dir), mode=mode, id=run_id,
                     resume="allow" if run_id else None,
                     # quiet through settings, not WANDB_SILENT: a changed environment makes wandb warn
                     # "Changes to your `wandb` environment variables will be ignored" at every later run
                     settings=wandb.Settings(console="off", silent=True),
                     reinit="finish_previous")
    id_file.write_text(run.id + "\n")
    return run


def log_video(run, path: Path, key: str = "agent") -> None:
    """Attach an MP4 to the run (wandb's monitor_gym does not work with gymnasium 1.x)."""
    if run is not None:
        import wandb

        run.log({key: wandb.Video(str(path), format="mp4")})


def read_offline_history(run_dir: str | Path, wait_s: float = 30.0) -> list[dict[str, Any]]:
    """The rows ``wandb.log`` wrote into an offline run, read back without an account.

    An offline run keeps its records in ``run-<id>.wandb``: a log of 32 KiB blocks, each record
    a 7-byte header (checksum, length, kind: whole, first, middle or last piece) and a piece of
    a protobuf ``Record``. This reads the ``history`` records (what ``wandb sync`` would upload),
    so a lesson or a test can show what was logged. wandb's background process may still be
    writing the file after ``run.finish()`` returns, or not have created it yet (both seen on a
    loaded machine), so in a run directory wandb made (``offline-run-*``) this waits up to
    ``wait_s`` seconds for the file and for the run's closing ``exit`` record.
    """
    deadline = time.monotonic() + wait_s
    made_by_wandb = Path(run_dir).name.startswith("offline-run-")
    while not (files := sorted(Path(run_dir).glob("run-*.wandb"))):
        if not made_by_wandb or time.monotonic() > deadline:
            raise DQNHelpersError(f"no run-*.wandb file in {run_dir}: is it an offline wandb run directory?")
        time.sleep(0.2)
    while True:
        rows, complete = _history_records(files[0].read_bytes())
        if complete or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def _history_records(data: bytes) -> tuple[list[dict[str, Any]], bool]:
    """The history rows in a ``.wandb`` file's bytes, and whether its ``exit`` record is there yet."""
    from wandb.proto import wandb_internal_pb2

    block, position, pieces, rows, complete = 32768, 7, b"", [], False
    while position + 7 <= len(data):
        if block - position % block < 7:  # a block's tail too short for a header is padding
            position += block - position % block
            continue
        _, length, kind = struct.unpack("<IHB", data[position:position + 7])
        if kind == 0 or position + 7 + length > len(data):  # the end, or a record still being written
            break
        piece, position = data[position + 7:position + 7 + length], position + 7 + length
        pieces = piece if kind in (1, 2) else pieces + piece
        if kind in (1, 4):
            record = wandb_internal_pb2.Record()
            record.ParseFromString(pieces)
            kind_of_record = record.WhichOneof("record_type")
            complete = complete or kind_of_record == "exit"
            if kind_of_record == "history":
                rows.append({item.key or "/".join(item.nested_key): json.loads(item.value_json)
                             for item in record.history.item})
    return rows, complete
