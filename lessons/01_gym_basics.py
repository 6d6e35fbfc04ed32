# %% [markdown]
# # Lesson 01 — Gym basics: the CartPole problem
#
# **DQN from Pixels** is a course in eight notebooks. At its end, a deep Q-network balances
# CartPole from rendered screen images only, as the lab slides set out to do. The slides'
# sources are the PyTorch tutorial they follow
# ([Colab](https://colab.research.google.com/github/pytorch/tutorials/blob/gh-pages/_downloads/2b3f06b04b5e96e4772746c20fcb4dcc/reinforcement_q_learning.ipynb))
# and a video they recommend ([YouTube](https://www.youtube.com/watch?v=5Q14EjnOJZc)).
#
# In this lesson you will:
#
# 1. make the CartPole environment and read its observations and actions;
# 2. run the loop of every RL agent: `reset`, then `step` until the episode ends;
# 3. tell the two endings apart: **terminated** (the pole fell) and **truncated** (time is up);
# 4. look at one rendered frame: the pixels our agent will learn from;
# 5. measure a **random policy**: the baseline that later lessons must beat.
#
# **Exercises** (2): the episode loop and the random baseline. After each exercise, a *checker*
# cell says whether your code is right, and if not, what is wrong. If you are stuck, go on: the
# checker then uses a reference implementation, so the rest of the lesson still runs.

# %% [markdown]
# ## 0. Imports
#
# `gymnasium` is the maintained successor of OpenAI's `gym` (which the slides use and which no
# longer installs cleanly next to NumPy 2). We import it under the old name, `gym`, so code from
# the slides reads the same. `dqn_helpers` is this course's own package: the reference
# implementation of everything you build, plus the exercise checkers.

# %% tags=["nbval-ignore-output"] nbval_reason="prints a banner only when the test suite runs in quick mode"
import gymnasium as gym
import matplotlib.pyplot as plt
import numpy as np

import dqn_helpers as dh
from dqn_helpers import checks

dh.quick.announce_mode()

# %% [markdown]
# ## 1. Making the environment
#
# The slides make the environment with `gym.make('CartPole-v0')` and later ask for pixels with
# `env.render(mode='rgb_array')`. In gymnasium, the render mode is chosen once, when the
# environment is made:

# %%
env = gym.make("CartPole-v1", render_mode="rgb_array")
env

# %% [markdown]
# `gym.make` wraps the bare `CartPoleEnv` in a few layers. For example, `TimeLimit` ends
# episodes after 500 steps.
#
# ### The slides' `gym` next to today's `gymnasium`
#
# | what | the slides (`gym` ≤ 0.25) | this course (`gymnasium` ≥ 1.0) |
# |---|---|---|
# | import | `import gym` | `import gymnasium as gym` |
# | make | `gym.make('CartPole-v0')` | `gym.make("CartPole-v1", render_mode="rgb_array")` |
# | reset | `obs = env.reset()` | `obs, info = env.reset(seed=0)` |
# | step | `obs, reward, done, info = env.step(a)` | `obs, reward, terminated, truncated, info = env.step(a)` |
# | render | `env.render(mode='rgb_array')` | `env.render()` (mode fixed at `make`) |
# | seeding | `env.seed(0)` | `env.reset(seed=0)` and `env.action_space.seed(0)` |
# | videos | `gym.wrappers.Monitor(env, "videos")` | `dh.video.record_video(...)` (or `gymnasium.wrappers.RecordVideo`) |
# | on Colab | `apt install xvfb`, `pyvirtualdisplay` | nothing: `rgb_array` draws off-screen |
#
# About the last row: old `gym` drew every frame in a real window. A server without a screen
# (like Colab) then needed a *virtual* display: the slides' `xvfb` / `pyvirtualdisplay` cell.
# Gymnasium's CartPole draws off-screen in `rgb_array` mode, so that cell is not needed.

# %% [markdown]
# ## 2. Observations and actions
#
# The **observation space** says what the agent sees. For CartPole it is a vector of four
# numbers: cart position, cart velocity, pole angle (radians) and pole angular velocity.

