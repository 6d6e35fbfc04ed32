# %% [markdown]
# # Lesson 03 — Replay memory
#
# The algorithm box on the slides starts with *"Initialise an empty replay memory"*, and step 4
# adds every experience to it: the state `s`, the action `a`, the reward `R(s, a)` and the next
# state `S(s, a)`. Step 5 trains on a random **minibatch** drawn from it.
#
# Why not learn from each step as it happens? Consecutive steps are nearly identical, so a
# network trained on them in order chases whatever the last few seconds looked like and forgets
# the rest. Sampling old and new experience at random breaks that correlation, and lets every
# experience be learnt from many times.
#
# ### Key equation: learning from a memory
#
# With a memory $\mathcal{D}$ of transitions, DQN minimises the average TD error over
# transitions drawn **uniformly** from it (Mnih et al., 2013 and 2015):
#
# $$L(\theta) = \mathbb{E}_{(s, a, r, s') \sim U(\mathcal{D})}\Big[\big(r + \gamma \max_{a'} Q(s', a'; \theta^-) - Q(s, a; \theta)\big)^2\Big]$$
#
# Each update estimates this expectation with a random minibatch, `memory.sample(BATCH_SIZE)`:
# transitions from many episodes and moments at once, so one gradient step does not follow
# whatever the last few steps happened to look like. ($\theta^-$ are the target network's
# weights, lesson 06.)
#
# In this lesson you will:
#
# 1. build the slides' `ReplayMemory` (a bounded queue, sampled at random);
# 2. fill it with real CartPole experience, and turn a sampled batch "inside out", as the
#    slides do in one line;
# 3. see what a `None` next state means, and why a time limit must not produce one;
# 4. count what the slides' memory costs in bytes, and what a compact one costs.
#
# **Exercises** (2): `ReplayMemory` (`push`, `sample`, `__len__`) and the batch transposition.

# %% tags=["nbval-ignore-output"] nbval_reason="prints a banner only when the test suite runs in quick mode"
import random
from collections import deque

import torch

import dqn_helpers as dh
from dqn_helpers import checks

Transition = dh.replay.Transition  # the slides' namedtuple('Transition', ('state', 'action', 'next_state', 'reward'))

dh.quick.announce_mode()
random.seed(0)
torch.manual_seed(0)

# %% [markdown]
# ## 1. A transition
#
# One step of experience is a `Transition`, a named tuple with four fields, exactly as on the
# slides: `Transition = namedtuple('Transition', ('state', 'action', 'next_state', 'reward'))`.

# %%
print(Transition._fields)
example = Transition(state="s", action="a", next_state="s'", reward=1.0)
print(example)
print("its reward:", example.reward)

# %% [markdown]
# ## Exercise 1 — `ReplayMemory`
#
# **Goal.** Complete the slides' class: a memory of fixed **capacity** that stores transitions
# and hands out random minibatches. `__init__` is given: the transitions live in a `deque` with
# a maximum length, which silently drops the oldest item when a new one arrives and it is full.
#
# | method | input | output | what it must do |
# |---|---|---|---|
# | `push(*args)` | the four fields, in `Transition`'s order: `state, action, next_state, reward` | nothing | store them as one `Transition` |
# | `sample(batch_size)` | an `int` $B$ ≤ `len(memory)` | a `list` of $B$ `Transition`s | $B$ **distinct** transitions, drawn uniformly at random; the memory is left as it was |
# | `__len__()` | — | an `int` | how many transitions are stored now (not the capacity) |
#
# **Example:** `m = ReplayMemory(3)`, then 5 pushes of transitions #1..#5: `len(m)` is 3, and
# `m.sample(2)` returns 2 different transitions out of #3, #4 and #5.
#
# <details><summary>Hint 1 — the idea</summary>
#
# The deque already does the bookkeeping of capacity: push only appends. Sampling must never pick
# the same transition twice in one batch (that would be drawing *with* replacement).
# </details>
#
# <details><summary>Hint 2 — the API</summary>
#
# `Transition(*args)` builds the named tuple from the pushed values; `deque.append(x)` adds
# at the end; `random.sample(population, k)` draws `k` distinct items; `len(a_deque)` counts.
# </details>
#
# <details><summary>Hint 3 — almost the answer</summary>
#
# ```
# push:     self.memory.<add>(Transition(<the args, unpacked>))
# sample:   return random.<draw k distinct>(self.memory, batch_size)
# __len__:  return <size of self.memory>
# ```
# </details>

