# %% [markdown]
# # Lesson 07 — A recipe that solves CartPole from pixels
#
# Lesson 06 ran the slides' loop for 50 episodes. Now you train a **recipe** that does solve
# CartPole from pixels. In this lesson you will
#
# 1. read what the recipe changes from the slides, and the equations behind two changes;
#    write how its state, a stack of frames, moves on by one frame (**exercise 1**);
# 2. train the recipe with a live plot, tracked with Weights & Biases, and read its loss and its
#    value estimates;
# 3. load a fully trained agent shipped with the course and watch it balance for 500 steps.
#
# **Exercise** (1): the recipe's state, a stack of frames. The training itself uses the course's
# package, which holds the reference versions of what you wrote in lessons 02–06.

# %% tags=["nbval-ignore-output"] nbval_reason="prints a banner only when the test suite runs in quick mode"
import matplotlib.pyplot as plt
import numpy as np

import dqn_helpers as dh
from dqn_helpers import checks

dh.quick.announce_mode()

# %% [markdown]
# ## Where the networks run
#
# `dh.device.pick_device()` picks `cuda`, then Apple's `mps`, then the CPU. You do not need a
# GPU for this lesson. On one NVIDIA H200, an earlier version of this recipe solved
# CartPole-v1 in a median of 141 s over three seeds; on the course's 2-core CPU it took 183 s
# that day (`benchmarks/results.md`, "On a GPU"). Drawing and stepping the environment run on
# the CPU either way, and they take most of the time.

# %% tags=["nbval-ignore-output"] nbval_reason="the device depends on the machine running the notebook"
device = dh.device.pick_device()
print("training on:", device)

# %% [markdown]
# ## 1. What the recipe changes
#
# The table below lists what the recipe changes from the slides. Each change had a reason: the
# **idea** in the table. An idea is a guess until it is measured. One row is a change that did
# not survive its measurement: the recipe first replaced the slides' ε schedule with a long
# linear anneal, then went back to the slides' schedule (lesson 05). Lesson 08 measures each
# change.

# %%
dh.recipe_changes.ideas()

# %% [markdown]
# ### Key equations: the recipe's target
#
# The **n-step return** sums $n$ real rewards before bootstrapping (Sutton & Barto, ch. 7). As
# in the slides, $r_t$ is the reward for action $a_t$ in state $s_t$:
#
# $$y_t = \sum_{k=0}^{n-1} \gamma^k r_{t+k} + \gamma^n \max_{a'} Q'(s_{t+n}, a')$$
#
# cut short at a termination (no bootstrap term after the pole falls); the recipe uses $n = 3$,
# `n_step=3`, and `dh.replay.FrameReplay.sample` sums the rewards and returns the discount
# $\gamma^k$ of each sample. **Double DQN** (van Hasselt et al., 2016) lets the online network
# *choose* the next action and the target network *evaluate* it:
#
# $$y = r + \gamma\, Q'\big(s',\ \arg\max_{a'} Q(s', a')\big)$$
#
# because taking the max of noisy estimates over-estimates on average (the maximum of noisy
# values is biased upwards); `dh.update.next_state_values` does it when `double_dqn=True`.
# Bootstrapping through a time-limit truncation is the point made by Pardo et al. (2018),
# *Time Limits in Reinforcement Learning*.
#
# The agent still sees nothing but pixels: the frames are drawn from the physics state exactly
# the way gymnasium's renderer draws them (lesson 02 compares the two), only directly at 30x90
# (`renderer="fast"`), several times quicker than rendering 400x600 and shrinking it (lesson 02
# times both).