# %%
print("observation space:", env.observation_space)
print("action space:     ", env.action_space)

# %% [markdown]
# The **action space** `Discrete(2)` has two actions, as in the slides' table:
#
# | action | meaning |
# |---|---|
# | 0 | push the cart to the left |
# | 1 | push the cart to the right |
#
# `reset` starts an episode and returns the first observation and an `info` dictionary. Passing
# a `seed` makes the episode reproducible: the same seed, the same starting state.

# %%
observation, info = env.reset(seed=0)
print("first observation:", np.round(observation, 4))
print("info:", info)

# %% [markdown]
# `step(action)` advances the physics by 0.02 s and returns **five** values (old `gym` returned
# four):

# %%
observation, reward, terminated, truncated, info = env.step(1)  # push right
print("observation:", np.round(observation, 4))
print("reward:", reward, "| terminated:", terminated, "| truncated:", truncated)

# %% [markdown]
# Every step the pole stays up earns reward 1, so an episode's **return** (total reward) is
# simply its length in steps.
#
# ## 3. How an episode ends: terminated or truncated
#
# * **terminated**: the task itself ended: the pole leaned more than 12° or the cart left the
#   track (|x| > 2.4). Nothing follows this state; its future value is zero.
# * **truncated**: the time limit stopped the episode. The pole may have been perfectly
#   balanced; the future did not end, we just stopped watching.
#
# Old `gym` merged both into one `done` flag. For DQN the difference matters: the learning
# target adds "the value of the next state" *only* when the episode did not terminate, and a
# time-limit stop is not a termination (lesson 03 and lesson 06 come back to this).
#
# The two CartPole versions differ in their time limit and in the score that counts as
# "solved" (the average return over 100 consecutive episodes):

# %%
for env_id in ["CartPole-v0", "CartPole-v1"]:
    spec = gym.spec(env_id)
    print(f"{env_id}: episodes truncated after {spec.max_episode_steps} steps, "
          f"solved at an average return of {spec.reward_threshold}")

# %% [markdown]
# Let's see both endings. `dh.env.run_episode` is the course's helper that plays one whole episode
# with a policy (a function from observation to action). We try two policies: one that always
# pushes left, and a small hand-made controller that pushes towards the side the pole is
# falling to.
#
# **Predict first.** For each of the two: will the episode end by *termination* or by
# *truncation*, and after roughly how many steps? Write your guess down, then run the cell.

# %%
def always_left(observation):
    return 0


def hand_made_controller(observation):
    cart_position, cart_velocity, pole_angle, pole_velocity = observation
    return int(pole_angle + 0.5 * pole_velocity > 0)  # push towards the side it falls to


for name, policy in [("always left", always_left), ("hand-made controller", hand_made_controller)]:
    episode = dh.env.run_episode(env, policy, seed=0)
    print(f"{name:>21}: {episode.length:3d} steps, "
          f"terminated={episode.terminated}, truncated={episode.truncated}")

