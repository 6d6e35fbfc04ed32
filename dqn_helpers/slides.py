"""The slides' training code, as they teach it, ported to gymnasium and made resumable.

Kept exactly: the state is the difference of two ``get_screen()`` screens (3x40x90 float32),
``next_state`` is ``None`` whenever the episode ends (truncation too), the BatchNorm CNN acts in
train mode, RMSprop with its defaults, batch 128, γ = 0.999, Huber loss, every gradient entry
clamped to [-1, 1], one update per step, ε = 0.05 + 0.85·exp(-steps/200), a 10,000-transition
memory and a target copy after every 10th episode. Lesson 06 runs it for its 50
episodes, too few to learn. ``SlidesAgent`` is what differs from the recipe (``recipe.RecipeAgent``); the loop,
evaluation and saving are the shared ``loop.Trainer``.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass
from itertools import count
from pathlib import Path
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from dqn_helpers.env import make_env, require_cartpole
from dqn_helpers.i18n import N_, _
from dqn_helpers.loop import BuildsTrainer, UpdateLog
from dqn_helpers.model import SlidesDQN
from dqn_helpers.policy import ExponentialEpsilon, greedy_action, select_action
from dqn_helpers.replay import ReplayMemory, Transition
from dqn_helpers.screen import get_screen, slides_screen_shape
from dqn_helpers.settings import (
    ENV_ID,
    EPISODES,
    EVAL_EPISODES,
    FINITE_POSITIVE,
    PROBABILITY,
    SEED,
    STEPS,
    SettingsError,
    between,
    check_memory,
)
from dqn_helpers.tracking import resolve_mode
from dqn_helpers.update import gradient_step
from dqn_helpers.video import record_video


@dataclass
class SlidesConfig(BuildsTrainer):
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
    steps_after_solved: int | None = None  # the slides train their whole budget
    device: str = "auto"

    RANGES: ClassVar[dict] = {
        "env_id": ENV_ID, "seed": SEED,
        "num_episodes": EPISODES, "total_steps": STEPS, "batch_size": between(1, 65_536), "gamma": PROBABILITY,
        "eps_start": PROBABILITY, "eps_end": PROBABILITY, "eps_decay": FINITE_POSITIVE, "target_update": EPISODES,
        "memory_size": between(1, 10**9), "eval_every": between(0, 10**10), "eval_episodes": EVAL_EPISODES,
        "final_eval_episodes": EVAL_EPISODES, "steps_after_solved": between(0, 10**10),
    }

    def __post_init__(self) -> None:
        if self.batch_size > self.memory_size:
            raise SettingsError(f"batch_size ({self.batch_size}) must be at most memory_size ({self.memory_size}): "
                                "a batch is drawn from what the memory holds")
        # each transition keeps two float32 screen differences (state and next state) of 3x40x90
        check_memory(self.memory_size * 2 * 3 * 40 * 90 * 4, N_("the replay memory"), "memory_size")

    def make_env(self) -> gym.Env:
        return make_slides_env(self.env_id)

    def make_agent(self, env: gym.Env, device: torch.device) -> SlidesAgent:
        return SlidesAgent(self, env.observation_space.shape, int(env.action_space.n), device)


class ScreenDifference(gym.Wrapper):
    """Observations are the slides' state: ``current_screen - last_screen``, (1, 3, 40, 90)."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        require_cartpole(env, N_("the slides' get_screen()"))
        cartpole = env.unwrapped
        height, width = slides_screen_shape(cartpole.screen_height, cartpole.screen_width)
        self.observation_space = gym.spaces.Box(-1.0, 1.0, (1, 3, height, width), dtype=np.float32)
        self._last = self._current = None

    def reset(self, **kwargs: Any):
        _, info = self.env.reset(**kwargs)
        self._last = get_screen(self.env)
        self._current = get_screen(self.env)
        return self._current - self._last, info

    def step(self, action: int):
        _, reward, terminated, truncated, info = self.env.step(action)
        self._last, self._current = self._current, get_screen(self.env)
        return self._current - self._last, reward, terminated, truncated, info

    def state_dict(self) -> dict[str, Any]:
        return {"last": self._last, "current": self._current}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self._last, self._current = state["last"], state["current"]


def make_slides_env(env_id: str = "CartPole-v0") -> gym.Env:
    return ScreenDifference(make_env(env_id, render_mode="rgb_array"))


def make_difference_env(env_id: str = "CartPole-v1") -> gym.Env:
    """The slides' observation as a NumPy array, (1, 3, 40, 90) float32: for the recipe's agent
    (lesson 08's ablation), whose replay and network take arrays of shape (stack, ...)."""
    env = make_slides_env(env_id)
    space = gym.spaces.Box(-1.0, 1.0, env.observation_space.shape, dtype=np.float32)
    return gym.wrappers.TransformObservation(env, lambda screen: screen.numpy(), space)


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