# %%
class ReplayMemory:
    def __init__(self, capacity):
        self.memory = deque([], maxlen=capacity)

    def push(self, *args):
        """Save a transition."""
        ### BEGIN SOLUTION
        self.memory.append(Transition(*args))
        ### END SOLUTION

    def sample(self, batch_size):
        ### BEGIN SOLUTION
        return random.sample(self.memory, batch_size)
        ### END SOLUTION

    def __len__(self):
        ### BEGIN SOLUTION
        return len(self.memory)
        ### END SOLUTION


# %%
ReplayMemory = checks.check_replay_memory(ReplayMemory)

# %% [markdown]
# ### Deep dive: how the course writes it
#
# `dh.replay.ReplayMemory` is the slides' class with a clear error when a batch is asked for
# too early (section 5 shows it):

# %%
dh.display.show_source(dh.replay.ReplayMemory.sample)

# %% [markdown]
# ## 2. Filling it with real experience
#
# Let's collect experience as the slides' training loop does: the state is the difference of
# two `get_screen()` images (lesson 02), actions are random for now, and after each step we
# push `(state, action, next_state, reward)`, with the action and reward as small tensors. We
# write the loop with gymnasium's `terminated` and `truncated`; section 3 explains the one place
# where that matters.

# %%
env = dh.env.make_env("CartPole-v0")
memory = ReplayMemory(10_000)
env.action_space.seed(0)
for episode in range(10):
    env.reset(seed=episode)
    last_screen = dh.screen.get_screen(env)
    current_screen = dh.screen.get_screen(env)
    state = current_screen - last_screen
    terminated = truncated = False
    while not (terminated or truncated):
        action = torch.tensor([[env.action_space.sample()]], dtype=torch.long)
        _, reward, terminated, truncated, _ = env.step(action.item())
        last_screen, current_screen = current_screen, dh.screen.get_screen(env)
        next_state = None if terminated else current_screen - last_screen
        memory.push(state, action, next_state, torch.tensor([reward]))
        state = next_state
print(f"{len(memory)} transitions from 10 random episodes")

# %% [markdown]
# ## Exercise 2 — turning a batch inside out
#
# **Goal.** `memory.sample(B)` gives a *list of transitions*, one per row. A network wants the
# opposite: one group of all the states, one of all the actions, and so on, so each group can
# become one tensor. Write `transpose_batch(transitions)` that regroups the fields.
#
# * **Input:** a list of $B$ `Transition`s (any $B \geq 1$; some `next_state`s may be `None`).
# * **Output:** **one** `Transition` whose four fields are tuples of length $B$, in the same order
#   as the input: `batch.state[i]` is the state of transition `i`, and so on. Keep the items as
#   they are (no `torch.cat` yet: a `None` cannot be concatenated).
# * **Example:**
#   `[Transition(s0, a0, n0, r0), Transition(s1, a1, None, r1)]` →
#   `Transition(state=(s0, s1), action=(a0, a1), next_state=(n0, None), reward=(r0, r1))`.
#
# It is a transpose: think of the batch as a table with one row per transition and one column
# per field; the result has one row per field.
#
# <details><summary>Hint 1 — the idea</summary>
#
# Python's `zip` pairs up the first items of several sequences, then the second items, and so
# on: zipping the rows of a table gives its columns. The `*` in a call spreads a list into
# separate arguments.
# </details>
#
# <details><summary>Hint 2 — the API</summary>
#
# `list(zip(*[(1, 2), (3, 4)]))` is `[(1, 3), (2, 4)]`. `Transition(a, b, c, d)` names four
# values; `Transition(*four_things)` does the same with a sequence of four.
# </details>
#
# <details><summary>Hint 3 — almost the answer</summary>
#
# ```
# columns = zip(*<the list of transitions>)   # one tuple per field
# return Transition(*<columns>)
# ```
# </details>