# %% [markdown]
# ## Exercise 1 — the recipe's state: a stack of frames
#
# The first row of the table carries the recipe: the agent sees the **last 4 frames**, not a
# difference of two screens. After every step the stack moves on by one frame.
#
# **Goal.** Write `push_frame(stack, frame)`: the next state, from the current one and the
# newest frame.
#
# * **Input:** `stack`, a uint8 array of shape `(k, H, W)`: $k$ frames, the **oldest first**
#   (the recipe: $k = 4$, $H \times W = 30 \times 90$); `frame`, the newest frame, uint8 `(H, W)`.
# * **Output:** a new uint8 array `(k, H, W)`: the $k - 1$ newest frames of `stack`, then
#   `frame`. The oldest frame is dropped.
# * **Rule:** do not change `stack` itself. The replay memory may still hold it.
# * **Example:** a stack of frames `[A, B, C, D]` and a new frame `E` give `[B, C, D, E]`.
#
# <details><summary>Hint 1 — the idea</summary>
#
# Leave out the first frame, and put the new frame after the others. Build a new array; do not
# write into `stack`.
# </details>
#
# <details><summary>Hint 2 — the API</summary>
#
# `stack[1:]` is every frame but the first (a view: reading it is fine). `frame[None]` has shape
# `(1, H, W)`. `np.concatenate([a, b], axis=0)` joins arrays along the first axis into a new array.
# </details>
#
# <details><summary>Hint 3 — almost the answer</summary>
#
# ```
# return np.concatenate([<all frames but the oldest>, <the new frame with a first axis of 1>], axis=0)
# ```
# </details>

# %%
def push_frame(stack, frame):
    """The next stack of frames: drop the oldest (first) frame, add `frame` last."""
    ### BEGIN SOLUTION
    return np.concatenate([stack[1:], frame[None]], axis=0)
    ### END SOLUTION


# %%
push_frame = checks.check_push_frame(push_frame)

# %% [markdown]
# Your function next to the environment's own stacking: reset, take one step, and push the
# step's newest frame onto the first observation.

# %%
pixel_env = dh.pixels.make_pixel_env("CartPole-v0")
first, _ = pixel_env.reset(seed=0)
after, *_ = pixel_env.step(1)
mine = push_frame(first, after[-1])
print(f"state {first.shape} {first.dtype} -> {mine.shape} {mine.dtype}; "
      f"equal to the environment's next observation: {np.array_equal(mine, after)}")
dh.plots.show_images(list(mine), [f"frame t-{3 - i}" for i in range(4)], columns=4, width=14)
plt.show()

# %% [markdown]
# For this lesson we stop at the first 100-episode evaluation of 195 or more (the CLI trains
# 50,000 steps more by default, keeping the best network):

# %%
recipe_config = dh.presets.preset(
    "solved", "CartPole-v0",
    total_steps=dh.quick.budget(full=100_000, quick=600),
    learning_starts=dh.quick.budget(full=5_000, quick=200),
    eval_every=dh.quick.budget(full=5_000, quick=300),
    final_eval_episodes=dh.quick.budget(full=100, quick=5),
    steps_after_solved=0,  # stop at the first 100-episode evaluation ≥ 195
    device=str(device),
)

# %% [markdown]
# ## 2. Train it, tracked with Weights & Biases
#
# The run below logs every episode and evaluation to W&B in **offline** mode: nothing is sent
# and no login is asked for; the run is written under `runs/lesson07-recipe/wandb/`. To see it on
# wandb.ai later, run `wandb login` once, then `wandb sync runs/lesson07-recipe/wandb/offline-run-*`.
# (`wandb_mode="auto"` logs online when you are already logged in, offline otherwise.)
#
# On a CPU this takes a few minutes. The blue dots are training episodes (with exploration),
# the orange line the greedy evaluations every 5,000 steps; training stops once 100 greedy
# episodes average 195 or more. Interrupt it with the stop button (■) at any time: the run is
# saved, the cells below do not run, and running this cell again resumes the run.
#
# **Predict first.** How many environment steps will the recipe need to solve CartPole-v0?
# (`benchmarks/results.md` lists the steps to threshold of earlier runs; the output below says
# what this one took.)