class SlidesAgent:
    """The slides' acting, memory and update, as their loop does them, one step at a time."""

    def __init__(self, config: SlidesConfig, observation_shape: tuple[int, ...], n_actions: int,
                 device: torch.device) -> None:
        self.config, self.n_actions, self.device = config, n_actions, device
        _, _, height, width = observation_shape
        self.online = SlidesDQN(height, width, n_actions).to(device)
        self.target = SlidesDQN(height, width, n_actions).to(device)
        self.target.load_state_dict(self.online.state_dict())
        self.target.eval()
        self.optimizer = torch.optim.RMSprop(self.online.parameters())
        self.memory = ReplayMemory(config.memory_size)
        self.epsilon = ExponentialEpsilon(config.eps_start, config.eps_end, config.eps_decay)
        self.loss_fn = slides_loss  # lesson 06 plugs the student's compute_loss in here
        self._copy_target = False
        self._stored: tuple[torch.Tensor | None, torch.Tensor | None] = (None, None)

    # BatchNorm acts in train mode, as in the slides: the batch's own statistics shape each
    # action, so evaluation episodes are played one at a time, each action from a batch of one.
    eval_batch = 1

    def greedy(self, observation: torch.Tensor) -> int:
        return greedy_action(self.online, observation.to(self.device))

    def greedy_batch(self, observations: list[torch.Tensor]) -> list[int]:
        return [self.greedy(observation) for observation in observations]

    def solved(self) -> None:
        """Nothing changes: the slides train on whatever the outcome."""

    def act(self, observation: torch.Tensor, step: int) -> int:
        """ε-greedy with the slides' schedule, drawing from Python's global generator as they do."""
        return select_action(self.online, observation.to(self.device), self.epsilon(step), self.n_actions)

    def begin_episode(self, observation: torch.Tensor) -> None:
        """Nothing to do: the slides store whole states, not an episode's frames."""

    def remember(self, observation: torch.Tensor, action: int, reward: float, next_observation: torch.Tensor,
                 terminated: bool, truncated: bool) -> None:
        """Push (state, action, next_state, reward); ``next_state`` is None when the episode ends at all."""
        source, on_device = self._stored  # the previous next state *is* this state: store it once
        state = on_device if source is observation else observation.to(self.device)
        next_state = None if terminated or truncated else next_observation.to(self.device)
        self._stored = (next_observation, next_state)
        self.memory.push(state, torch.tensor([[action]], device=self.device), next_state,
                         torch.tensor([reward], device=self.device))

    def end_episode(self, index: int) -> None:
        """The slides copy the target after episodes 0, 10, 20...: after this step's update."""
        self._copy_target = index % self.config.target_update == 0

    def learn(self, step: int) -> UpdateLog | None:
        update = self.optimize()
        if self._copy_target:
            self.target.load_state_dict(self.online.state_dict())
            self._copy_target = False
        return update

    def optimize(self) -> UpdateLog | None:
        """The slides' ``optimize_model()``: once the memory holds a batch, one RMSprop step."""
        if len(self.memory) < self.config.batch_size:
            return None
        loss = self.loss_fn(self.memory.sample(self.config.batch_size), self.online, self.target, self.config.gamma)
        gradient_step(self.online, self.optimizer, loss, clip_value=1.0)  # every entry clamped to [-1, 1]
        return UpdateLog(float(loss.item()))

    def state_dict(self) -> dict[str, Any]:
        """Networks, optimiser and the memory's transitions (shared screens are saved once)."""
        return {"online": self.online.state_dict(), "target": self.target.state_dict(),
                "optimizer": self.optimizer.state_dict(), "memory": [tuple(t) for t in self.memory.memory]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.online.load_state_dict(state["online"])
        self.target.load_state_dict(state["target"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.memory.memory.clear()
        for transition in state["memory"]:
            self.memory.push(*(None if t is None else t.to(self.device) for t in transition))
        self._stored = (None, None)


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

    trainer = (config or SlidesConfig()).build()
    agent = trainer.agent
    agent.loss_fn = loss_fn
    env = gym.wrappers.RecordEpisodeStatistics(make_env(trainer.config.env_id))  # episode length and return
    env.reset(seed=trainer.config.seed)
    losses: list[float] = []

    def select_action(state: torch.Tensor) -> torch.Tensor:
        action = agent.act(state.to(trainer.device), trainer.step_count)
        trainer.step_count += 1
        return torch.tensor([[action]], device=trainer.device)

    def optimize_model() -> None:
        update = agent.optimize()
        if update is not None:
            losses.append(update.loss)

    Path(out_dir).mkdir(parents=True, exist_ok=True)
    run = wandb.init(project="week14_dqn", name="dqn_cartpole", config=asdict(trainer.config), dir=str(out_dir),
                     mode=resolve_mode(mode), reinit="finish_previous",
                     settings=wandb.Settings(console="off", silent=True))
    for i_episode in tqdm(range(n_episodes), desc=_("tracked with W&B"), unit=_("episode")):
        losses.clear()
        train_episode(env, agent.online, agent.target, agent.memory, select_action, optimize_model,
                      i_episode, trainer.config.target_update)
        logged = episode_metrics(env, i_episode, agent.epsilon(trainer.step_count), losses)
        if (i_episode + 1) % eval_every == 0:
            logged["eval_mean_length"] = statistics.fmean(trainer.evaluate(trainer.config.eval_episodes))
        wandb.log(logged, step=trainer.step_count)
    video = Path(out_dir) / "agent.mp4"
    record_video(trainer.eval_env, agent.greedy, video, seed=trainer.config.seed, max_steps=video_steps)
    wandb.log({"agent": wandb.Video(str(video), format="mp4")}, step=trainer.step_count)
    run_dir = Path(run.dir).parent
    run.finish()
    return run_dir


def episode_metrics(env: gym.wrappers.RecordEpisodeStatistics, i_episode: int, epsilon: float,
                    losses: list[float]) -> dict[str, float]:
    """What the slides' W&B run logs per episode: its length and return, ε, the mean loss."""
    logged = {"episode": i_episode, "episode_length": int(env.length_queue[-1]),
              "episode_return": float(env.return_queue[-1]), "epsilon": epsilon}
    if losses:
        logged["loss"] = statistics.fmean(losses)
    return logged
