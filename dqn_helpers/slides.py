"""The slides' training code, as they teach it, ported to gymnasium and made resumable.

Kept exactly: the state is the difference of two ``get_screen()`` screens (3x40x90 float32),
``next_state`` is ``None`` whenever the episode ends (truncation too), the BatchNorm CNN acts in
train mode, RMSprop with its defaults, batch 128, γ = 0.999, Huber loss, every gradient entry
clamped to [-1, 1], one update per step, ε = 0.05 + 0.85·exp(-steps/200), a 10,000-transition
memory and a target copy after every 10th episode. Lesson 06 runs it to show that it does not
learn; ``SlidesTrainer`` shares the evaluation and the run loop with the recipe's ``Trainer``.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass
from itertools import count
from pathlib import Path
from typing import Any

import gymnasium as gym
import torch
from torch import nn

from dqn_helpers.device import pick_device
from dqn_helpers.env import make_env
from dqn_helpers.model import SlidesDQN
from dqn_helpers.policy import ExponentialEpsilon, greedy_action
from dqn_helpers.replay import ReplayMemory, Transition
from dqn_helpers.screen import get_screen
from dqn_helpers.seeding import seed_everything
from dqn_helpers.tracking import resolve_mode
from dqn_helpers.train import EpisodeLog, Trainer
from dqn_helpers.video import record_video


@dataclass
class SlidesConfig:
    """The slides' hyper-parameters (``BATCH_SIZE``, ``GAMMA``, ``EPS_*``, ``TARGET_UPDATE``...)."""

    env_id: str = "CartPole-v0"
    num_episodes: int = 50
    total_steps: int = 1_000_000  # a step cap on top of the slides' episode count
    seed: int = 0
    batch_size: int = 128
    gamma: float = 0.999
    eps_start: float = 0.9
    eps_end: float = 0.05
    eps_decay: float = 200
    target_update: int = 10  # episodes
    memory_size: int = 10_000
    eval_every: int = 0  # the slides never evaluate greedily while training
    eval_episodes: int = 10
    final_eval_episodes: int = 100
    solve_threshold: float | None = None
    device: str = "auto"


class ScreenDifference(gym.Wrapper):
    """Observations are the slides' state: ``current_screen - last_screen``, (1, 3, 40, 90)."""

    def reset(self, **kwargs: Any):
        _, info = self.env.reset(**kwargs)
        self._last = get_screen(self.env)
        self._current = get_screen(self.env)
        return self._current - self._last, info

    def step(self, action: int):
        _, reward, terminated, truncated, info = self.env.step(action)
        self._last, self._current = self._current, get_screen(self.env)
        return self._current - self._last, reward, terminated, truncated, info


def make_slides_env(env_id: str = "CartPole-v0") -> gym.Env:
    return ScreenDifference(make_env(env_id, render_mode="rgb_array"))


def slides_loss(transitions: list[Transition], policy_net: nn.Module, target_net: nn.Module,
                gamma: float) -> torch.Tensor:
    """The heart of the slides' ``optimize_model()``: Huber loss between Q(s, a) and the TD target.

    ``next_state`` is None for a final transition, whose target is the reward alone. ``action``
    entries are (1, 1) long tensors and ``reward`` entries (1,) tensors, as the slides store them.
    """
    batch = Transition(*zip(*transitions, strict=True))
    non_final_mask = torch.tensor([s is not None for s in batch.next_state], dtype=torch.bool)
    state_batch = torch.cat(batch.state)
    action_batch = torch.cat(batch.action)
    reward_batch = torch.cat(batch.reward)
    state_action_values = policy_net(state_batch).gather(1, action_batch)
    next_state_values = torch.zeros(len(transitions), device=state_batch.device)
    if non_final_mask.any():
        non_final_next_states = torch.cat([s for s in batch.next_state if s is not None])
        with torch.no_grad():
            next_state_values[non_final_mask.to(state_batch.device)] = target_net(non_final_next_states).max(1).values
    expected_state_action_values = reward_batch + gamma * next_state_values
    return nn.functional.smooth_l1_loss(state_action_values, expected_state_action_values.unsqueeze(1))