# %% [markdown]
# <details><summary>What happened (open after running the cell)</summary>
#
# Always pushing left tips the pole within a few steps: **terminated**. The controller keeps
# the pole up until the clock stops it at 500 steps: **truncated**, with the pole balanced.
# </details>
#
# The hand-made controller has an unfair advantage: it reads the pole's angle and velocity straight
# from the state vector. Our DQN will only get **pixels**.
#
# ### Key equations: return, value, and the Bellman equation
#
# The agent collects rewards $r_0, r_1, r_2, \dots$. As in the slides, $r_t$ is the reward for
# the action $a_t$ taken in state $s_t$ (Sutton & Barto call it $r_{t+1}$). The agent tries to
# maximise the **return** from step $t$: the sum of the rewards from there on, discounted by
# $\gamma \in [0, 1)$, so that sooner counts more:
#
# $$G_t = r_t + \gamma\, r_{t+1} + \gamma^2 r_{t+2} + \dots = \sum_{k=0}^{\infty} \gamma^k r_{t+k}$$
#
# In CartPole every step earns $r = 1$, so with $\gamma = 1$ the return is the episode's length:
# the number `play_episode` will return below.
#
# The **action-value function** of a policy $\pi$ is the return it expects after taking action
# $a$ in state $s$ and following $\pi$ afterwards, $Q^\pi(s, a) = \mathbb{E}_\pi[G_t \mid s_t = s, a_t = a]$.
# The best achievable one, $Q^*$, satisfies the **Bellman optimality equation**: the value of an
# action is its reward plus the discounted value of the best action in the state it leads to,
#
# $$Q^*(s, a) = \mathbb{E}\big[\, r + \gamma \max_{a'} Q^*(s', a') \;\big|\; s, a \big]$$
#
# and acting greedily, $a = \arg\max_a Q^*(s, a)$, is optimal. After a **termination** there is
# no $s'$: the bracket is $r$ alone. After a **truncation** the future did not end, so the
# $\max_{a'}$ term stays (this is why the two endings must be told apart).
#
# **Q-learning** turns the equation into an update: after each step, move the estimate towards
# its right-hand side, $Q(s, a) \leftarrow Q(s, a) + \alpha\,[\,r + \gamma \max_{a'} Q(s', a') - Q(s, a)\,]$.
# With a handful of states a table of $Q(s, a)$ would do; with screens as states there are far
# too many, so a **Deep Q-Network** replaces the table by a network $Q(s, a; \theta)$ trained on
# the same target (lessons 04 and 06): the slides' "Q Learning을 Neural Network로 구현".
#
# *Read next:* Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed.), ch. 3
# (returns, value functions, Bellman equations) and ch. 6.5 (Q-learning).
#
# ## 4. One frame: what the agent will see
#
# In `rgb_array` mode, `env.render()` returns the current scene as an array of pixels: height
# x width x 3 colour channels, values 0–255.

# %%
env.reset(seed=0)
frame = env.render()
print("frame:", frame.shape, frame.dtype, "| min", frame.min(), "max", frame.max())
dh.plots.show_frame(frame, "CartPole-v1 after reset(seed=0)")
plt.show()

# %% [markdown]
# The cart is the black box, the pole the brown bar. From one still frame you can read where
# the cart is and how the pole leans, but not how fast anything moves. Lesson 02 turns these
# frames into the network's input and deals with that.

# %% [markdown]
# ## Exercise 1 — the episode loop
#
# **Goal.** Write `play_episode(env, policy, seed)`: play **one whole episode** of `env`, choosing
# every action with `policy`, and return how many steps it lasted.
#
# * **Input:** `env`, a gymnasium environment (made with `gym.make`); `policy`, a function that
#   takes one observation (a NumPy array of shape `(4,)`) and returns an action (`0` or `1`);
#   `seed`, an `int` (or `None`) that fixes the episode's start.
# * **Output:** an `int`, the number of calls to `env.step` in the episode. It equals the
#   episode's return $G = \sum_{t=0}^{T-1} r_t = T$, since CartPole pays $r_t = 1$ per step.
# * **Rules of the game:** the episode starts with a reset (use the seed), then alternates
#   *observe → act → step*; it ends as soon as the environment says it is **terminated or
#   truncated**. Never call `step` after that.
# * **Example:** section 3 printed how long `always_left` and the hand-made controller last on
#   CartPole-v1 with `seed=0`: `play_episode(env, always_left, seed=0)` must return the first
#   number (the pole falls: terminated), `play_episode(env, hand_made_controller, seed=0)` the
#   second (the time limit: truncated).
#
# <details><summary>Hint 1 — the idea</summary>
#
# Every RL loop looks the same: get a first observation from a reset, then repeat *ask the
# policy → step the environment → keep the new observation* and count, until one of the two
# "episode over" flags comes back `True`.
# </details>
#
# <details><summary>Hint 2 — the API</summary>
#
# `env.reset(seed=...)` returns `(observation, info)`; `env.step(action)` returns
# `(observation, reward, terminated, truncated, info)`. A `while True:` loop with a `return`
# (or `break`) when the episode is over works well.
# </details>
#
# <details><summary>Hint 3 — almost the answer</summary>
#
# ```
# observation, info = env.reset(seed=...)
# steps = 0
# loop forever:
#     action = ...                      # the policy's choice for the latest observation
#     observation, ... = env.step(...)  # five values in gymnasium
#     steps = ...
#     if ... or ...: return steps
# ```
# </details>

