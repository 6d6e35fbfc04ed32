"""An environment's state mid-episode as plain tensors and numbers, so a run can be saved safely.

A resumed run must continue the episode it stopped in: CartPole's physics state and its random
generator, the time limit's step counter, the frames stacked so far. Saving the environment
object itself would need a pickle (which can run code when loaded); this saves the values only.
Gymnasium's wrappers are read by the attributes below; the course's own wrappers say what they
hold through ``state_dict``/``load_state_dict`` methods.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from gymnasium.wrappers import FrameStackObservation, OrderEnforcing, TimeLimit

WRAPPER_FIELDS: dict[type, tuple[str, ...]] = {
    TimeLimit: ("_elapsed_steps",),
    OrderEnforcing: ("_has_reset",),
    FrameStackObservation: ("obs_queue",),
}


def encode(value: Any) -> Any:
    """NumPy arrays (and deques of them) as tensors; what ``torch.load(weights_only=True)`` reads."""
    if isinstance(value, np.ndarray):
        return {"ndarray": torch.from_numpy(np.ascontiguousarray(value))}
    if isinstance(value, deque):
        return {"deque": [encode(item) for item in value], "maxlen": value.maxlen}
    return value


def decode(value: Any) -> Any:
    """The inverse of ``encode``."""
    if isinstance(value, dict) and "ndarray" in value:
        return value["ndarray"].numpy().copy()
    if isinstance(value, dict) and "deque" in value:
        return deque((decode(item) for item in value["deque"]), maxlen=value["maxlen"])
    return value


def _layers(env: gym.Env) -> list[gym.Env]:
    layers = [env]
    while isinstance(layers[-1], gym.Wrapper):
        layers.append(layers[-1].env)
    return layers


def env_state(env: gym.Env) -> dict[str, Any]:
    """CartPole's state and every wrapper's, outermost first."""
    cartpole = env.unwrapped
    state = {
        "physics": encode(None if cartpole.state is None else np.asarray(cartpole.state, dtype=np.float64)),
        "steps_beyond_terminated": cartpole.steps_beyond_terminated,
        "np_random": cartpole.np_random.bit_generator.state,
        "wrappers": [],
    }
    for layer in _layers(env)[:-1]:
        if hasattr(layer, "state_dict"):
            state["wrappers"].append(layer.state_dict())
        else:
            fields = WRAPPER_FIELDS.get(type(layer), ())
            state["wrappers"].append({name: encode(getattr(layer, name)) for name in fields})
    return state


def load_env_state(env: gym.Env, state: dict[str, Any]) -> None:
    """Put ``env`` (made the same way as the saved one) into the saved state."""
    cartpole = env.unwrapped
    cartpole.state = decode(state["physics"])
    cartpole.steps_beyond_terminated = state["steps_beyond_terminated"]
    cartpole.np_random.bit_generator.state = state["np_random"]
    layers = _layers(env)[:-1]
    if len(layers) != len(state["wrappers"]):
        raise ValueError(f"the saved environment had {len(state['wrappers'])} wrappers, this one {len(layers)}")
    for layer, saved in zip(layers, state["wrappers"], strict=True):
        if hasattr(layer, "load_state_dict"):
            layer.load_state_dict(saved)
        else:
            for name, value in saved.items():
                setattr(layer, name, decode(value))
