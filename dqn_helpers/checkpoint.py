"""Saving and resuming a whole training run, and saving/loading just a trained policy.

A *run checkpoint* (``run.pt``) holds everything the run's future depends on, as tensors and
plain values: network and optimiser ``state_dict``s, the filled part of the replay memory, the
environment mid-episode (``envstate.py``), every random generator, counters and history. It
loads with ``torch.load(weights_only=True)``, which refuses pickled objects, so a ``run.pt``
from someone else cannot run code on your machine. A *policy file* holds only the network's
weights and the config that rebuilds it.
"""

from __future__ import annotations

import errno
import os
import pickle
import shutil
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import torch

from dqn_helpers.allocator import keep_freed_memory
from dqn_helpers.errors import DQNHelpersError
from dqn_helpers.i18n import N_, _
from dqn_helpers.model import PixelDQN, to_device
from dqn_helpers.recipe import RecipeConfig, build_network
from dqn_helpers.settings import check_settings
from dqn_helpers.validation import InvalidRunState, validate, validate_memory, validate_optimizer

RUN_FORMAT = "dqn_helpers run v2"  # v1 pickled the trainer; it cannot be read safely
POLICY_NETWORK = PixelDQN.__name__
RUN_CHECKPOINT, POLICY_FILE = N_("run checkpoint"), N_("policy file")  # what safe_load expects, translated there

SHIPPED_POLICY = Path(__file__).parent / "data" / "cartpole_v1_solved.pt"
"""A network trained by ``benchmarks/goal.py`` (CartPole-v1), shipped so lesson 07 can show a solved agent."""


class CheckpointError(DQNHelpersError):
    """A run or policy file is missing, corrupt, unsafe, or not the kind expected."""


def atomic_save(obj: Any, path: Path, keep_previous: bool = False) -> Path:
    """Write to a temporary file, then rename: an interrupted or failed save never damages the old file.

    With ``keep_previous`` the old file stays as ``<name>.prev`` (a hard link: ``path`` exists
    at every moment). A full disk is reported with the space needed; the temporary file goes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        torch.save(obj, tmp)
    except (OSError, RuntimeError) as error:
        tmp.unlink(missing_ok=True)
        raise save_error(obj, path, error) from None
    if keep_previous and path.exists():
        previous = path.with_name(path.name + ".prev")
        previous.unlink(missing_ok=True)
        try:
            os.link(path, previous)
        except OSError:  # a file system without hard links
            shutil.copy2(path, previous)
    os.replace(tmp, path)
    return path


def save_error(obj: Any, path: Path, error: BaseException) -> CheckpointError:
    """What went wrong writing ``path``: no space left (with how much is needed), or the OS's reason."""
    needed = tensor_bytes(obj)
    free = shutil.disk_usage(path.parent).free
    if getattr(error, "errno", None) == errno.ENOSPC or free < needed or "iostream error" in str(error):
        return CheckpointError(_("no space left on {folder}: {needed:,.0f} MB needed, {free:,.0f} MB free. Nothing was "
                                 "overwritten ({file} is as before); free some space and run the same command "
                                 "again").format(folder=path.parent, needed=needed / 1e6, free=free / 1e6,
                                                 file=path.name))
    return CheckpointError(_("could not write {path}: {error}. Nothing was overwritten").format(path=path, error=error))


def tensor_bytes(obj: Any) -> int:
    """Bytes of the tensors in a nested structure: roughly what ``torch.save`` writes."""
    if isinstance(obj, torch.Tensor):
        return obj.untyped_storage().nbytes()
    if isinstance(obj, dict):
        return sum(tensor_bytes(v) for v in obj.values())
    if isinstance(obj, list | tuple):
        return sum(tensor_bytes(v) for v in obj)
    return 0


