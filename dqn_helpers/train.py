"""The recipe's training loop: ε-greedy acting on stacked frames, replay, Double DQN updates.

``train.py`` only wires the pieces together: pixels (``pixels.py``), replay (``replay.py``),
network (``model.py``), exploration (``policy.py``) and the update (``learn.py``).
"""

from __future__ import annotations

import copy
import math
import random
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch

from dqn_helpers.device import pick_device
from dqn_helpers.learn import gradient_step, next_state_values, td_loss, td_targets, update_target
from dqn_helpers.model import PixelDQN
from dqn_helpers.pixels import make_pixel_env
from dqn_helpers.policy import LinearEpsilon, greedy_action, select_action
from dqn_helpers.replay import FrameReplay
from dqn_helpers.seeding import seed_everything

EVAL_SEED_OFFSET = 1_000_000  # evaluation episodes never reuse a training seed
CONFIRM_SEED_OFFSET = 2_000_000  # ...and the 100-episode confirmations use yet other seeds


@dataclass
class TrainConfig:
    """Every knob of a training run; the defaults are the ``solved`` recipe (see ``presets.py``).

    Found by experiment (``benchmarks/EXPERIMENTS.md``): 3-step returns, Adam at 1e-3, ε from 1
    to 0.02 over 20k steps and a hard target copy every 500 steps made the difference.
    """

    env_id: str = "CartPole-v1"
    total_steps: int = 300_000
    seed: int = 0
    # what the agent sees
    frame_size: tuple[int, int] = (30, 90)
    frame_stack: int = 4
    renderer: str = "fast"
    # the network and its optimiser
    hidden: int = 256
    channels: tuple[int, int, int] = (16, 32, 32)
    lr: float = 1e-3
    adam_eps: float = 1e-8
    # replay and updates
    buffer_size: int = 100_000
    batch_size: int = 32
    learning_starts: int = 5_000
    train_every: int = 4
    gamma: float = 0.99
    n_step: int = 3
    loss: str = "huber"
    grad_clip_norm: float | None = 10.0
    double_dqn: bool = True
    target_update_every: int = 500
    tau: float = 1.0
    bootstrap_truncation: bool = True
    # exploration
    eps_start: float = 1.0
    eps_end: float = 0.02
    eps_decay_steps: int = 20_000
    # evaluation: every ``eval_every`` steps a short greedy evaluation; when it reaches the
    # solve threshold (None: the env's own, 195 for v0 and 475 for v1) a 100-episode one confirms
    eval_every: int = 5_000
    eval_episodes: int = 10
    final_eval_episodes: int = 100
    solve_threshold: float | None = None
    # once solved, train this many more steps keeping the best network, then stop (None: whole budget)
    steps_after_solved: int | None = 50_000
    device: str = "auto"


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
class History:
    episodes: list[EpisodeLog] = field(default_factory=list)
    evals: list[EvalLog] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    max_q: list[float] = field(default_factory=list)  # per update: the batch's mean of max_a Q(s, a)

    def __setstate__(self, state: dict) -> None:  # runs saved before max_q was recorded
        self.__dict__.update({"max_q": [], **state})


def make_adam(network: torch.nn.Module, lr: float, eps: float) -> torch.optim.Optimizer:
    """Adam, fused into one kernel where torch supports it (several times faster on CPU)."""
    try:
        return torch.optim.Adam(network.parameters(), lr=lr, eps=eps, fused=True)
    except (RuntimeError, TypeError):  # older torch, or a device without a fused kernel
        return torch.optim.Adam(network.parameters(), lr=lr, eps=eps)