# %%
def transpose_batch(transitions):
    """[Transition(s0, a0, n0, r0), Transition(s1, ...), ...] -> Transition((s0, s1, ...), (a0, ...), ...)"""
    ### BEGIN SOLUTION
    return Transition(*zip(*transitions))
    ### END SOLUTION


# %%
transpose_batch = checks.check_transpose_batch(transpose_batch)

# %% [markdown]
# **How the slides write it**, in their `optimize_model()`: one line,
# `batch = Transition(*zip(*transitions))` (the comment on the slides points to a Stack Overflow
# answer about this idiom). `zip(*transitions)` yields the four columns, and `Transition(*...)`
# gives them their names back. With the batch transposed, each field becomes one tensor with
# `torch.cat`, which is what the learning step (lesson 06) does:

# %%
batch = transpose_batch(memory.sample(8))
state_batch = torch.cat(batch.state)
action_batch = torch.cat(batch.action)
reward_batch = torch.cat(batch.reward)
non_final_mask = torch.tensor([s is not None for s in batch.next_state], dtype=torch.bool)
print("states: ", tuple(state_batch.shape))
print("actions:", tuple(action_batch.shape), action_batch.flatten().tolist())
print("rewards:", tuple(reward_batch.shape), reward_batch.tolist())
print("non-final next states:", non_final_mask.tolist())

# %% [markdown]
# ## 3. What `None` means: the end of the world, not the end of the clock
#
# A next state of `None` tells the learning step "there is no future here": the target for that
# transition is just the reward, with no estimate of what comes after. That is right when the
# pole fell (**terminated**). It is wrong when the episode was only stopped by the time limit
# (**truncated**): the pole was still up, and the state had a future worth many more rewards.
#
# The slides' loop uses old gym's single `done` flag, `next_state = None if done`, so it treats
# a time-limit stop as a fall. Their agent rarely lasted 200 steps, so it rarely mattered; an
# agent that learns to balance meets the time limit in every episode. Here is such an episode,
# played by lesson 01's hand-made controller on CartPole-v0:

# %%
episode = dh.env.run_episode(env, lambda obs: int(obs[2] + 0.5 * obs[3] > 0), seed=0)
done = episode.terminated or episode.truncated
print(f"{episode.length} steps, terminated={episode.terminated}, truncated={episode.truncated}")
print("the slides store next_state = None:", done)
print("correct: store next_state = None only if terminated:", episode.terminated)

# %% [markdown]
# ## 4. The memory bill
#
# Each slides' transition holds a state and a next state, float32 screens of 3x40x90 values,
# four bytes each.
#
# **Predict first:** how many bytes does the memory we just filled hold per transition?
# (Hint: look at the loop in section 2: what is `state` in the step after a push?)

# %%
screen_bytes = state_batch[0].element_size() * state_batch[0].nelement()
per_transition = dh.replay.bytes_per_transition(memory.memory)  # tensor storage, each counted once
print(f"one screen: {screen_bytes:,} bytes; two per transition would be {2 * screen_bytes:,}")
print(f"the memory above really holds {per_transition:,.0f} bytes per transition")
print(f"the next state of one transition is the state of the next one, the same tensor: "
      f"{memory.memory[0].next_state is memory.memory[1].state}")
for capacity in (10_000, 100_000):
    print(f"{capacity:>7,} transitions: {capacity * per_transition / 1e9:5.2f} GB")