def safe_load(path: str | Path, expected: str) -> dict[str, Any]:
    """``torch.load(weights_only=True)`` with errors that say what the file is not.

    ``expected`` names the kind of file (``RUN_CHECKPOINT``, ``POLICY_FILE``), translated in the messages.
    """
    path = Path(path)
    kind = _(expected)
    if not path.exists():
        raise CheckpointError(_("no {expected} at {path}").format(expected=kind, path=path))
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        if "Unsupported global" in str(error):
            global_name = str(error).split("Unsupported global: GLOBAL ")[-1].split(" ")[0]
            raise CheckpointError(
                _("{path} is not a {expected} this version can read safely: it holds a Python object ({name}) that "
                  "loading would have to run code for (an old-format file, or a crafted one). Nothing was loaded or "
                  "run.").format(path=path, expected=kind, name=global_name)
            ) from None
        raise CheckpointError(_("{path} is not a readable {expected}: it is corrupt (not a torch file)").format(
            path=path, expected=kind)) from None
    except (RuntimeError, EOFError, OSError, ValueError) as error:
        raise CheckpointError(_("{path} is not a readable {expected}: it is cut short or corrupt ({error})").format(
            path=path, expected=kind, error=error)) from None
    if not isinstance(payload, dict):
        raise CheckpointError(_("{path} holds a {kind}, not a {expected}").format(
            path=path, kind=type(payload).__name__, expected=kind))
    return payload


def save_run(trainer: Any, path: str | Path) -> Path:
    """Save a resumable run: ``trainer.state_dict()``, tensors and plain values only.

    The checkpoint it replaces is kept as ``run.pt.prev``, in case this one is ever damaged.
    """
    return atomic_save({"format": RUN_FORMAT, "trainer": trainer.state_dict()}, Path(path), keep_previous=True)


def load_run(path: str | Path, trainer: Any) -> list[str]:
    """Continue the run saved at ``path`` in ``trainer`` (built from the same config).

    Returns the settings changed since the save (the budget, the device...). A corrupt file is
    reported with what to do: resume from the previous checkpoint, kept as ``run.pt.prev``, or start over.
    """
    try:
        payload = safe_load(path, RUN_CHECKPOINT)
    except CheckpointError as error:
        raise CheckpointError(f"{error}.{recovery_hint(Path(path))}") from None
    if payload.get("format") != RUN_FORMAT:
        raise CheckpointError(_("{path} is not a run saved by this version of dqn_helpers.").format(path=path)
                              + recovery_hint(Path(path)))
    saved = payload.get("trainer")
    try:
        validate_run(trainer, saved)
    except InvalidRunState as error:
        raise CheckpointError(_("{path} cannot be resumed: {error}. The file is damaged or was not written by this "
                                "run.").format(path=path, error=error) + recovery_hint(Path(path))) from None
    try:
        return trainer.load_state_dict(saved)
    except DQNHelpersError:
        raise
    except (KeyError, IndexError, TypeError, ValueError, RuntimeError, AttributeError) as error:
        raise CheckpointError(_("{path} cannot be resumed: {kind}: {error}. The file is damaged or was not written "
                                "by this run.").format(path=path, kind=type(error).__name__, error=str(error)[:200])
                              + recovery_hint(Path(path))) from None


def validate_run(trainer: Any, saved: Any) -> None:
    """Compare a saved run with this run's own state, field by field (``validation.py``)."""
    if isinstance(saved, dict) and isinstance(saved.get("config"), dict):
        trainer.config_changes(saved["config"])  # other settings are named as such, before any field
    template = trainer.state_dict()
    validate(template, saved)
    agent, online_state = saved["agent"], saved["agent"].get("online")
    best = saved["best"].get("state")
    if best is not None:
        validate(template["agent"]["online"], best, "best.state")
    if online_state is not None and hasattr(trainer.agent, "online"):
        parameters = list(trainer.agent.online.parameters())
        if isinstance(agent.get("optimizer"), dict):
            validate_optimizer(agent["optimizer"], parameters)
    memory = getattr(trainer.agent, "memory", None)
    if isinstance(agent.get("memory"), dict) and hasattr(memory, "capacity"):
        validate_memory(agent["memory"], memory.capacity, int(trainer.n_actions))