class Trainer:
    """Holds a run's whole state, so it can be stepped, evaluated, saved and resumed."""

    def __init__(self, config: TrainConfig) -> None:
        self.config = c = config
        seed_everything(c.seed)
        self.device = pick_device(c.device)
        self.env = make_pixel_env(c.env_id, c.frame_size, c.frame_stack, c.renderer)
        self.eval_env = make_pixel_env(c.env_id, c.frame_size, c.frame_stack, c.renderer)
        self.n_actions = int(self.env.action_space.n)
        self.online = PixelDQN(c.frame_stack, *c.frame_size, self.n_actions, c.hidden, c.channels)
        self.online.to(self.device)
        self.target = copy.deepcopy(self.online)
        self.optimizer = make_adam(self.online, c.lr, c.adam_eps)
        self.memory = FrameReplay(c.buffer_size, c.frame_size, c.frame_stack, seed=c.seed)
        self.epsilon = LinearEpsilon(c.eps_start, c.eps_end, c.eps_decay_steps)
        self.rng = random.Random(c.seed)
        self._start_bookkeeping()
        self._observation, _ = self.env.reset(seed=c.seed)
        self.memory.start(self._observation[-1])

    def _start_bookkeeping(self) -> None:
        """Counters, history and best-network records of a fresh run (shared with the slides' loop)."""
        c = self.config
        self.step_count = 0
        self.episode_count = 0
        self.history = History()
        self.best_eval = -math.inf
        self.best_state: dict | None = None
        self.best_step = 0
        self.solved_at: int | None = None  # first step whose 100-episode evaluation met the threshold
        self.threshold = c.solve_threshold if c.solve_threshold is not None else solve_threshold(self.env)
        self.interrupted = False
        self._episode_length = 0

    # --- acting ---------------------------------------------------------------------------
    def _tensor(self, observation: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.asarray(observation)).unsqueeze(0).to(self.device)

    def greedy(self, observation: np.ndarray) -> int:
        return greedy_action(self.online, self._tensor(observation))

    def act(self, observation: np.ndarray) -> int:
        return select_action(self.online, self._tensor(observation), self.epsilon(self.step_count),
                             self.n_actions, self.rng)

    # --- learning -------------------------------------------------------------------------
    def optimize(self) -> float:
        c = self.config
        batch = self.memory.sample(c.batch_size, c.gamma, c.n_step)
        states = torch.from_numpy(batch.states).to(self.device)
        next_states = torch.from_numpy(batch.next_states).to(self.device)
        actions = torch.from_numpy(batch.actions).to(self.device)
        rewards = torch.from_numpy(batch.rewards).to(self.device)
        non_final = torch.from_numpy(batch.non_final).to(self.device)
        discounts = torch.from_numpy(batch.discounts).to(self.device)
        q_all = self.online(states)
        q_taken = q_all.gather(1, actions.unsqueeze(1)).squeeze(1)
        self.history.max_q.append(float(q_all.detach().max(1).values.mean()))
        next_values = next_state_values(self.target, next_states, self.online if c.double_dqn else None)
        targets = td_targets(rewards, next_values, non_final, discounts)
        loss = td_loss(q_taken, targets, c.loss)
        gradient_step(self.online, self.optimizer, loss, clip_norm=c.grad_clip_norm)
        return float(loss.item())

    # --- the loop -------------------------------------------------------------------------
    def step(self) -> EpisodeLog | None:
        """One environment step, plus whatever learning is due. Returns the episode if it ended."""
        c = self.config
        action = self.act(self._observation)
        observation, reward, terminated, truncated, _ = self.env.step(action)
        ends_future = terminated or (truncated and not c.bootstrap_truncation)
        self.memory.add(action, float(reward), observation[-1], ends_future)
        self.step_count += 1
        self._episode_length += 1
        self._observation = observation
        finished = None
        if terminated or truncated:
            self.episode_count += 1
            finished = EpisodeLog(self.step_count, self.episode_count, self._episode_length,
                                  self.epsilon(self.step_count))
            self.history.episodes.append(finished)
            self._observation, _ = self.env.reset()
            self.memory.start(self._observation[-1])
            self._episode_length = 0
        if self.step_count >= c.learning_starts and self.step_count % c.train_every == 0:
            self.history.losses.append(self.optimize())
        if self.step_count % c.target_update_every == 0:
            update_target(self.target, self.online, c.tau)
        if c.eval_every and self.step_count % c.eval_every == 0:
            self.evaluate_and_keep_best()
        return finished

    def evaluate(self, n_episodes: int, seed_offset: int = EVAL_SEED_OFFSET) -> list[int]:
        """Greedy (ε = 0) episode lengths on the evaluation environment."""
        lengths = []
        for i in range(n_episodes):
            observation, _ = self.eval_env.reset(seed=seed_offset + i)
            length, done = 0, False
            while not done:
                observation, _, terminated, truncated, _ = self.eval_env.step(self.greedy(observation))
                length += 1
                done = terminated or truncated
            lengths.append(length)
        return lengths

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
        self.history.evals.append(log)
        if score >= self.best_eval:  # ties: keep the later, better-trained network
            self.best_eval, self.best_step = score, self.step_count
            self.best_state = {k: v.detach().clone() for k, v in self.online.state_dict().items()}
        return log

    @property
    def finished(self) -> bool:
        """Out of budget, or solved and trained ``steps_after_solved`` more steps."""
        c = self.config
        done_after_solving = (c.steps_after_solved is not None and self.solved_at is not None
                              and self.step_count >= self.solved_at + c.steps_after_solved)
        return self.step_count >= c.total_steps or done_after_solving

    def run(self, until_step: int | None = None, on_episode: Callable[[EpisodeLog], None] | None = None) -> bool:
        """Train until ``until_step`` (default: the budget) or solved. Returns False if interrupted.

        Ctrl-C (or the notebook's stop button) is caught *between* steps, so the trainer stays
        consistent and can be saved and resumed to exactly the result of an uninterrupted run.
        """
        until = self.config.total_steps if until_step is None else min(until_step, self.config.total_steps)
        self.interrupted = False
        with deferred_interrupt() as interrupt_requested:
            while self.step_count < until and not self.finished:
                finished = self.step()
                if finished is not None and on_episode is not None:
                    on_episode(finished)
                if interrupt_requested():
                    self.interrupted = True
                    return False
        return True

    def move_to(self, device: str) -> None:
        """Continue on another device, e.g. a run saved on a GPU machine and resumed on a laptop."""
        self.device = pick_device(device)
        self.online.to(self.device)
        self.target.to(self.device)
        for state in self.optimizer.state.values():
            for key, value in state.items():
                if torch.is_tensor(value):
                    state[key] = value.to(self.device)

    def load_best(self) -> None:
        """Put the best evaluated weights into the online network (for the final evaluation)."""
        if self.best_state is not None:
            self.online.load_state_dict(self.best_state)


def solve_threshold(env) -> float:
    """The env's own "solved" return (195 for CartPole-v0, 475 for v1)."""
    threshold = env.spec.reward_threshold if env.spec is not None else None
    return float(threshold) if threshold is not None else math.inf


@contextmanager
def deferred_interrupt() -> Iterator[Callable[[], bool]]:
    """Turn SIGINT into a flag the loop polls, so an interrupt never lands mid-update."""
    requested = []
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(_signum, _frame) -> None:
        if requested:  # a second Ctrl-C: the user really wants out now
            signal.signal(signal.SIGINT, previous)
            raise KeyboardInterrupt
        requested.append(True)

    signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: bool(requested)
    finally:
        signal.signal(signal.SIGINT, previous)