# %% [markdown]
# <details><summary>Why about one screen, not two (open after running the cell)</summary>
#
# The loop does `state = next_state`: the tensor pushed as this transition's `next_state` is
# pushed again as the next transition's `state`. The memory stores references, so each screen
# difference is allocated once and shared by two transitions (the small action and reward
# tensors and the final screens of episodes add a little).
# </details>
#
# The recipe stores things differently (`dh.replay.FrameReplay`):
#
# * a frame is a 30x90 **grayscale uint8** image: 2,700 bytes instead of 43,200;
# * each frame is stored **once**, in a ring of preallocated arrays, with the action, reward and
#   whether the episode ended; a state (the last 4 frames) and the next state are rebuilt from
#   frame indices when a batch is sampled;
# * the last frame of an episode is kept too, so a truncated episode can still bootstrap.

# %%
compact = dh.replay.FrameReplay(capacity=100_000, frame_shape=(30, 90), stack=4, seed=0)
print(f"FrameReplay: {compact.bytes_per_transition:,.0f} bytes per transition "
      f"({per_transition / compact.bytes_per_transition:.0f}x less than the slides' {per_transition:,.0f})")
slides_total, recipe_total = 10_000 * per_transition, 100_000 * compact.bytes_per_transition
print(f"the slides' 10,000 transitions: {slides_total / 1e9:.2f} GB; the recipe's 100,000: "
      f"{recipe_total / 1e9:.2f} GB ({slides_total / recipe_total:.1f}x less memory for 10x the history)")

# %% [markdown]
# It is filled episode by episode: `start(first_frame)`, then `add(action, reward, next_frame,
# terminated)` after every step. Sampling gives stacked states ready for the network:

# %%
pixel_env = dh.pixels.make_pixel_env("CartPole-v1", stack=4)
observation, _ = pixel_env.reset(seed=0)
compact.start(observation[-1])
pixel_env.action_space.seed(0)
for _ in range(300):
    action = pixel_env.action_space.sample()
    observation, reward, terminated, truncated, _ = pixel_env.step(action)
    compact.add(action, reward, observation[-1], terminated)
    if terminated or truncated:
        observation, _ = pixel_env.reset()
        compact.start(observation[-1])
sample = compact.sample(32)
print(f"{len(compact)} transitions stored")
print("states:", sample.states.shape, sample.states.dtype, "| next states:", sample.next_states.shape)
print("non-final:", int(sample.non_final.sum()), "of", len(sample.non_final))

# %% [markdown]
# ## 5. When the input is wrong
#
# Asking for a bigger batch than the memory holds is a classic first-step bug (the slides'
# `optimize_model` returns early until the memory has `BATCH_SIZE` transitions for this reason).
# `random.sample` would answer with a bare `ValueError: Sample larger than population`; the
# course's memories say what is going on:

# %%
small = dh.replay.ReplayMemory(100)
small.push("s", "a", "s'", 1.0)
try:
    small.sample(128)
except dh.replay.NotEnoughTransitions as error:
    print("NotEnoughTransitions:", error)

# %% [markdown]
# ## Recap
#
# * A replay memory stores `Transition(state, action, next_state, reward)`s in a bounded queue
#   and serves random minibatches, breaking the correlation between consecutive steps.
# * `Transition(*zip(*batch))` turns a list of transitions into a transition of tuples, ready for
#   `torch.cat`.
# * `next_state = None` means the episode **terminated**. A time-limit **truncation** keeps its
#   next state, so the agent still values the future it would have had.
# * The slides' memory holds about one float32 3x40x90 screen per transition (a next state is
#   shared with the following transition's state); uint8 30x90 frames stored once cost far
#   less, so the recipe keeps 10x the history in less memory (section 4 prints the numbers).
#
# **Next, lesson 04:** the Q-network that learns from these batches.
#
# ## Quiz
#
# Replace each `"?"` with your choice and run the cell: a wrong choice is answered with a reason.

# %%
quiz = dh.quiz.Quiz("03")
quiz

# %%
quiz.answer(1, "?")
quiz.answer(2, "?")
quiz.answer(3, "?")