# %% tags=["nbval-ignore-output"] nbval_reason="live plot, progress bar, wandb messages and timings"
recipe_run = dh.runner.train_run(recipe_config.build(), "runs/lesson07-recipe", wandb_mode="offline",
                                 observers=[dh.plots.LiveCurve()])

# %% tags=["nbval-ignore-output"] nbval_reason="the numbers depend on the budget, which quick mode shrinks"
s = recipe_run.summary
print(f"solved at step: {s['solved_at_step']}  (threshold {s['threshold']:g})")
print(f"best network, {s['final_episodes']} new greedy episodes: mean {s['final_mean']:.1f}, min {s['final_min']}")
print(f"speed: {s['steps_per_second']:.0f} steps/s, {s['bytes_per_transition']:,.0f} bytes per transition")

# %% [markdown]
# ### Reading the run: the loss and the values
#
# A return curve says *whether* the agent learns; two more curves say *how*. The **TD loss** is
# what each update minimises. The **mean max-Q** is the network's own estimate of the return
# from the states it trains on. With γ = 0.99 and a reward of 1 per step, an endless balanced
# episode is worth $\sum_k \gamma^k = 1/(1-\gamma) = 100$. No state is worth more.
#
# **Predict first.** As the agent learns to balance, will the loss go down, like the loss of a
# classifier? Will the mean max-Q reach 100?

