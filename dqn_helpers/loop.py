"""The training loop both recipes share; what differs between them lives in their agents.

``Trainer`` owns what every DQN run has: the environment and its episodes, the step and
episode counters, the history, greedy evaluation, keeping the best network, when to stop, and
``run`` with Ctrl-C answered between steps. An *agent* (``recipe.RecipeAgent``,
``slides.SlidesAgent``) owns what the slides and the recipe do differently: how to act, what
to remember of a step, and when and how to update its networks. Observers (a progress bar,
W&B, CSV files, a live plot: ``observers.py``) hear of every episode and evaluation as it
happens. A config (``recipe.RecipeConfig``, ``slides.SlidesConfig``) holds every knob of a run
and builds its trainer: ``config.build()``.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import MISSING, asdict, astuple, dataclass, field, fields
from typing import Any, Protocol

import gymnasium as gym
import numpy as np
import torch

from dqn_helpers.allocator import keep_freed_memory
from dqn_helpers.device import pick_device
from dqn_helpers.envstate import decode, encode, env_state, load_env_state
from dqn_helpers.errors import DQNHelpersError
from dqn_helpers.evaluation import EvaluationStopped, greedy_lengths
from dqn_helpers.interrupt import deferred_interrupt
from dqn_helpers.seeding import seed_everything

# Every greedy episode is seeded, each kind from its own range, never a training seed.
EVAL_SEED_OFFSET = 1_000_000  # the short evaluations during training
CONFIRM_SEED_OFFSET = 2_000_000  # the 100-episode confirmations of a short one that hit the threshold
FINAL_EVAL_SEED_OFFSET = 2_500_000  # the kept network's evaluation in summary.json
VIDEO_SEED = 2_900_007  # the episode filmed for agent.mp4
EVAL_BATCH = 100  # evaluation episodes played side by side, one forward pass per step for all


@dataclass
class EpisodeLog:
    step: int  # environment steps done when the episode ended
    episode: int
    length: int
    epsilon: float


@dataclass
class EvalLog:
    step: int
    mean: float
    min: float
    max: float
    confirmed_mean: float | None = None  # the 100-episode mean, when the short one hit the threshold


@dataclass
class UpdateLog:
    loss: float
    max_q: float | None = None  # the batch's mean of max_a Q(s, a), where the agent measures it


@dataclass
class History:
    episodes: list[EpisodeLog] = field(default_factory=list)
    evals: list[EvalLog] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    max_q: list[float] = field(default_factory=list)  # per update: the batch's mean of max_a Q(s, a)

    def record(self, update: UpdateLog | None) -> None:
        if update is not None:
            self.losses.append(update.loss)
            if update.max_q is not None:
                self.max_q.append(update.max_q)

    def state_dict(self) -> dict[str, Any]:
        return {"episodes": [astuple(e) for e in self.episodes], "evals": [astuple(e) for e in self.evals],
                "losses": torch.tensor(self.losses, dtype=torch.float64),
                "max_q": torch.tensor(self.max_q, dtype=torch.float64)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.episodes = [EpisodeLog(*row) for row in state["episodes"]]
        self.evals = [EvalLog(*row) for row in state["evals"]]
        self.losses, self.max_q = state["losses"].tolist(), state["max_q"].tolist()


class Agent(Protocol):
    """What a recipe supplies to the loop: acting, remembering, learning, and its networks."""

    online: torch.nn.Module
    memory: Any
    eval_batch: int  # evaluation episodes played side by side

    def epsilon(self, step: int) -> float: ...
    def act(self, observation: Any, step: int) -> int: ...
    def greedy(self, observation: Any) -> int: ...
    def greedy_batch(self, observations: list[Any]) -> Sequence[int]: ...
    def begin_episode(self, observation: Any) -> None: ...
    def remember(self, observation: Any, action: int, reward: float, next_observation: Any,
                 terminated: bool, truncated: bool) -> None: ...
    def end_episode(self, index: int) -> None: ...
    def solved(self) -> None: ...
    def learn(self, step: int) -> UpdateLog | None: ...
    def state_dict(self) -> dict[str, Any]: ...
    def load_state_dict(self, state: dict[str, Any]) -> None: ...


class RunConfig(Protocol):
    """The settings the loop reads; each recipe's config dataclass has them all."""

    env_id: str
    seed: int
    total_steps: int
    num_episodes: int | None
    eval_every: int
    eval_episodes: int
    final_eval_episodes: int
    solve_threshold: float | None
    steps_after_solved: int | None
    device: str

    def make_env(self) -> gym.Env: ...
    def make_agent(self, env: gym.Env, device: torch.device) -> Agent: ...


