"""Over-estimation made visible: what the network predicts against what its policy actually gets.

For each state s_t of a greedy episode the network predicts Q(s_t, a_t); the policy then
actually collects the discounted return G_t = r_t + γ r_{t+1} + γ² r_{t+2} + .... With the
plain max in the target, errors in Q are picked up by the max and copied into the targets, so
Q drifts above G; Double DQN lets the online network pick and the target network evaluate,
which removes most of that bias (van Hasselt, Guez and Silver, 2016). Measured on the
state-vector agent (``observation="state"``), whose runs take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from tqdm.auto import tqdm

from dqn_helpers.i18n import _
from dqn_helpers.policy import as_batch
from dqn_helpers.recipe import RecipeAgent, RecipeConfig, make_state_env

HORIZON = 500  # states counted per episode; the episode may run twice as long, so their returns are not cut short


@dataclass
class ValueCheck:
    step: int  # training steps done
    predicted: float  # mean of Q(s_t, a_t) over the counted states
    actual: float  # mean discounted return G_t from those states


def discounted_returns(rewards: list[float], gamma: float) -> np.ndarray:
    """G_t for every t of an episode: r_t + γ G_{t+1}, computed backwards."""
    returns, future = np.zeros(len(rewards)), 0.0
    for t in range(len(rewards) - 1, -1, -1):
        future = rewards[t] + gamma * future
        returns[t] = future
    return returns


def predicted_and_actual(agent: RecipeAgent, env_id: str, gamma: float, seeds: range) -> tuple[float, float]:
    """Mean Q(s_t, a_t) and mean G_t over the first ``HORIZON`` states of greedy episodes, one per seed.

    The episodes may last ``2 * HORIZON`` steps, so a return counted from step t < HORIZON sees at
    least HORIZON more steps (γ^500 < 0.01 for γ = 0.99): the time limit does not cut it short.
    """
    env = make_state_env(env_id, max_episode_steps=2 * HORIZON)
    predicted, actual = [], []
    for seed in seeds:
        observation, _ = env.reset(seed=seed)
        q_taken, rewards, done = [], [], False
        while not done:
            with torch.no_grad():
                q = agent.online(as_batch(observation, agent.device))[0]
            action = int(q.argmax())
            q_taken.append(float(q[action]))
            observation, reward, terminated, truncated, _ = env.step(action)
            rewards.append(float(reward))
            done = terminated or truncated
        predicted += q_taken[:HORIZON]
        actual += discounted_returns(rewards, gamma)[:HORIZON].tolist()
    env.close()
    return float(np.mean(predicted)), float(np.mean(actual))


def track_values(config: RecipeConfig, every: int, episodes: int = 5, progress: bool = True) -> list[ValueCheck]:
    """Train ``config`` (a state-vector recipe) for its ``total_steps``, comparing prediction and reality
    every ``every`` steps on ``episodes`` greedy episodes (seeds 10,000 on, never trained on)."""
    if config.observation != "state":
        raise ValueError("track_values measures the state-vector agent: use observation='state'")
    trainer = config.build()
    checks = []
    steps = range(every, config.total_steps + 1, every)
    for until in tqdm(steps, desc=_("double_dqn={flag}, seed {seed}").format(flag=config.double_dqn, seed=config.seed),
                       disable=not progress):
        trainer.run(until_step=until)
        predicted, actual = predicted_and_actual(trainer.agent, config.env_id, config.gamma,
                                                 range(10_000, 10_000 + episodes))
        checks.append(ValueCheck(trainer.step_count, predicted, actual))
    return checks
