"""Saving and resuming a whole training run, and saving/loading just a trained policy.

A *run checkpoint* (``run.pt``) holds everything the run's future depends on, as tensors and
plain values: network and optimiser ``state_dict``s, the filled part of the replay memory, the
environment mid-episode (``envstate.py``), every random generator, counters and history. It
loads with ``torch.load(weights_only=True)``, which refuses pickled objects, so a ``run.pt``
from someone else cannot run code on your machine. A *policy file* holds only the network's
weights and the config that rebuilds it.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import torch

from dqn_helpers.errors import DQNHelpersError
from dqn_helpers.model import PixelDQN
from dqn_helpers.recipe import RecipeConfig, build_network

RUN_FORMAT = "dqn_helpers run v2"  # v1 pickled the trainer; it cannot be read safely
POLICY_NETWORK = PixelDQN.__name__

SHIPPED_POLICY = Path(__file__).parent / "data" / "cartpole_v1_solved.pt"
"""A network trained by ``benchmarks/goal.py`` (CartPole-v1), shipped so lesson 06 can show a solved agent."""


class CheckpointError(DQNHelpersError):
    """A run or policy file is missing, corrupt, unsafe, or not the kind expected."""


def atomic_save(obj: Any, path: Path) -> Path:
    """Write to a temporary file, then rename: an interrupted save never corrupts the old file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)
    return path


def safe_load(path: str | Path, expected: str) -> dict[str, Any]:
    """``torch.load(weights_only=True)`` with errors that say what the file is not."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"no {expected} at {path}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        if "Unsupported global" in str(error):
            global_name = str(error).split("Unsupported global: GLOBAL ")[-1].split(" ")[0]
            raise CheckpointError(
                f"{path} is not a {expected} this version can read safely: it holds a Python object "
                f"({global_name}) that loading would have to run code for (an old-format file, or a crafted "
                "one). Nothing was loaded or run."
            ) from None
        raise CheckpointError(f"{path} is not a readable {expected}: it is corrupt (not a torch file)") from None
    except (RuntimeError, EOFError, OSError, ValueError) as error:
        raise CheckpointError(f"{path} is not a readable {expected}: it is cut short or corrupt ({error})") from None
    if not isinstance(payload, dict):
        raise CheckpointError(f"{path} holds a {type(payload).__name__}, not a {expected}")
    return payload


def save_run(trainer: Any, path: str | Path) -> Path:
    """Save a resumable run: ``trainer.state_dict()``, tensors and plain values only."""
    return atomic_save({"format": RUN_FORMAT, "trainer": trainer.state_dict()}, Path(path))


def load_run(path: str | Path, trainer: Any) -> Any:
    """Continue the run saved at ``path`` in ``trainer`` (built from the same config); returns it."""
    payload = safe_load(path, "run checkpoint")
    if payload.get("format") != RUN_FORMAT:
        raise CheckpointError(f"{path} is not a run saved by this version of dqn_helpers; start a new run")
    trainer.load_state_dict(payload["trainer"])
    return trainer


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
    payload = safe_load(path, "policy file")
    if payload.get("format") == RUN_FORMAT:
        raise CheckpointError(f"{path} is a run checkpoint (run.pt, to resume training), not a policy file: the "
                              "policy is policy.pt, written in the same folder when the run finishes")
    if payload.get("network") != POLICY_NETWORK:
        raise CheckpointError(f"{path} holds a {payload.get('network')}, not the recipe's {POLICY_NETWORK}")
    known = {f.name for f in fields(RecipeConfig)}
    config = RecipeConfig(**{k: v for k, v in payload["config"].items() if k in known})
    env = config.make_env()
    network = build_network(config, env.observation_space.shape, int(env.action_space.n))
    env.close()
    network.load_state_dict(payload["state_dict"])
    return network.to(device).eval(), config