class BuildsTrainer:
    """What every config does with its settings (a base of ``RecipeConfig`` and ``SlidesConfig``)."""

    def build(self: RunConfig) -> Trainer:
        return Trainer(self)

    def episodes_bind(self: RunConfig, max_episode_steps: int | None) -> bool:
        """Whether the episode budget surely ends the run before the step budget does (episodes
        last at most ``max_episode_steps``): then a progress bar counts episodes, else steps."""
        if self.num_episodes is None:
            return False
        return max_episode_steps is None or self.num_episodes * max_episode_steps <= self.total_steps


class Observer:
    """Something that follows a run: override the events it needs."""

    def on_start(self, trainer: Trainer) -> None: ...
    def on_episode(self, trainer: Trainer, episode: EpisodeLog) -> None: ...
    def on_evaluation(self, trainer: Trainer, evaluation: EvalLog) -> None: ...
    def on_end(self, trainer: Trainer) -> None: ...


class Trainer:
    """A run's whole state, so it can be stepped, evaluated, saved and resumed."""

    def __init__(self, config: RunConfig) -> None:
        self.config = config
        keep_freed_memory()
        seed_everything(config.seed)
        self.device = pick_device(config.device)
        self.env, self.eval_env = config.make_env(), config.make_env()
        self.eval_envs = [self.eval_env]  # grown on demand by evaluate()
        self.n_actions = int(self.env.action_space.n)
        self.agent = config.make_agent(self.env, self.device)
        self.threshold = config.solve_threshold if config.solve_threshold is not None else solve_threshold(self.env)
        self.observers: list[Observer] = []
        self.step_count = self.episode_count = self.episode_length = 0
        self.history = History()
        self.best_eval, self.best_step, self.best_state = -math.inf, 0, None
        self._stop: Callable[[], bool] | None = None  # while training: whether a stop was asked for
        self.solved_at: int | None = None  # first step whose 100-episode evaluation met the threshold
        self.solved_seconds: float | None = None  # training wall-clock from the start to that moment
        self.interrupted = False
        self._session_started = time.perf_counter()  # set again by each run()
        self.train_seconds = 0.0  # wall-clock spent in run(), over all sessions of a resumed run
        self.observation, _ = self.env.reset(seed=config.seed)
        self.agent.begin_episode(self.observation)

    # --- the loop -------------------------------------------------------------------------
    def step(self) -> EpisodeLog | None:
        """One environment step, plus whatever learning is due. Returns the episode if it ended."""
        action = self.agent.act(self.observation, self.step_count)
        next_observation, reward, terminated, truncated, _ = self.env.step(action)
        self.agent.remember(self.observation, action, float(reward), next_observation, terminated, truncated)
        self.step_count += 1
        self.episode_length += 1
        self.observation = next_observation
        episode = self._end_episode() if terminated or truncated else None
        self.history.record(self.agent.learn(self.step_count))
        if self.evaluation_due:
            self.evaluate_and_keep_best()
        return episode

    @property
    def evaluation_due(self) -> bool:
        """Whether this step count calls for an evaluation that has not been made yet (an interrupted
        one is made again on resume: it is derived from the history, not stored)."""
        every = self.config.eval_every
        done = bool(self.history.evals) and self.history.evals[-1].step == self.step_count
        return bool(every) and self.step_count > 0 and self.step_count % every == 0 and not done

    def _end_episode(self) -> EpisodeLog:
        self.episode_count += 1
        episode = EpisodeLog(self.step_count, self.episode_count, self.episode_length,
                             self.agent.epsilon(self.step_count))
        self.history.episodes.append(episode)
        self.agent.end_episode(self.episode_count - 1)  # the slides' i_episode counts from 0
        self.observation, _ = self.env.reset()
        self.agent.begin_episode(self.observation)
        self.episode_length = 0
        for observer in self.observers:
            observer.on_episode(self, episode)
        return episode

    @property
    def finished(self) -> bool:
        """Out of steps or episodes, or solved and trained ``steps_after_solved`` more steps."""
        c = self.config
        out_of_episodes = c.num_episodes is not None and self.episode_count >= c.num_episodes
        done_after_solving = (c.steps_after_solved is not None and self.solved_at is not None
                              and self.step_count >= self.solved_at + c.steps_after_solved)
        return self.step_count >= c.total_steps or out_of_episodes or done_after_solving

    def run(self, until_step: int | None = None, deadline: float | None = None) -> bool:
        """Train until ``until_step`` (default: the budget), finished, or ``time.monotonic()`` passes
        ``deadline``. Returns False if interrupted.

        Ctrl-C (or the notebook's stop button) is caught *between* steps, so the trainer stays
        consistent and can be saved and resumed to exactly the result of an uninterrupted run.
        """
        until = self.config.total_steps if until_step is None else min(until_step, self.config.total_steps)
        self.interrupted = False
        self._session_started = time.perf_counter()
        try:
            with deferred_interrupt() as interrupt_requested:
                self._stop = interrupt_requested
                if self.evaluation_due:  # one an interrupt stopped before the save
                    self.evaluate_and_keep_best()
                while self.step_count < until and not self.finished:
                    self.step()
                    if interrupt_requested() or (deadline is not None and time.monotonic() >= deadline):
                        self.interrupted = interrupt_requested()
                        return not self.interrupted
        except EvaluationStopped:  # the step is complete; its evaluation is made again on resume
            self.interrupted = True
            return False
        finally:
            self._stop = None
            self.train_seconds += time.perf_counter() - self._session_started
        return True

    # --- evaluation -----------------------------------------------------------------------
    def evaluate(self, n_episodes: int, seed_offset: int = EVAL_SEED_OFFSET, progress: str | None = None) -> list[int]:
        """Greedy (ε = 0) episode lengths, episode i seeded offset + i, ``agent.eval_batch`` side by side
        (``progress``: a progress bar with this name)."""
        while len(self.eval_envs) < min(n_episodes, self.agent.eval_batch):
            self.eval_envs.append(self.config.make_env())
        seeds = [seed_offset + i for i in range(n_episodes)]
        return greedy_lengths(self.eval_envs, self.agent.greedy_batch, seeds, progress, stop=self._stop)

    def evaluate_and_keep_best(self) -> EvalLog:
        """Short greedy evaluation; confirm with many episodes when it looks solved; keep the best."""
        c = self.config
        lengths = self.evaluate(c.eval_episodes)
        log = EvalLog(self.step_count, float(np.mean(lengths)), min(lengths), max(lengths))
        score = log.mean
        if log.mean >= self.threshold:
            log.confirmed_mean = float(np.mean(self.evaluate(c.final_eval_episodes, CONFIRM_SEED_OFFSET)))
            score = log.confirmed_mean
            if score >= self.threshold and self.solved_at is None:
                self.solved_at = self.step_count
                self.solved_seconds = self.train_seconds + time.perf_counter() - self._session_started
                self.agent.solved()
        self.history.evals.append(log)
        if score >= self.best_eval:  # ties: keep the later, better-trained network
            self.best_eval, self.best_step = score, self.step_count
            self.best_state = {k: v.detach().clone() for k, v in self.agent.online.state_dict().items()}
        for observer in self.observers:
            observer.on_evaluation(self, log)
        return log

    def load_best(self) -> None:
        """Put the best evaluated weights into the online network (for the final evaluation)."""
        if self.best_state is not None:
            self.agent.online.load_state_dict(self.best_state)

    # --- observers ------------------------------------------------------------------------
    def attach(self, observers: Iterable[Observer]) -> None:
        for observer in observers:
            self.observers.append(observer)
            observer.on_start(self)

    def detach_all(self) -> None:
        observers, self.observers = self.observers, []
        for observer in observers:
            observer.on_end(self)

    # --- saving and resuming --------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything the run's future depends on, as tensors and plain values (no objects)."""
        return {
            "config": asdict(self.config),
            "counters": {"steps": self.step_count, "episodes": self.episode_count,
                         "episode_length": self.episode_length, "solved_at": self.solved_at,
                         "train_seconds": self.train_seconds, "solved_seconds": self.solved_seconds},
            "best": {"eval": self.best_eval, "step": self.best_step, "state": self.best_state},
            "history": self.history.state_dict(),
            "agent": self.agent.state_dict(),
            "env": env_state(self.env),
            "observation": encode(self.observation),
            "global_random": global_random_state(),
        }

    def config_changes(self, saved: dict[str, Any]) -> list[str]:
        """The settings changed since ``saved``; ``ConfigMismatch`` if one of them shaped the run's past."""
        differences = config_differences(with_defaults(type(self.config), saved), asdict(self.config))
        fixed = [d for d in differences if d.split(":")[0] not in CHANGEABLE_ON_RESUME]
        if fixed:
            raise ConfigMismatch("the saved run has other settings: " + "; ".join(fixed) + ". Resume with the "
                                 "same ones, or start over (--no-resume, or another --out)")
        return differences

    def load_state_dict(self, state: dict[str, Any]) -> list[str]:
        """Continue the saved run. Settings that shaped its past must match (the differences are
        named); the budget, the device and what happens after solving may change. Returns those changes.
        """
        differences = self.config_changes(state["config"])
        counters = state["counters"]
        self.step_count, self.episode_count = counters["steps"], counters["episodes"]
        self.episode_length, self.solved_at = counters["episode_length"], counters["solved_at"]
        best = state["best"]
        self.best_eval, self.best_step = best["eval"], best["step"]
        self.best_state = None if best["state"] is None else {k: v.to(self.device) for k, v in best["state"].items()}
        self.history.load_state_dict(state["history"])
        self.agent.load_state_dict(state["agent"])
        load_env_state(self.env, state["env"])
        self.observation = decode(state["observation"])
        load_global_random_state(state["global_random"])
        self.train_seconds = counters["train_seconds"]
        self.solved_seconds = counters.get("solved_seconds")  # absent from runs saved before it existed
        return differences