def train_episode(env: gym.Env, policy_net: nn.Module, target_net: nn.Module, memory: ReplayMemory,
                  select_action: Callable[[torch.Tensor], torch.Tensor], optimize_model: Callable[[], Any],
                  i_episode: int, target_update: int = 10) -> int:
    """One episode of the slides' training loop; returns its length (the slides' ``t + 1``).

    As the slides write it, except that ``next_state`` is ``None`` only when the pole fell
    (``terminated``): at the time limit the state still has a future. ``select_action(state)``
    returns a 1x1 long tensor; ``optimize_model()`` waits by itself for a full batch.
    """
    env.reset()
    last_screen = get_screen(env)
    current_screen = get_screen(env)
    state = current_screen - last_screen
    for t in count():  # noqa: B007 - the slides return t + 1 after the loop
        action = select_action(state)
        _, reward, terminated, truncated, _ = env.step(action.item())
        reward = torch.tensor([reward], device=action.device)
        last_screen = current_screen
        current_screen = get_screen(env)
        next_state = None if terminated else current_screen - last_screen
        memory.push(state, action, next_state, reward)
        state = next_state
        optimize_model()
        if terminated or truncated:
            break
    if i_episode % target_update == 0:
        target_net.load_state_dict(policy_net.state_dict())
    return t + 1


class SlidesTrainer(Trainer):
    """The slides' loop, one environment step at a time (so it can be timed, saved and resumed)."""

    def __init__(self, config: SlidesConfig) -> None:  # noqa: D107 - replaces Trainer's set-up
        self.config = c = config
        seed_everything(c.seed)
        self.device = pick_device(c.device)
        self.env = make_slides_env(c.env_id)
        self.eval_env = make_slides_env(c.env_id)
        self.n_actions = int(self.env.action_space.n)
        self._observation, _ = self.env.reset(seed=c.seed)
        _, _, height, width = self._observation.shape
        self.online = SlidesDQN(height, width, self.n_actions).to(self.device)
        self.target = SlidesDQN(height, width, self.n_actions).to(self.device)
        self.target.load_state_dict(self.online.state_dict())
        self.target.eval()
        self.optimizer = torch.optim.RMSprop(self.online.parameters())
        self.memory = ReplayMemory(c.memory_size)
        self.epsilon = ExponentialEpsilon(c.eps_start, c.eps_end, c.eps_decay)
        self._start_bookkeeping()
        self.loss_fn = slides_loss  # lesson 06 plugs the student's compute_loss in here

    def move_to(self, device: str) -> None:
        super().move_to(device)
        self.memory.memory = type(self.memory.memory)(
            (Transition(*(t.to(self.device) if torch.is_tensor(t) else t for t in transition))
             for transition in self.memory.memory),
            maxlen=self.memory.memory.maxlen,
        )

    @property
    def finished(self) -> bool:
        return self.episode_count >= self.config.num_episodes or self.step_count >= self.config.total_steps

    def greedy(self, observation: torch.Tensor) -> int:
        # in train mode, as the slides act: BatchNorm sees a batch of one
        return greedy_action(self.online, observation.to(self.device))

    def act(self, observation: torch.Tensor) -> int:
        sample = random.random()
        threshold = self.epsilon(self.step_count)
        if sample > threshold:
            return self.greedy(observation)
        return random.randrange(self.n_actions)

    def optimize(self) -> float | None:
        if len(self.memory) < self.config.batch_size:
            return None
        loss = self.loss_fn(self.memory.sample(self.config.batch_size), self.online, self.target, self.config.gamma)
        self.optimizer.zero_grad()
        loss.backward()
        for param in self.online.parameters():
            param.grad.data.clamp_(-1, 1)
        self.optimizer.step()
        return float(loss.item())

    def step(self) -> EpisodeLog | None:
        c = self.config
        state = self._observation.to(self.device)
        action = self.act(state)
        observation, reward, terminated, truncated, _ = self.env.step(action)
        done = terminated or truncated
        next_state = None if done else observation.to(self.device)
        self.memory.push(state, torch.tensor([[action]], device=self.device), next_state,
                         torch.tensor([float(reward)], device=self.device))
        self.step_count += 1
        self._episode_length += 1
        self._observation = observation
        loss = self.optimize()
        if loss is not None:
            self.history.losses.append(loss)
        finished = None
        if done:
            finished = EpisodeLog(self.step_count, self.episode_count + 1, self._episode_length,
                                  self.epsilon(self.step_count))
            self.history.episodes.append(finished)
            if self.episode_count % c.target_update == 0:  # the slides' i_episode counts from 0
                self.target.load_state_dict(self.online.state_dict())
            self.episode_count += 1
            self._observation, _ = self.env.reset()
            self._episode_length = 0
        if c.eval_every and self.step_count % c.eval_every == 0:
            self.evaluate_and_keep_best()
        return finished