def recovery_hint(path: Path) -> str:
    """How to go on: from the previous checkpoint if it is readable itself, else by starting over.

    Whole sentences, each after a space, to follow a message that ends a sentence.
    """
    previous = path.with_name(path.name + ".prev")
    hints = []
    if previous.exists():
        try:
            readable = safe_load(previous, RUN_CHECKPOINT).get("format") == RUN_FORMAT
        except CheckpointError:
            readable = False
        hints.append(_("The previous checkpoint is kept: to resume from it, `mv {previous} {path}` and run the same "
                       "command again.").format(previous=previous, path=path) if readable else
                     _("The previous checkpoint, {previous}, is damaged too.").format(previous=previous))
    hints.append(_("To start over, add --no-resume (or call train_run(..., resume=False))."))
    return "".join(f" {hint}" for hint in hints)


def save_policy(trainer: Any, path: str | Path) -> Path:
    """Save the best evaluated network (or the current one) with what rebuilds it."""
    online = trainer.agent.online
    weights = trainer.best_state if trainer.best_state is not None else online.state_dict()
    payload = {
        "config": asdict(trainer.config),
        "state_dict": {k: v.detach().cpu() for k, v in weights.items()},
        "best_eval": float(trainer.best_eval),
        "best_step": int(trainer.best_step),
        "n_actions": int(trainer.n_actions),
        "network": type(online).__name__,
    }
    return atomic_save(payload, Path(path))


def load_policy(path: str | Path, device: str | torch.device = "cpu") -> tuple[PixelDQN, RecipeConfig]:
    """The network of a policy file, in eval mode, and its ``RecipeConfig``.

    The network is sized from the observations of the environment its config makes, by the
    same builder training uses.
    """
    keep_freed_memory()
    payload = safe_load(path, POLICY_FILE)
    if payload.get("format") == RUN_FORMAT:
        raise CheckpointError(_("{path} is a run checkpoint (run.pt, to resume training), not a policy file: the "
                                "policy is policy.pt, written in the same folder when the run finishes").format(
            path=path))
    if payload.get("network") != POLICY_NETWORK:
        raise CheckpointError(_("{path} holds a {network}, not the recipe's {expected}").format(
            path=path, network=payload.get("network"), expected=POLICY_NETWORK))
    for key, kind in (("config", dict), ("state_dict", dict)):
        if key not in payload:
            raise CheckpointError(_("{path} is not a usable policy file: its `{key}` is missing").format(
                path=path, key=key))
        if not isinstance(payload[key], kind):
            raise CheckpointError(_("{path} is not a usable policy file: its `{key}` is {kind}").format(
                path=path, key=key, kind=type(payload[key]).__name__))
    known = {f.name for f in fields(RecipeConfig)}
    try:  # every setting checked (type, range, memory) before anything is built from it
        settings = check_settings(RecipeConfig, {k: v for k, v in payload["config"].items() if k in known})
        config = RecipeConfig(**settings)
    except (DQNHelpersError, TypeError) as error:
        raise CheckpointError(_("{path} is not a usable policy file: its config does not fit this version "
                                "({problem})").format(path=path, problem=str(error).splitlines()[0])) from None
    env = config.make_env()
    network = build_network(config, env.observation_space.shape, int(env.action_space.n))
    env.close()
    weights = payload["state_dict"]
    try:
        validate(network.state_dict(), weights, "state_dict")
        network.load_state_dict(weights)
    except (InvalidRunState, RuntimeError) as error:
        raise CheckpointError(_("{path} is not a usable policy file: {problem}").format(
            path=path, problem=str(error).splitlines()[0][:300])) from None
    return to_device(network, device).eval(), config