CHANGEABLE_ON_RESUME = {"total_steps", "num_episodes", "device", "steps_after_solved", "final_eval_episodes"}


class ConfigMismatch(DQNHelpersError):
    """A saved run was made with other settings than the ones it is resumed with."""


def with_defaults(config_class: type, saved: dict[str, Any]) -> dict[str, Any]:
    """A saved config with every setting added since it was saved at its default: the code that
    saved it behaved as that default, so a new knob left alone does not block a resume."""
    defaults = {f.name: f.default for f in fields(config_class) if f.default is not MISSING}
    return defaults | saved


def config_differences(saved: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """``name: saved → current`` for every setting that differs."""
    names = list(dict.fromkeys([*saved, *current]))
    missing = object()
    return [f"{name}: {saved.get(name, 'unset')!r} → {current.get(name, 'unset')!r}" for name in names
            if saved.get(name, missing) != current.get(name, missing)]


def global_random_state() -> dict[str, Any]:
    """Python's, NumPy's and torch's global generators (the slides' loop draws from them)."""
    kind, keys, position, has_gauss, cached = np.random.get_state()
    return {"python": random.getstate(), "torch": torch.get_rng_state(),
            "numpy": (kind, torch.from_numpy(keys.astype(np.int64)), position, has_gauss, cached)}


def load_global_random_state(state: dict[str, Any]) -> None:
    random.setstate(state["python"])
    torch.set_rng_state(state["torch"])
    kind, keys, position, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), position, has_gauss, cached))


def solve_threshold(env: gym.Env) -> float:
    """The env's own "solved" return (195 for CartPole-v0, 475 for v1)."""
    threshold = env.spec.reward_threshold if env.spec is not None else None
    return float(threshold) if threshold is not None else math.inf
