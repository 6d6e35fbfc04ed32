"""Saving and resuming a whole training run, and saving/loading just a trained policy.

A *run checkpoint* holds everything the run depends on (networks, optimiser, replay buffer,
the environment mid-episode, every random generator), so a resumed run continues exactly
where it stopped: same actions, same samples, same weights. It is a pickle: load only
checkpoints you made yourself. A *policy file* holds only the network weights and the
config needed to rebuild the network; it is small and loads with ``weights_only=True``.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch

from dqn_helpers.errors import DQNHelpersError
from dqn_helpers.model import PixelDQN
from dqn_helpers.policy import greedy_action

CHECKPOINT_VERSION = 1


def _atomic_save(obj: Any, path: Path) -> Path:
    """Write to a temporary file, then rename: an interrupted save never corrupts the old file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)
    return path


def _drop_render_surfaces(env: Any) -> None:
    """pygame surfaces cannot be pickled; CartPole recreates them at its next ``render()``."""
    cartpole = env.unwrapped
    for name in ("screen", "clock", "surf"):
        if getattr(cartpole, name, None) is not None:
            setattr(cartpole, name, None)


def save_run(trainer: Any, path: str | Path) -> Path:
    """Save a resumable run (a ``Trainer`` or ``SlidesTrainer``) plus the global RNG states."""
    for env in (trainer.env, trainer.eval_env):
        _drop_render_surfaces(env)
    state = {
        "version": CHECKPOINT_VERSION,
        "trainer": trainer,
        "python_random": random.getstate(),
        "numpy_random": np.random.get_state(),
        "torch_random": torch.get_rng_state(),
    }
    return _atomic_save(state, Path(path))


def load_run(path: str | Path, device: str | None = None) -> Any:
    """Load a run saved by ``save_run`` and restore the global RNGs it was using."""
    path = Path(path)
    if not path.exists():
        raise DQNHelpersError(f"no run checkpoint at {path}")
    state = torch.load(path, map_location="cpu", weights_only=False)
    if state.get("version") != CHECKPOINT_VERSION:
        raise DQNHelpersError(f"{path} was written by another version of dqn_helpers; start a new run")
    random.setstate(state["python_random"])
    np.random.set_state(state["numpy_random"])
    torch.set_rng_state(state["torch_random"])
    trainer = state["trainer"]
    if device is not None:
        trainer.move_to(device)
    return trainer


def save_policy(trainer: Any, path: str | Path) -> Path:
    """Save the best evaluated network (or the current one) with what rebuilds it."""
    weights = trainer.best_state if trainer.best_state is not None else trainer.online.state_dict()
    payload = {
        "config": asdict(trainer.config),
        "state_dict": {k: v.detach().cpu() for k, v in weights.items()},
        "best_eval": float(trainer.best_eval),
        "best_step": int(trainer.best_step),
        "n_actions": int(trainer.n_actions),
        "network": type(trainer.online).__name__,
    }
    return _atomic_save(payload, Path(path))


def load_policy(path: str | Path, device: str | torch.device = "cpu") -> tuple[PixelDQN, Any]:
    """The network of a policy file, in eval mode, and its ``TrainConfig``."""
    from dqn_helpers.train import TrainConfig  # train imports this module's neighbours

    path = Path(path)
    if not path.exists():
        raise DQNHelpersError(f"no policy file at {path}")
    payload = torch.load(path, map_location="cpu", weights_only=True)
    if payload.get("network") != PixelDQN.__name__:
        raise DQNHelpersError(f"{path} holds a {payload.get('network')}, not the recipe's PixelDQN")
    known = {f.name for f in fields(TrainConfig)}
    config = TrainConfig(**{k: v for k, v in payload["config"].items() if k in known})
    network = PixelDQN(config.frame_stack, *config.frame_size, payload["n_actions"], config.hidden,
                       tuple(config.channels))
    network.load_state_dict(payload["state_dict"])
    return network.to(device).eval(), config


SHIPPED_POLICY = Path(__file__).parent / "data" / "cartpole_v1_solved.pt"
"""A network trained by ``benchmarks/goal.py`` (CartPole-v1), shipped so lesson 06 can show a solved agent."""


def greedy_policy(network: torch.nn.Module) -> Callable[[np.ndarray], int]:
    """A policy for ``make_pixel_env`` observations: the action with the highest Q-value."""
    device = next(network.parameters()).device

    def policy(observation: np.ndarray) -> int:
        return greedy_action(network, torch.from_numpy(np.asarray(observation)).unsqueeze(0).to(device))

    return policy