# %%
def play_episode(env, policy, seed=None):
    """Play one episode of `env` choosing actions with `policy`; return its length in steps."""
    ### BEGIN SOLUTION
    observation, info = env.reset(seed=seed)
    steps = 0
    while True:
        action = policy(observation)
        observation, reward, terminated, truncated, info = env.step(action)
        steps += 1
        if terminated or truncated:
            return steps
    ### END SOLUTION


# %% [markdown]
# Run the checker. It plays episodes with your function and with the reference (on both time
# limits, with several policies and seeds) and watches every call your code makes. If your
# version passes, the rest of the lesson uses it; if not, it uses the reference
# `dh.env.play_episode`, so you can go on either way.

# %%
play_episode = checks.check_play_episode(play_episode)

# %% [markdown]
# ### Deep dive: how the course writes it
#
# The reference is `dh.env.play_episode`. It plays the episode with the
# course's general helper `run_episode`, which can also record frames and checks every action:

# %%
dh.display.show_source(dh.env.play_episode)

# %%
dh.display.show_source(dh.env.run_episode)

# %% [markdown]
# ## Exercise 2 — the random baseline
#
# **Goal.** How good is an agent that knows nothing? Write `random_baseline(env, n_episodes)`:
# play `n_episodes` whole episodes, choosing **every action uniformly at random**, and return
# the **mean episode length**
# $\bar{T} = \frac{1}{N}\sum_{i=1}^{N} T_i$.
#
# * **Input:** `env` (a CartPole environment), `n_episodes` (an `int` ≥ 1).
# * **Output:** one number (a `float`), e.g. `22.4`.
# * **Example:** three episodes that last 12, 30 and 21 steps give `21.0`.
# * Reuse your `play_episode` from exercise 1: the only new piece is a policy that ignores what
#   it observes.
#
# <details><summary>Hint 1 — the idea</summary>
#
# A random policy is still a function of the observation: it just does not look at it. Every
# environment knows its own set of actions and can draw one at random.
# </details>
#
# <details><summary>Hint 2 — the API</summary>
#
# `env.action_space.sample()` draws a random valid action. `np.mean(list_of_numbers)` averages.
# </details>
#
# <details><summary>Hint 3 — almost the answer</summary>
#
# ```
# def random_policy(observation): return <a random action of env>
# lengths = [play_episode(env, random_policy) for each of the n_episodes]
# return <their mean>
# ```
# </details>

# %%
def random_baseline(env, n_episodes):
    """Mean episode length of the uniformly random policy over `n_episodes` episodes."""
    ### BEGIN SOLUTION
    def random_policy(observation):
        return env.action_space.sample()

    lengths = [play_episode(env, random_policy) for _ in range(n_episodes)]
    return float(np.mean(lengths))
    ### END SOLUTION


# %%
random_baseline = checks.check_random_baseline(random_baseline)

# %% [markdown]
# ## 5. The baseline every later lesson must beat
#
# Now measure it properly, on both versions of CartPole, over many episodes. We seed the action
# sampler so the numbers below are reproducible. No rendering is needed, so we make the
# environments without a render mode, which is much faster.
#
# **Predict first.** How many steps does a random policy last on average? Will CartPole-v1's
# longer time limit (500 instead of 200) make its mean longer than v0's?

# %%
N_EPISODES = 1000  # takes about a second: no rendering
baselines = {}
for env_id in ["CartPole-v0", "CartPole-v1"]:
    fast_env = dh.env.make_env(env_id, render_mode=None)
    fast_env.action_space.seed(0)
    fast_env.reset(seed=0)
    baselines[env_id] = random_baseline(fast_env, N_EPISODES)
    print(f"random policy on {env_id}: mean episode length {baselines[env_id]:.1f} steps "
          f"over {N_EPISODES} episodes (solved means {gym.spec(env_id).reward_threshold})")
seconds = baselines["CartPole-v1"] * 0.02  # each step is 0.02 s of simulated time
print(f"the pole falls after about {seconds:.2f} s of simulated time")

