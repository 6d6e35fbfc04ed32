"""make_env, run_episode and the random baseline, on real gymnasium environments."""

import numpy as np
import pytest
import torch

import dqn_helpers as dh


def controller(observation):
    return int(observation[2] + 0.5 * observation[3] > 0)


def test_make_env_renders_frames_without_a_display():
    env = dh.env.make_env("CartPole-v1")
    env.reset(seed=0)
    frame = env.render()
    assert frame.shape == (400, 600, 3) and frame.dtype == np.uint8
    assert env.spec.max_episode_steps == 500


def test_cartpole_v0_is_made_without_a_deprecation_warning(recwarn):
    env = dh.env.make_env("CartPole-v0", render_mode=None)
    assert env.spec.max_episode_steps == 200
    assert not [w for w in recwarn if "out of date" in str(w.message)]


@pytest.mark.parametrize(
    ("env_id", "suggestion"),
    [("Cartpole-v1", "'CartPole-v1'"), ("CartPole-v9", "'CartPole-v0'"), ("Pong", "CartPole-v1")],
)
def test_unknown_environment_id_names_the_problem(env_id, suggestion):
    with pytest.raises(dh.errors.UnknownEnvironmentError) as error:
        dh.env.make_env(env_id)
    assert repr(env_id) in str(error.value) and suggestion in str(error.value)
    assert isinstance(error.value, ValueError)


def test_bad_render_mode_is_refused():
    with pytest.raises(dh.errors.RenderModeError, match="rgb_array"):
        dh.env.make_env("CartPole-v1", render_mode="rgb")


def test_run_episode_tells_termination_from_truncation():
    env = dh.env.make_env("CartPole-v0", render_mode=None)
    fallen = dh.env.run_episode(env, lambda observation: 0, seed=0)
    assert fallen.terminated and not fallen.truncated and 5 < fallen.length < 20
    balanced = dh.env.run_episode(env, controller, seed=0)
    assert balanced.truncated and not balanced.terminated and balanced.length == 200
    assert balanced.total_reward == 200.0


def test_run_episode_is_reproducible_with_a_seed():
    env = dh.env.make_env("CartPole-v1", render_mode=None)
    lean = lambda observation: int(observation[2] > 0)  # noqa: E731
    lengths = [dh.env.run_episode(env, lean, seed=seed).length for seed in (3, 4, 3)]
    assert lengths[0] == lengths[2] != lengths[1]


def test_recording_keeps_one_frame_per_state():
    env = dh.env.make_env("CartPole-v1")
    episode = dh.env.run_episode(env, lambda observation: 1, seed=0, record=True)
    assert len(episode.frames) == episode.length + 1
    assert not np.array_equal(episode.frames[0], episode.frames[-1])


def test_recording_needs_rgb_array_frames():
    env = dh.env.make_env("CartPole-v1", render_mode=None)
    with pytest.raises(dh.errors.RenderModeError, match="render_mode='rgb_array'"):
        dh.env.run_episode(env, lambda observation: 0, record=True)


@pytest.mark.parametrize(
    ("action", "message"),
    [(0.7, "0 = push the cart left"), (2, "0..1"), (torch.tensor([[1]]), "action.item()"),
     (None, "not in the action space")],
)
def test_invalid_action_is_named(action, message):
    env = dh.env.make_env("CartPole-v1", render_mode=None)
    with pytest.raises(dh.errors.InvalidActionError) as error:
        dh.env.run_episode(env, lambda observation: action, seed=0)
    assert message in str(error.value)


def test_max_steps_cuts_an_episode_short():
    env = dh.env.make_env("CartPole-v1", render_mode=None)
    episode = dh.env.run_episode(env, controller, seed=0, max_steps=30)
    assert episode.length == 30 and not (episode.terminated or episode.truncated)


def test_random_baseline_is_reproducible_and_random_level():
    env = dh.env.make_env("CartPole-v1", render_mode=None)
    first = dh.env.random_baseline(env, 200, seed=0)
    again = dh.env.random_baseline(env, 200, seed=0)
    assert first == again
    assert 18 < first < 27  # a random policy lasts about 22 steps


def test_evaluate_policy_needs_at_least_one_episode():
    env = dh.env.make_env("CartPole-v1", render_mode=None)
    with pytest.raises(ValueError, match="at least 1"):
        dh.env.evaluate_policy(env, controller, 0)
    assert dh.env.evaluate_policy(env, controller, 2, seed=0) == [500.0, 500.0]