def train_with_wandb(train_episode: Callable[..., int], loss_fn: Callable[..., torch.Tensor], n_episodes: int,
                     out_dir: str | Path, mode: str = "auto", config: SlidesConfig | None = None,
                     eval_every: int = 10, video_steps: int | None = None) -> Path:
    """The slides' loop, episode by episode, tracked in Weights & Biases as the slides set it up.

    The slides call ``wandb.init(project="week14_dqn", config=config, monitor_gym=True)``, name
    the run ``dqn_cartpole`` and wrap the environment in ``RecordEpisodeStatistics`` and
    ``Monitor``. Gymnasium 1.x has no ``Monitor`` and wandb's ``monitor_gym`` patches only old
    gym's video recorder, so the agent's video is recorded and logged by hand. ``mode="auto"``
    logs online only with a saved API key, offline otherwise: never a login prompt. Returns the
    run's directory (``wandb sync <it>`` uploads an offline run later).
    """
    import wandb

    trainer = SlidesTrainer(config or SlidesConfig())
    trainer.loss_fn = loss_fn
    env = gym.wrappers.RecordEpisodeStatistics(make_env(trainer.config.env_id))  # episode length and return
    env.reset(seed=trainer.config.seed)
    losses: list[float] = []

    def select_action(state: torch.Tensor) -> torch.Tensor:
        action = trainer.act(state.to(trainer.device))
        trainer.step_count += 1
        return torch.tensor([[action]], device=trainer.device)

    def optimize_model() -> None:
        loss = trainer.optimize()
        if loss is not None:
            losses.append(loss)

    Path(out_dir).mkdir(parents=True, exist_ok=True)
    run = wandb.init(project="week14_dqn", name="dqn_cartpole", config=asdict(trainer.config), dir=str(out_dir),
                     mode=resolve_mode(mode), reinit="finish_previous", settings=wandb.Settings(console="off"))
    for i_episode in range(n_episodes):
        losses.clear()
        train_episode(env, trainer.online, trainer.target, trainer.memory, select_action, optimize_model,
                      i_episode, trainer.config.target_update)
        logged = {"episode": i_episode, "episode_length": int(env.length_queue[-1]),
                  "episode_return": float(env.return_queue[-1]), "epsilon": trainer.epsilon(trainer.step_count)}
        if losses:
            logged["loss"] = statistics.fmean(losses)
        if (i_episode + 1) % eval_every == 0:
            logged["eval_mean_length"] = statistics.fmean(trainer.evaluate(trainer.config.eval_episodes))
        wandb.log(logged, step=trainer.step_count)
    video = Path(out_dir) / "agent.mp4"
    record_video(trainer.eval_env, trainer.greedy, video, seed=trainer.config.seed, max_steps=video_steps)
    wandb.log({"agent": wandb.Video(str(video), format="mp4")}, step=trainer.step_count)
    run_dir = Path(run.dir).parent
    run.finish()
    return run_dir