# %% [markdown]
# <details><summary>What the numbers say (open after running the cell)</summary>
#
# Both means are far below either time limit, so the limit plays no part: a random policy
# loses the pole within the first half second or so, and v1's longer clock changes nothing.
# </details>
#
# Lesson 06 trains the slides' DQN for its 50 episodes and compares it with this baseline; the
# recipe this course builds up to reaches the 500-step limit.
#
# ### Deep dive: how much one episode varies
#
# The lengths vary a lot from episode to episode (here a fresh set of episodes, so the mean moves
# a little), which is why "solved" is defined as an
# average over 100 episodes:

# %%
fast_env = dh.env.make_env("CartPole-v1", render_mode=None)
lengths = dh.env.evaluate_policy(fast_env, dh.env.random_policy(fast_env, seed=0), n_episodes=N_EPISODES, seed=0)
plt.figure(figsize=(7, 3))
plt.hist(lengths, bins=range(0, 110, 5), color="tab:gray")
plt.axvline(np.mean(lengths), color="tab:red", label=f"mean {np.mean(lengths):.1f}")
plt.xlabel("episode length (steps)")
plt.ylabel("episodes")
plt.title(f"Random policy on CartPole-v1, {N_EPISODES} episodes")
plt.legend()
plt.show()

# %% [markdown]
# ## Deep dive: a video of a random episode
#
# `dh.video.record_video` plays one episode, keeps every rendered frame, and writes them to an MP4
# file (the slides used `gym.wrappers.Monitor` for this). The player below embeds the file, so
# it also works on Colab.

# %% tags=["nbval-ignore-output"] nbval_reason="the embedded MP4's bytes depend on the ffmpeg build"
video_env = gym.make("CartPole-v1", render_mode="rgb_array")
episode = dh.video.record_video(video_env, dh.env.random_policy(video_env, seed=1), "videos/random_episode.mp4", seed=1)
print(f"{episode.length} steps, saved to videos/random_episode.mp4")
dh.video.show_video("videos/random_episode.mp4")

# %% [markdown]
# ## Deep dive: when something is off
#
# The helpers check their input and say what is wrong in plain words. A mistyped environment
# id, or a policy that returns something that is not an action (a float, or a one-element
# tensor, a common mistake when porting the slides' `select_action`), gets a clear message:

# %%
try:
    dh.env.make_env("CartPole-v2")
except dh.errors.UnknownEnvironmentError as error:
    print("UnknownEnvironmentError:", error)

try:
    dh.env.run_episode(env, lambda observation: 0.7)
except dh.errors.InvalidActionError as error:
    print("InvalidActionError:", error)

# %% [markdown]
# ## Recap
#
# * `gym.make(id, render_mode="rgb_array")`, `reset(seed=...)` → `(observation, info)`,
#   `step(action)` → `(observation, reward, terminated, truncated, info)`, `render()` → pixels.
# * CartPole: 2 actions (0 left, 1 right); reward 1 per step; **terminated** when the pole falls
#   or the cart leaves the track, **truncated** at the time limit (200 steps in v0, 500 in v1).
#   Solved means an average of 195 (v0) or 475 (v1) over 100 episodes.
# * The return $G_t$ sums the (discounted) rewards; $Q^*(s, a)$ is the best expected return
#   after taking $a$ in $s$, and obeys the Bellman equation $Q^*(s, a) = \mathbb{E}[r + \gamma \max_{a'} Q^*(s', a')]$,
#   with no future term after a termination.
# * A random policy's mean episode length (section 5) is the bar every later lesson must beat.
#
# **Next, lesson 02:** turning a 400x600 frame into the small image the network learns from
# (the slides' `get_screen()`).
#
# ## Quiz
#
# Check yourself: answer each question by replacing `"?"` with a letter and running the cell.
# A wrong choice is answered with the reason it is wrong.

# %%
quiz = dh.quiz.Quiz("01")
quiz

# %%
quiz.answer(1, "?")
quiz.answer(2, "?")
quiz.answer(3, "?")
quiz.answer(4, "?")
