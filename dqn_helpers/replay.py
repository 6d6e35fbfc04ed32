"""Replay memories: the slides' deque of transitions, and a compact frame buffer.

The slides' ``ReplayMemory`` keeps every transition as Python objects holding float32 screens
(state and next state); as their loop fills it, a transition's next state is the next
transition's state, so about one 3x40x90 screen, 43,200 bytes, is stored per transition. ``FrameReplay``
keeps each grayscale uint8 frame once, in preallocated arrays, and rebuilds the stacked states
of a sampled batch from frame indices: a few kilobytes per transition.
"""

from __future__ import annotations

import random
from collections import deque, namedtuple
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from dqn_helpers.errors import DQNHelpersError
from dqn_helpers.i18n import _

Transition = namedtuple("Transition", ("state", "action", "next_state", "reward"))
"""One step of experience, as in the slides. ``next_state`` is None when the episode terminated."""


class NotEnoughTransitions(DQNHelpersError):
    """Asked for a batch larger than what the memory holds."""


class ReplayMemory:
    """The slides' replay memory: a bounded queue of transitions, sampled uniformly."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(_("capacity must be at least 1, got {capacity}").format(capacity=capacity))
        self.memory: deque[Transition] = deque([], maxlen=capacity)

    def push(self, *args: Any) -> None:
        """Save a transition: ``push(state, action, next_state, reward)``."""
        self.memory.append(Transition(*args))

    def sample(self, batch_size: int) -> list[Transition]:
        """``batch_size`` distinct transitions, chosen uniformly at random."""
        if batch_size > len(self.memory):
            raise NotEnoughTransitions(
                _("cannot sample {batch_size} transitions: the memory holds only {held}. Wait until len(memory) >= "
                  "batch_size before sampling (the slides' optimize_model returns early in that case).").format(
                    batch_size=batch_size, held=len(self.memory))
            )
        return random.sample(self.memory, batch_size)

    def __len__(self) -> int:
        return len(self.memory)

    @property
    def bytes_per_transition(self) -> float:
        """Bytes of tensor storage per stored transition (see ``bytes_per_transition``)."""
        return bytes_per_transition(self.memory)


def bytes_per_transition(transitions: Iterable[tuple]) -> float:
    """Bytes of tensor storage per transition, on average, each storage counted once.

    In the slides' loop a transition's ``next_state`` is the very tensor the next transition
    holds as ``state``: summing ``nbytes`` field by field would count that screen twice
    (86,400 B for 3x40x90 float32 screens instead of about 43,200).
    """
    storages: dict[tuple[str, int], int] = {}
    count = 0
    for transition in transitions:
        count += 1
        for field in transition:
            if isinstance(field, torch.Tensor):
                storage = field.untyped_storage()
                storages[(str(field.device), storage.data_ptr())] = storage.nbytes()
            elif hasattr(field, "nbytes"):
                storages[("object", id(field))] = int(field.nbytes)
    return sum(storages.values()) / count if count else 0.0


@dataclass
class Batch:
    """A sampled batch, as arrays: what the TD update needs."""

    states: np.ndarray  # (B, stack, *frame shape), the frames' dtype: (B, stack, H, W) uint8 for the recipe
    actions: np.ndarray  # (B,) int64
    rewards: np.ndarray  # (B,) float32
    next_states: np.ndarray  # like states
    non_final: np.ndarray  # (B,) bool: False where the return is cut (termination; truncation only if not bootstrapped)
    discounts: np.ndarray  # (B,) float32: γ^k for the k steps summed in ``rewards``


class FrameReplay:
    """A ring of single frames; a transition is "frame t, action, reward, frame t+1".

    Usage per episode: ``start(first_frame)``, then ``add(action, reward, next_frame,
    no_bootstrap)`` after every step. A state is the last ``stack`` frames of its episode (the
    first frame repeated before the episode's start, like gymnasium's ``FrameStackObservation``
    with ``padding_type="reset"``). The final frame of an episode is kept, so a time-limit
    truncation can still bootstrap from it; only a true termination zeroes the future.
    """

    ARRAYS = ("frames", "actions", "rewards", "no_bootstrap", "has_next", "episode_start")

    def __init__(self, capacity: int, frame_shape: tuple[int, ...], stack: int, seed: int | None = None,
                 dtype: np.dtype | type = np.uint8) -> None:
        if capacity <= stack + 1:
            raise ValueError(_("capacity must exceed stack + 1 = {least}, got {capacity}").format(
                least=stack + 1, capacity=capacity))
        self.capacity, self.stack = capacity, stack
        # a frame is (H, W) grayscale uint8 for the recipe; lesson 08's ablation stores the slides'
        # (3, H, W) float screen difference as a stack of one
        self.frames = np.zeros((capacity, *frame_shape), dtype=dtype)
        self.actions = np.zeros(capacity, dtype=np.uint8)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.no_bootstrap = np.zeros(capacity, dtype=bool)  # the return is cut after this step
        self.has_next = np.zeros(capacity, dtype=bool)  # slot i is the start of a stored transition
        self.episode_start = np.zeros(capacity, dtype=bool)
        self.cursor = -1  # slot of the latest frame
        self.written = 0  # frames written in total
        self.rng = np.random.default_rng(seed)

    @property
    def bytes_per_transition(self) -> float:
        """Bytes of storage per stored transition (each frame is stored once)."""
        return sum(getattr(self, name).nbytes for name in self.ARRAYS) / self.capacity

    def __len__(self) -> int:
        return int(self.has_next.sum())

    def _write(self, frame: np.ndarray, episode_start: bool) -> None:
        if np.shape(frame) != self.frames.shape[1:]:
            raise DQNHelpersError(_("expected a frame of shape {expected}, got {shape}").format(
                expected=self.frames.shape[1:], shape=np.shape(frame)))
        self.cursor = (self.cursor + 1) % self.capacity
        self.written += 1
        self.frames[self.cursor] = frame
        self.episode_start[self.cursor] = episode_start
        self.has_next[self.cursor] = False
        # the oldest transitions lose their history frames as the ring wraps: retire them
        self.has_next[(self.cursor + np.arange(1, self.stack)) % self.capacity] = False

    def start(self, frame: np.ndarray) -> None:
        """Begin an episode with its first frame."""
        self._write(frame, episode_start=True)

    def add(self, action: int, reward: float, next_frame: np.ndarray, no_bootstrap: bool) -> None:
        """Record the step from the latest frame: its action, reward, and the frame it led to.

        ``no_bootstrap``: the return ends with this step, so its target is the reward alone. True
        when the episode terminated, or when it was truncated and truncation is not bootstrapped.
        """
        if self.cursor < 0:
            raise DQNHelpersError(_("call start(first_frame) before add(...)"))
        slot = self.cursor
        self._write(next_frame, episode_start=False)
        self.actions[slot], self.rewards[slot], self.no_bootstrap[slot] = action, reward, no_bootstrap
        self.has_next[slot] = True

    def _stacks(self, last: np.ndarray) -> np.ndarray:
        """Frame indices (B, stack) of the states ending at slots ``last``, padded at episode starts."""
        k = self.stack
        idx = (last[:, None] - np.arange(k - 1, -1, -1)[None, :]) % self.capacity
        starts = self.episode_start[idx]
        starts[:, 0] = True  # nothing before the window matters
        # position of the latest episode start within each window
        first = k - 1 - np.argmax(starts[:, ::-1], axis=1)
        cols = np.arange(k)[None, :]
        return np.where(cols < first[:, None], idx[np.arange(len(last)), first][:, None], idx)

    def sample(self, batch_size: int, gamma: float = 0.99, n_step: int = 1) -> Batch:
        """``batch_size`` transitions drawn uniformly (with replacement, as in DQN papers).

        With ``n_step > 1`` each transition's reward is the discounted sum of the next
        ``n_step`` rewards of its episode (fewer at an episode's end or the newest data), and its
        next state is the state that many steps later: ``discounts`` holds γ^k for the k used.
        """
        valid = np.flatnonzero(self.has_next)
        if batch_size > len(valid):
            raise NotEnoughTransitions(
                _("cannot sample {batch_size} transitions: the buffer holds only {held}.").format(
                    batch_size=batch_size, held=len(valid))
            )
        slots = valid[self.rng.integers(0, len(valid), size=batch_size)]
        returns = np.zeros(batch_size, dtype=np.float32)
        discounts = np.ones(batch_size, dtype=np.float32)
        non_final = np.ones(batch_size, dtype=bool)
        alive = np.ones(batch_size, dtype=bool)
        current, last = slots.copy(), (slots + 1) % self.capacity
        for _step in range(n_step):
            returns += np.where(alive, discounts * self.rewards[current], 0.0).astype(np.float32)
            ended = self.no_bootstrap[current] & alive
            non_final &= ~ended
            following = (current + 1) % self.capacity
            last = np.where(alive, following, last)
            discounts = np.where(alive, discounts * gamma, discounts).astype(np.float32)
            alive &= ~self.no_bootstrap[current] & self.has_next[following]
            current = np.where(alive, following, current)
        return Batch(
            states=self.frames[self._stacks(slots)],
            actions=self.actions[slots].astype(np.int64),
            rewards=returns,
            next_states=self.frames[self._stacks(last)],
            non_final=non_final,
            discounts=discounts,
        )

    def state_dict(self) -> dict[str, Any]:
        """The filled slots only, as tensors (a fresh 100,000-slot buffer is mostly zeros)."""
        filled = min(self.written, self.capacity)
        return {name: torch.from_numpy(getattr(self, name)[:filled].copy()) for name in self.ARRAYS} | {
            "cursor": self.cursor, "written": self.written, "rng": self.rng.bit_generator.state,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        filled = len(state["frames"])
        if filled > self.capacity or tuple(state["frames"].shape[1:]) != self.frames.shape[1:]:
            raise DQNHelpersError(_("the saved buffer holds {saved} frames; this one has room for {room}").format(
                saved=tuple(state["frames"].shape), room=self.frames.shape))
        for name in self.ARRAYS:
            array = getattr(self, name)
            array[:filled], array[filled:] = state[name].numpy(), 0
        self.cursor, self.written = int(state["cursor"]), int(state["written"])
        self.rng.bit_generator.state = state["rng"]
