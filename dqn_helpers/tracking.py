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
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from dqn_helpers.errors import DQNHelpersError
from dqn_helpers.i18n import _

MODES = ("auto", "online", "offline", "disabled")
WANDB_HOST = "api.wandb.ai"


def has_wandb_key() -> bool:
    """True when wandb can log in without asking: a key in the environment, or the one ``wandb login``
    saved for the server wandb talks to (read by wandb's own code: its default server has changed)."""
    if os.environ.get("WANDB_API_KEY"):
        return True
    server = wandb_server()
    try:
        from wandb.sdk.lib.wbauth import read_netrc_auth
    except ImportError:  # another wandb version: read ~/.netrc ourselves
        read_netrc_auth = None
    if read_netrc_auth is not None:
        try:
            return read_netrc_auth(host=server) is not None
        except Exception:  # noqa: BLE001 - an unreadable file means no key, as for wandb
            return False
    try:
        hosts = {urllib.parse.urlsplit(server).netloc, WANDB_HOST}
        found = netrc.netrc(os.environ.get("NETRC") or None)
        return any(found.authenticators(host) is not None for host in hosts)
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
            print(_("W&B: cannot reach {server} ({problem}); logging offline instead (upload later with "
                    "`wandb sync`).").format(server=wandb_server(), problem=problem), file=sys.stderr)
            return "offline"
    return mode


def wandb_server() -> str:
    """The server wandb would talk to: ``WANDB_BASE_URL``, else the installed wandb's default."""
    if os.environ.get("WANDB_BASE_URL"):
        return os.environ["WANDB_BASE_URL"]
    try:
        import wandb

        return str(wandb.Settings().base_url)
    except Exception:  # noqa: BLE001 - no wandb, or settings it cannot read: the classic server
        return f"https://{WANDB_HOST}"


def unreachable_reason(timeout_s: float = 5.0) -> str | None:
    """None when W&B's server answers an HTTP request within ``timeout_s`` (any status), else why not.

    A connection alone is not enough: a server (or a proxy) that accepts it and never answers
    made wandb wait 110 s, then raise."""
    url = urllib.parse.urlsplit(wandb_server())
    request = urllib.request.Request(f"{url.scheme or 'https'}://{url.netloc}/", method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s):  # noqa: S310 - wandb's own server URL
            return None
    except urllib.error.HTTPError:
        return None  # it answered (401, 404...): it is there
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, socket.timeout | TimeoutError) or "timed out" in str(reason):
            return f"no answer within {timeout_s:.0f} s"
        return str(getattr(reason, "strerror", None) or reason) or type(error).__name__


INIT_TIMEOUT_S = 30.0
"""How long wandb may take to start a run with its server before the run is tracked offline."""

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
    def init(mode: str):
        return wandb.init(project=project, name=name, config=config, dir=str(out_dir), mode=mode, id=run_id,
                          resume="allow" if run_id else None,
                          # quiet through settings, not WANDB_SILENT: a changed environment makes wandb warn
                          # "Changes to your `wandb` environment variables will be ignored" at every later run
                          settings=wandb.Settings(console="off", silent=True, init_timeout=INIT_TIMEOUT_S),
                          reinit="finish_previous")

    try:
        run = init(mode)
    except Exception as error:  # noqa: BLE001 - the server failed us: track offline rather than fail the run
        if mode != "online":
            raise DQNHelpersError(f"W&B could not start ({type(error).__name__}: {str(error)[:200]}); "
                                  "use --wandb disabled to train without it") from None
        reason = str(error).splitlines()[0][:150] if str(error) else _("no reason given")
        print(_("W&B: {server} did not let the run start ({kind}: {reason}); logging offline instead (upload later "
                "with `wandb sync`).").format(server=wandb_server(), kind=type(error).__name__, reason=reason),
              file=sys.stderr)
        run = init("offline")
    id_file.write_text(run.id + "\n")
    return run


def log_video(run, path: Path, key: str = "agent") -> None:
    """Attach an MP4 to the run (wandb's monitor_gym does not work with gymnasium 1.x)."""
    if run is not None:
        import wandb

        run.log({key: wandb.Video(str(path), format="mp4")})


def read_offline_history(run_dir: str | Path, wait_s: float = 120.0) -> list[dict[str, Any]]:
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
