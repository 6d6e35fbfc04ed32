"""Replay memories: the slides' deque and the compact frame ring, on hand-made episodes."""

import random

import numpy as np
import pytest
import torch

from dqn_helpers.replay import FrameReplay, NotEnoughTransitions, ReplayMemory, Transition


def test_replay_memory_keeps_the_newest_and_samples_distinct():
    memory = ReplayMemory(3)
    for i in range(5):
        memory.push(torch.tensor([i]), 0, None, 1.0)
    assert len(memory) == 3
    random.seed(0)
    for _ in range(20):
        batch = memory.sample(3)
        assert sorted(int(t.state) for t in batch) == [2, 3, 4]
        assert all(isinstance(t, Transition) for t in batch)


def test_sampling_more_than_held_is_a_clear_error():
    memory = ReplayMemory(10)
    memory.push("s", "a", "s'", 1.0)
    with pytest.raises(NotEnoughTransitions, match="holds only 1"):
        memory.sample(2)
    with pytest.raises(ValueError, match="at least 1"):
        ReplayMemory(0)


def frame(value):
    return np.full((2, 3), value, dtype=np.uint8)


def play(buffer, episodes):
    """episodes: list of (length, terminated). Frame values count up from 1 across all steps."""
    value = 1
    for length, terminated in episodes:
        buffer.start(frame(value))
        for t in range(length):
            value += 1
            buffer.add(action=t % 2, reward=1.0, next_frame=frame(value), no_bootstrap=terminated and t == length - 1)
        value += 1
    return buffer


def sample_many(buffer, n, **kwargs):
    """n samples, drawn in batches no larger than what the buffer holds."""
    batches = [buffer.sample(len(buffer), **kwargs) for _ in range(-(-n // len(buffer)))]
    fields = batches[0].__dataclass_fields__
    return type(batches[0])(*(np.concatenate([getattr(b, f) for b in batches]) for f in fields))


def ids(stacks):
    return stacks[:, :, 0, 0].tolist()  # frame values identify frames


def test_stacks_repeat_the_first_frame_at_an_episode_start():
    buffer = play(FrameReplay(50, (2, 3), stack=3, seed=0), [(4, True), (3, False)])
    buffer.rng = np.random.default_rng(0)
    slots = np.arange(buffer.capacity)[buffer.has_next]
    states = buffer.frames[buffer._stacks(slots)]
    assert ids(states) == [[1, 1, 1], [1, 1, 2], [1, 2, 3], [2, 3, 4], [6, 6, 6], [6, 6, 7], [6, 7, 8]]


def test_only_termination_zeroes_the_future():
    buffer = play(FrameReplay(50, (2, 3), stack=2, seed=0), [(4, True), (3, False)])
    batch = sample_many(buffer, 400)
    final_of_terminated = batch.states[:, -1, 0, 0] == 4
    final_of_truncated = batch.states[:, -1, 0, 0] == 8
    assert final_of_terminated.any() and final_of_truncated.any()
    assert not batch.non_final[final_of_terminated].any()
    assert batch.non_final[final_of_truncated].all()
    # the truncated episode's last transition bootstraps from its real final frame
    assert (batch.next_states[final_of_truncated][:, -1, 0, 0] == 9).all()


def test_n_step_returns_sum_rewards_within_an_episode():
    buffer = play(FrameReplay(50, (2, 3), stack=1, seed=0), [(4, True), (5, False)])
    batch = sample_many(buffer, 500, gamma=0.5, n_step=3)
    first = batch.states[:, 0, 0, 0]
    for start, reward, discount, non_final, next_first in [
        (1, 1.75, 0.125, True, 4),  # 3 full steps
        (3, 1.5, 0.25, False, 5),  # terminates after 2 steps
        (6, 1.75, 0.125, True, 9),
        (9, 1.5, 0.25, True, 11),  # truncated: bootstrap from the final frame after 2 steps
        (10, 1.0, 0.5, True, 11),
    ]:
        rows = first == start
        assert rows.any(), start
        assert np.allclose(batch.rewards[rows], reward)
        assert np.allclose(batch.discounts[rows], discount)
        assert (batch.non_final[rows] == non_final).all()
        assert (batch.next_states[rows][:, 0, 0, 0] == next_first).all()


def test_wrapping_retires_transitions_that_lost_their_history():
    buffer = play(FrameReplay(12, (2, 3), stack=3, seed=0), [(30, False)])
    assert len(buffer) == 12 - 3  # the newest frame has no next yet; 2 lost their history
    batch = sample_many(buffer, 500)
    states = batch.states[:, :, 0, 0]
    assert (np.diff(states, axis=1) == 1).all()  # every stack is 3 consecutive frames
    assert (batch.next_states[:, -1, 0, 0] == states[:, -1] + 1).all()


def test_compact_buffer_is_twenty_times_smaller_than_the_slides():
    buffer = FrameReplay(100_000, (30, 90), stack=4)
    assert buffer.bytes_per_transition <= 86_400 / 20


def test_state_dict_round_trip_resumes_sampling():
    buffer = play(FrameReplay(40, (2, 3), stack=2, seed=3), [(10, True), (6, False)])
    copy = FrameReplay(40, (2, 3), stack=2)
    copy.load_state_dict(buffer.state_dict())
    a, b = buffer.sample(16), copy.sample(16)
    assert np.array_equal(a.states, b.states) and np.array_equal(a.rewards, b.rewards)


def test_frame_replay_refuses_bad_use():
    with pytest.raises(ValueError, match="capacity"):
        FrameReplay(3, (2, 3), stack=4)
    buffer = FrameReplay(10, (2, 3), stack=2)
    with pytest.raises(ValueError, match="start"):
        buffer.add(0, 1.0, frame(1), False)
    buffer.start(frame(1))
    with pytest.raises(NotEnoughTransitions, match="holds only 0"):
        buffer.sample(1)


def test_the_slides_memory_counts_a_screen_shared_by_two_transitions_once():
    memory = ReplayMemory(10)
    screens = [torch.rand(1, 3, 40, 90) for _ in range(4)]
    for i in range(3):  # as the slides' loop pushes: next_state is the next transition's state
        memory.push(screens[i], torch.tensor([[0]]), screens[i + 1], torch.tensor([1.0]))
    screen, small = 3 * 40 * 90 * 4, 8 + 4
    assert memory.bytes_per_transition == (4 * screen + 3 * small) / 3
    copies = ReplayMemory(10)
    for i in range(3):  # distinct tensors: each counted
        copies.push(screens[i].clone(), torch.tensor([[0]]), screens[i + 1].clone(), torch.tensor([1.0]))
    assert copies.bytes_per_transition == (6 * screen + 3 * small) / 3