# %% tags=["nbval-ignore-output"] nbval_reason="the curves depend on the budget, which quick mode shrinks"
dh.plots.plot_diagnostics(recipe_run.trainer)
plt.show()
losses, max_q = np.asarray(recipe_run.trainer.history.losses), np.asarray(recipe_run.trainer.history.max_q)
tenth = max(1, len(losses) // 10)
print(f"TD loss, mean of the first tenth of the updates: {losses[:tenth].mean():.3g}; of the last tenth: "
      f"{losses[-tenth:].mean():.3g}")
print(f"mean max-Q, last tenth of the updates: {max_q[-tenth:].mean():.1f} (the most a state can be worth: "
      f"1 / (1 - γ) = {1 / (1 - recipe_config.gamma):.0f})")

# %% [markdown]
# <details><summary>Why the loss can grow and where max-Q settles (open after predicting)</summary>
#
# * **The loss.** A DQN's loss is not a score. Its targets move: they come from the target
#   network, and they grow as the agent lives longer. At the start all values are near 0 and the
#   targets are near 1, so the errors are small. Later the values are tens, and the same
#   *relative* error is a much larger absolute error. So the loss can grow while the agent gets
#   better. Judge the agent by its returns (the curve above), not by its loss.
# * **max-Q.** The mean is over the states in the replay memory. Many of them come from early
#   episodes, where the pole fell after a few steps. Those states are worth much less than 100.
#   So the mean stays below 100 even when the agent balances well. A mean far *above* 100 would
#   be a warning sign: over-estimation (lesson 08).
# </details>

# %% [markdown]
# ## 3. A fully trained agent
#
# CartPole-v1 (episodes up to 500 steps, solved at 475) asks for balancing two and a half times
# as long as v0; with this recipe it took about as many steps to solve (`benchmarks/results.md`
# lists ten seeds of each). The course ships the best network of one such run, made with
#
# `python -m dqn_helpers train --preset solved --env CartPole-v1 --seed 0 --threads 1 --no-video --out runs/v1-s0`
#
# (with the same seed and number of torch threads a run on the CPU is repeated exactly). Load it,
# evaluate it greedily, and watch it.

# %%
network, trained_config = dh.checkpoint.load_policy(dh.checkpoint.SHIPPED_POLICY, device)
print(f"{trained_config.env_id}: {sum(p.numel() for p in network.parameters()):,} parameters, "
      f"sees {trained_config.frame_stack} frames of {trained_config.frame_size}")

# %% tags=["nbval-ignore-output"] nbval_reason="the number of episodes depends on the budget, which quick mode shrinks"
agent = dh.policy.greedy_policy(network)
env = dh.pixels.make_pixel_env(trained_config.env_id, trained_config.frame_size, trained_config.frame_stack)
returns = dh.env.evaluate_policy(env, agent, n_episodes=dh.quick.budget(full=100, quick=3), seed=5_000, progress=True)
print(f"{len(returns)} greedy episodes: mean {np.mean(returns):.1f}, min {min(returns):.0f}, max {max(returns):.0f}")

# %% tags=["nbval-ignore-output"] nbval_reason="the embedded MP4's bytes depend on the ffmpeg build"
episode = dh.video.record_video(env, agent, "videos/trained_agent.mp4", seed=5_000,
                          max_steps=dh.quick.budget(full=None, quick=30))
print(f"the episode lasted {episode.length} steps")
dh.video.show_video("videos/trained_agent.mp4")

# %% [markdown]
# ## Deep dive: what the network looks at
#
# The four frames on the top row are one observation: what the agent decided from. The bottom
# row is a **saliency map**: how much the chosen action's Q-value changes when each pixel
# changes a little (the gradient $|\partial Q(s, a)/\partial s|$, averaged over the four frames
# and scaled to its maximum). Bright pixels are the ones the decision hangs on.

# %%
observation, _ = env.reset(seed=5_000)
for _ in range(20):
    observation, *_ = env.step(agent(observation))
saliency = dh.plots.saliency(network, observation)
dh.plots.show_images(list(observation) + [saliency],
                     [f"frame t-{3 - i}" for i in range(4)] + ["saliency |∂Q/∂pixel|"], columns=4)
plt.show()
weight = saliency.astype(float) / saliency.sum()
rows, cols = np.indices(saliency.shape)
print(f"the saliency is centred on row {np.sum(rows * weight):.0f} of {saliency.shape[0]}, "
      f"column {np.sum(cols * weight):.0f} of {saliency.shape[1]}; the cart is at column "
      f"{dh.screen.cart_location(float(env.unwrapped.state[0]), saliency.shape[1]):.0f}")

# %% [markdown]
# ## Deep dive: every setting of the recipe
#
# *Optional.* All the recipe's settings, with their defaults for CartPole-v0:

# %%
dh.presets.preset("solved", "CartPole-v0")

# %% [markdown]
# ## Going further
#
# * Train CartPole-v1 yourself from a terminal (a progress bar, Ctrl-C saves, the same command
#   resumes): `python -m dqn_helpers train --preset solved --env CartPole-v1 --seed 0 --out runs/v1`.
#   It writes the curve (`curve.png`, `episodes.csv`), the best network (`policy.pt`), a summary
#   (`summary.json`) and a video (`agent.mp4`).
# * Change one setting: `--set n_step=1` or `--set frame_stack=2`, and compare the curves.
# * `python benchmarks/speed.py` times the slides' loop against the recipe's on your machine.
# * *Read next:* van Hasselt, Guez & Silver (2016), *Deep Reinforcement Learning with Double
#   Q-learning*; Sutton & Barto, ch. 7 (n-step returns); Pardo et al. (2018), *Time Limits in
#   Reinforcement Learning*.
#
# ## Recap
#
# * The recipe changes what the agent sees, the network, the optimiser, the replay and the
#   target (n-step returns, Double DQN). It keeps the slides' ε schedule.
# * It solves CartPole from pixels in a few minutes on a CPU.
# * A DQN's loss is not a score: its targets move and grow. Judge a run by its returns.
# * W&B tracks a run offline, and `wandb sync` uploads it later.
#
# ## Quiz
#
# Replace each `"?"` with your choice and run the cell: a wrong choice is answered with a reason.

# %%
quiz = dh.quiz.Quiz("07")
quiz

# %%
quiz.answer(1, "?")
quiz.answer(2, "?")
quiz.answer(3, "?")
