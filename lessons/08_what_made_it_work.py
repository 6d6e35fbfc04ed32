# %% [markdown]
# # Lesson 08 — What made it work: ablations over seeds, Double DQN, n-step returns, pixels vs state
#
# Lesson 07 listed what the recipe changes from the slides and the idea behind each. A reason
# is not a measurement: this lesson measures each change and shows how to read the results.
# In this lesson you will
#
# 1. learn how to *measure* a reinforcement-learning agent honestly: several seeds, a fixed
#    budget, and a final score from episodes never used to choose the network;
# 2. predict, for each of the recipe's changes, what happens when it is put back to the slides'
#    choice, then read the measured answer: an **ablation**, run over seeds with one command and
#    committed with the course (nothing is re-trained here);
# 3. write the **Double DQN** target (**exercise 1**);
# 4. write the **n-step return** with its discount and its cut at episode ends (**exercise 2**).
#
# Two deep dives, optional, run experiments live: one measures over seeds whether Double DQN
# curbs over-estimation here, the other trains the recipe on CartPole's four numbers instead of
# pixels.
#
# **Learning goals.** After this lesson you can say why one run proves little; read a learning
# curve with a band over seeds; compute Double DQN and n-step targets by hand and in code.

# %% tags=["nbval-ignore-output"] nbval_reason="prints a banner only when the test suite runs in quick mode"
import matplotlib.pyplot as plt
import numpy as np
import torch

import dqn_helpers as dh
from dqn_helpers import checks

dh.quick.announce_mode()

# %% [markdown]
# ## 1. How to measure an agent
#
# Three habits separate a measurement from an anecdote (Henderson et al., *Deep Reinforcement
# Learning that Matters*, 2018; Agarwal et al., *Deep RL at the Edge of the Statistical
# Precipice*, 2021):
#
# * **Several seeds.** A seed fixes the network's first weights, the environment's starts and
#   every random action. The same recipe can solve early on one seed and late, or never, on
#   another. We report the median and the range over seeds.
# * **A fixed budget.** Every variant gets the same number of environment steps (here 100,000 on
#   CartPole-v1). "Solved" means: a 100-episode greedy evaluation averaged at least 475.
# * **Fresh episodes for the final number.** Every 5,000 steps the loop evaluates the greedy
#   policy and *keeps the best network*. Keeping the best is a **selection**: the highest of many
#   noisy scores is likely to be a lucky one. So we report the kept network's mean over 100
#   *fresh* episodes, never used for training or for choosing it.
#
# **Predict first:** for the runs of the ablation below that solved, will the 100 fresh episodes
# score above, below or the same as the 100-episode evaluation that selected the network?

# %%
runs = dh.ablation.load_results()
selected = [r for r in runs if r.solved_at_step is not None]  # each stopped at the evaluation that confirmed it
gaps = np.array([r.final_mean - r.confirmed for r in selected])
print(f"{len(selected)} solved runs: the evaluation that selected the network averaged "
      f"{np.mean([r.confirmed for r in selected]):.1f}; the same networks on 100 fresh episodes "
      f"{np.mean([r.final_mean for r in selected]):.1f}")
print(f"fresh minus selecting evaluation: mean {gaps.mean():+.1f}, from {gaps.min():+.1f} to {gaps.max():+.1f}")

# %% [markdown]
# <details><summary>What the numbers say (open after running the cell)</summary>
#
# Where the fresh score is lower, the selection made the network look better than it is. Where it
# is higher, the selecting evaluation was the unlucky one: 100 episodes still leave noise. A
# network that balances to the 500-step cap in every episode cannot look better than it is. Either way the
# number to report is the fresh one: it is the only one that was not used to make a choice. With
# a handful of runs the average gap can fall either way; the selection's bias grows with the
# number of evaluations a network is picked from and with the noise of each.
# </details>

# %% [markdown]
# ## 2. The ablation: one change at a time, back to the slides
#
# Each variant below is the recipe with **one** thing put back to the slides' choice, trained
# on the same seeds and budget; each run stops once solved. One variant goes the other way: the
# recipe keeps the slides' ε schedule, so `linear-epsilon` tries instead the long linear anneal
# of the algorithm box (lesson 05), which the recipe used first. The runs were made with
#
# ```
# python benchmarks/ablate.py --jobs 2
# ```
#
# which wrote each run's greedy scores and a summary into `dqn_helpers/data/ablation/`. The
# variants:

# %%
for v in dh.ablation.VARIANTS:
    print(f"{v.name:<28} {v.change}")

# %% [markdown]
# **Predict first.** For each variant, write one word: `"faster"`, `"as fast"`, `"slower"`,
# `"sometimes"` (solves on some seeds only) or `"never"` (on no seed within 100,000 steps).
# Lesson 07's table gives the reasons to expect each; lessons 02, 04 and 05 showed the slides'
# input, the BatchNorm trap and the two ε schedules in detail.

# %%
predictions = {
    "1-step": "?",
    "no-double": "?",
    "slides-input": "?",
    "2-frames": "?",
    "batchnorm": "?",
    "rmsprop": "?",
    "gamma-0.999": "?",
    "linear-epsilon": "?",
    "target-10-episodes": "?",
    "no-bootstrap-at-truncation": "?",
    "memory-10k": "?",
    "no-warm-up": "?",
    "slides-network": "?",
    "clip-gradient-values": "?",
    "batch-128-every-step": "?",
}

# %% [markdown]
# Now the measurements. "faster" and "slower" compare the median steps to solve with the
# recipe's (within ±25% is "as fast"):

# %%
summaries = dh.ablation.summarize(runs)
dh.ablation.compare_predictions(predictions, summaries)

# %% [markdown]
# The same as a table, with the kept network's score on 100 fresh episodes (a run that did not
# solve keeps its best network too):

# %%
dh.ablation.summary_table(summaries)

# %% [markdown]
# And the learning curves: for each variant the mean greedy score over its seeds (the line) and
# the lowest and highest seed (the band), with the recipe's mean in grey. A run stops when a
# 100-episode evaluation confirms the solve; from there its curve stays at the threshold.

# %%
dh.ablation.plot_curves(summaries)
plt.show()

# %% [markdown]
# <details><summary>How to read it (open after looking at the curves)</summary>
#
# * A band as wide as the plot means the seeds disagree: one seed can solve early while another
#   never does. That is what a single-seed experiment cannot see.
# * A variant whose line stays near the bottom never found out how to balance for long; one that
#   climbs, falls and climbs again learnt and forgot.
# * Compare the variants that the table marks "never" or "sometimes" with lesson 07's reasons:
#   which reasons did the measurement back, and which change mattered less than expected?
# </details>
#
# Several seeds of the recipe's own runs also give an honest answer to "how long does it take":

# %%
recipe_runs = next(s for s in summaries if s.variant.name == "recipe").runs
for r in recipe_runs:
    print(f"recipe, seed {r.seed}: solved at step {r.solved_at_step:,} in {r.training_seconds / 60:.1f} min "
          if r.solved_at_step else f"recipe, seed {r.seed}: not solved within {r.steps:,} steps", end="")
    print(f"(kept network, 100 fresh episodes: {r.final_mean:.1f})")

# %% [markdown]
# ### Deep dive: each change's idea next to its measurement
#
# *Optional.* The table of lesson 07 again, now with what the ablation measured for each
# change. It reads the committed runs (`dqn_helpers/data/ablation/`, re-made by
# `python benchmarks/ablate.py`); it does not type numbers in. The last row needs runs that go
# on after the solve, so it has its own comparison (`benchmarks/results.md`, section "once
# solved").

# %%
dh.recipe_changes.measured()

# %% [markdown]
# <details><summary>How to read this table (open after reading it)</summary>
#
# * The changes that **carry** the recipe are those without which it solves on no seed, or on
#   some seeds only (the first group under the table). The measurement backs their ideas.
# * The others, put back **alone**, did not stop the recipe from solving. Some of them slowed
#   it (the table says which); the rest did not change the steps to solve. Where putting a
#   change back did not slow the recipe, the measurement does not back its idea on CartPole:
#   a reason that sounds right is not evidence.
# * The exploration row goes the other way: the recipe measured its own change (a long linear
#   anneal of ε) against the slides' schedule, and dropped it.
# * Three cautions when reading "faster". It means the first confirmed solve within the budget,
#   and says nothing about *staying* solved. Changes can interact: one at a time says what a
#   change does inside the recipe, not among the slides' other choices. And steps are not
#   minutes: a batch of 128 every step is 16 times the update work of the recipe's batch of 32
#   every 4 steps, so compare the minutes too.
# * The last row is about staying solved. The ablation runs cannot see that, because they stop
#   at the solve.
# </details>

# %% [markdown]
# ## 3. Double DQN
#
# ### Key equations: the max's bias and Double DQN's target
#
# The target of lessons 06 and 07, $r + \gamma \max_{a'} Q'(s', a')$, takes the **max** of noisy
# estimates. The max of noisy numbers is biased upwards: if the two actions are truly worth 50
# each and the network's errors are ±5, the max of the estimates is above 50 more often than not.
# The bias is then copied into the targets, and from there into the next estimates:
# **over-estimation** (Thrun and Schwartz, 1993; van Hasselt, 2010).
#
# **Double DQN** (van Hasselt, Guez and Silver, 2016) decouples choosing from evaluating. The
# online network $Q$ *chooses* the next action, the target network $Q'$ *evaluates* it:
#
# $$y = r + \gamma\, Q'\big(s', \arg\max_{a'} Q(s', a')\big)$$
#
# An error that makes $Q$ prefer an action is rarely matched by the same error in $Q'$, so the
# value used is not systematically the luckiest one.
#
# ## Exercise 1 — the Double DQN next-state values
#
# **Goal.** Write `double_dqn_values(online_net, target_net, next_states)`: for each next state,
# the target network's Q-value of the action the online network rates best.
#
# * **Input:** `online_net`, `target_net`: two networks mapping a batch of states to Q-values,
#   $(B, 4, 30, 90) \to (B, n)$; `next_states`: a uint8 tensor $(B, 4, 30, 90)$ (the recipe's
#   stacked frames).
# * **Output:** a float tensor of shape $(B,)$, computed without gradients (it is part of the
#   target, a fixed number for the update).
# * **Example:** online Q-values `[[1, 5, 2], [4, 0, 3]]` pick actions 1 and 0; target
#   Q-values `[[3, 1, 8], [2, 6, 5]]` give those actions the values `[1., 2.]` (the plain max
#   would give `[8., 6.]`).
#
# <details><summary>Hint 1 — the idea</summary>
#
# Two forward passes on the same `next_states`: one to choose (argmax over actions of the
# online network's values), one to look the choice up (in the target network's values).
# </details>
#
# <details><summary>Hint 2 — the API</summary>
#
# `q.argmax(dim=1, keepdim=True)` gives the chosen actions as a column $(B, 1)$;
# `q_target.gather(1, column)` picks one entry per row, $(B, 1)$; `.squeeze(1)` makes it $(B,)$.
# `with torch.no_grad():` switches gradients off.
# </details>
#
# <details><summary>Hint 3 — almost the answer</summary>
#
# ```
# with torch.no_grad():
#     best = online_net(next_states).<argmax over actions, keeping a column>
#     return target_net(next_states).gather(1, best).<drop the column>
# ```
# </details>

# %%
def double_dqn_values(online_net, target_net, next_states):
    """Q'(s', argmax_a Q(s', a)) for each next state s', without gradients."""
    ### BEGIN SOLUTION
    with torch.no_grad():
        best = online_net(next_states).argmax(dim=1, keepdim=True)
        return target_net(next_states).gather(1, best).squeeze(1)
    ### END SOLUTION


# %%
double_dqn_values = checks.check_double_dqn_values(double_dqn_values)

# %% [markdown]
# The recipe's version serves both targets: without `online_net` it is the plain max.

# %%
dh.display.show_source(dh.update.next_state_values)

# %% [markdown]
# ### Deep dive: over-estimation, measured
#
# Does the max really over-estimate here? We train the recipe twice per seed, with and without
# Double DQN, and every 5,000 steps compare what the network *predicts*, $Q(s_t, a_t)$ for the
# states of greedy episodes, with what the policy then *gets*, the discounted return
# $G_t = r_t + \gamma r_{t+1} + \gamma^2 r_{t+2} + \dots$ (at most $1 / (1 - \gamma) = 100$ here).
# Pixel runs take minutes each, so this experiment uses CartPole's state vector (the last deep
# dive), where a run takes seconds; the targets are the same code. It runs for about 4 minutes.
#
# **Predict first:** which variant's predictions will sit above the returns it really gets?

# %% tags=["nbval-ignore-output"] nbval_reason="progress bars and timings"
value_seeds = dh.quick.budget(full=(0, 1, 2), quick=(0,))
value_checks = {}
with dh.device.torch_threads(1):  # a network this small only waits for a second thread
    for double in (False, True):
        for seed in value_seeds:
            config = dh.presets.preset(
                "solved", "CartPole-v1", observation="state", double_dqn=double, seed=seed,
                total_steps=dh.quick.budget(full=60_000, quick=800), learning_starts=dh.quick.budget(full=5_000, quick=200),
                eval_every=0, steps_after_solved=None, lr_after_solved=None, device="cpu")
            value_checks[double, seed] = dh.overestimation.track_values(
                config, every=dh.quick.budget(full=5_000, quick=400), episodes=dh.quick.budget(full=5, quick=1))

# %% tags=["nbval-ignore-output"] nbval_reason="the values depend on the budget, which quick mode shrinks"
fig, axes = plt.subplots(1, 2, figsize=(12, 3.5), sharey=True)
for ax, double in zip(axes, (False, True)):
    for seed in value_seeds:
        checks_ = value_checks[double, seed]
        steps = [c.step for c in checks_]
        line, = ax.plot(steps, [c.predicted for c in checks_], label=f"seed {seed}: predicted Q(s, a)")
        ax.plot(steps, [c.actual for c in checks_], ls="--", color=line.get_color(), label=f"seed {seed}: actual G")
    ax.set_title("Double DQN" if double else "plain max target")
    ax.set_xlabel("environment steps")
    ax.legend(fontsize=7)
axes[0].set_ylabel("value of the greedy policy's states")
plt.show()
seed_gaps = {}  # per variant, each seed's mean of predicted minus actual over the second half of training
for double in (False, True):
    later = {seed: value_checks[double, seed][len(value_checks[double, seed]) // 2:] for seed in value_seeds}
    seed_gaps[double] = [np.mean([c.predicted - c.actual for c in later[seed]]) for seed in value_seeds]
    highest = max(c.predicted for seed in value_seeds for c in value_checks[double, seed])
    print(f"{'Double DQN' if double else 'plain max':<10}: predicted minus actual over the second half of "
          f"training, per seed {', '.join(f'{g:+.1f}' for g in seed_gaps[double])}; highest prediction {highest:.1f}")
print(f"no policy can collect more than 1 / (1 - γ) = {1 / (1 - 0.99):.1f}: a prediction above it over-estimates "
      "for certain")
if min(seed_gaps[False]) > max(seed_gaps[True]):
    print(f"on each of the {len(value_seeds)} seeds the plain max over-estimates more than Double DQN: they separate")
elif min(seed_gaps[True]) > max(seed_gaps[False]):
    print(f"on each of the {len(value_seeds)} seeds Double DQN's gap is the larger one: they separate, "
          "the other way round")
else:
    print(f"the seeds overlap: on this task and budget, over {len(value_seeds)} seeds, the two targets do not "
          "separate")

# %% [markdown]
# <details><summary>What to look for (open after running the cells)</summary>
#
# Early on, both predict far *below* what they get: the values start at zero, and the rewards
# take time to flow back. Later, an over-estimation shows as a solid line above its dashed line.
# A prediction above 100 is one for certain. The last printed line says whether the two targets
# separate over these seeds. On CartPole the difference is small next to the noise between
# seeds: every reward is 1, and there are only two actions. So the ablation above, not this
# picture, decides whether Double DQN matters for the recipe. On Atari, with 18 actions and
# noisy rewards, van Hasselt et al. measured estimates several times too high.
# </details>
#
# ## 4. n-step returns
#
# ### Key equation: the n-step return
#
# A 1-step target, $r_t + \gamma \max_{a} Q'(s_{t+1}, a)$, moves reward information back by one
# step per update. The **n-step return** sums $n$ real rewards before bootstrapping (Sutton and
# Barto, ch. 7):
#
# $$G_t^{(n)} = \sum_{k=0}^{m-1} \gamma^k r_{t+k} + \gamma^m\, V(s_{t+m})$$
#
# with $m = n$, or fewer steps in two cases:
#
# * the episode **terminates** at step $t + j$ with $j < n$: the sum stops after that step's
#   reward and there is **no** bootstrap term (the future ended);
# * the stream of experience ends first (the newest steps in the replay): sum what there is,
#   then bootstrap from the last state reached.
#
# Larger $n$ spreads rewards faster but mixes in more of the (exploring) behaviour's actions;
# the recipe uses $n = 3$.
#
# ## Exercise 2 — the n-step return of every step
#
# **Goal.** Write `n_step_returns(rewards, terminated, next_values, gamma, n)`: the n-step
# target $G_t^{(n)}$ of every step $t$ of a stream of experience.
#
# * **Input:** three lists of the same length $T$: `rewards[t]`, the reward of step $t$;
#   `terminated[t]`, `True` when the episode terminated at step $t$ (the next step starts a new
#   episode); `next_values[t]`, $V(s_{t+1})$, the value of the state step $t$ led to. Then
#   `gamma` (a float) and `n` (an int ≥ 1).
# * **Output:** a list of $T$ floats, $G_0^{(n)}, \dots, G_{T-1}^{(n)}$. The bootstrap of step
#   $t$ after $m$ rewards is $\gamma^m$ `next_values[t + m - 1]`.
# * **Given:** the loop over the steps $t$ and the list it fills. Inside the loop, compute
#   `total`, the target $G_t^{(n)}$ of step $t$.
# * **Example:** `rewards=[1, 1, 1, 1]`, `terminated=[False, True, False, False]`,
#   `next_values=[10, 20, 30, 40]`, `gamma=0.5`, `n=3` gives `[1.5, 1.0, 11.5, 21.0]`:
#   step 0 sums two rewards and stops at the termination; step 2 sums two rewards, reaches the
#   end of the stream and adds $0.5^2 \cdot 40$.
#
# <details><summary>Hint 1 — the idea</summary>
#
# For each $t$, walk forward $k = t, t+1, \dots$ for at most $n$ steps and while $k < T$,
# adding $\gamma^{k-t} r_k$; stop early after a step whose `terminated` is `True`. Bootstrap only
# if you did not stop because of a termination.
# </details>
#
# <details><summary>Hint 2 — the API</summary>
#
# `range(t, min(t + n, len(rewards)))` walks the window. Python's `for ... else:` runs the
# `else` block only when the loop ended without `break`; a boolean flag does the same.
# </details>
#
# <details><summary>Hint 3 — almost the answer</summary>
#
# ```
# total, discount = 0.0, 1.0
# for k in range(t, min(t + n, len(rewards))):
#     total += discount * rewards[k]
#     discount *= gamma
#     if terminated[k]:
#         break
# else:
#     total += <discount> * next_values[<the last k>]
# ```
# </details>

# %%
def n_step_returns(rewards, terminated, next_values, gamma, n):
    """The n-step target of every step: up to n discounted rewards, cut at terminations, then a bootstrap."""
    targets = []
    for t in range(len(rewards)):
        ### BEGIN SOLUTION
        total, discount = 0.0, 1.0
        for k in range(t, min(t + n, len(rewards))):
            total += discount * rewards[k]
            discount *= gamma
            if terminated[k]:
                break
        else:
            total += discount * next_values[k]
        ### END SOLUTION
        targets.append(total)  # G_t
    return targets


# %%
n_step_returns = checks.check_n_step_returns(n_step_returns)

# %% [markdown]
# ### Deep dive: the same return inside the replay buffer
#
# The recipe computes the same for a sampled batch inside the replay buffer, vectorised over the
# batch (a test checks that the two agree):

# %%
dh.display.show_source(dh.replay.FrameReplay.sample)

# %% [markdown]
# ## Deep dive: pixels vs the state vector
#
# CartPole's own observation is four numbers: cart position and velocity, pole angle and angular
# velocity. Everything the pixels show, and nothing else. The same recipe (same targets, replay,
# ε schedule, updates) with a small two-layer network on those numbers shows what learning from
# pixels costs.
#
# **Predict first:** will the state-vector agent need fewer environment steps than the pixel
# agent to solve CartPole-v1, and how many times less time?

# %% tags=["nbval-ignore-output"] nbval_reason="progress bar and timings"
state_config = dh.presets.preset(
    "solved", "CartPole-v1", observation="state", seed=0, steps_after_solved=0, device="cpu",
    total_steps=dh.quick.budget(full=100_000, quick=800), learning_starts=dh.quick.budget(full=5_000, quick=200),
    eval_every=dh.quick.budget(full=5_000, quick=400), final_eval_episodes=dh.quick.budget(full=100, quick=3))
with dh.device.torch_threads(1):
    state_run = dh.runner.train_run(state_config.build(), "runs/lesson08-state", wandb_mode="disabled", video=False)

# %% tags=["nbval-ignore-output"] nbval_reason="the numbers depend on the budget, which quick mode shrinks"
state = state_run.summary
solved_runs = [r for r in recipe_runs if r.solved_at_step]
if state["solved_at_step"]:
    print(f"state vector, seed 0: solved at step {state['solved_at_step']:,} in {state['seconds_to_solve']:.0f} s; "
          f"100 fresh episodes: {state['final_mean']:.1f}")
else:
    print(f"state vector, seed 0: not solved within {state['steps']:,} steps")
if solved_runs:
    print(f"pixels (committed ablation runs of the recipe, seeds {[r.seed for r in solved_runs]}): solved at steps "
          f"{[r.solved_at_step for r in solved_runs]}, in {[round(r.training_seconds / 60, 1) for r in solved_runs]} min")
    pixel_speed = sum(r.steps for r in solved_runs) / sum(r.training_seconds for r in solved_runs)
    print(f"steps per second, learning included: state vector {state['steps_per_second']:.0f}, "
          f"pixels {pixel_speed:.0f}")
    print("(the pixel runs were measured on the course's 2-core machine, two runs at a time; "
          "the state run just now, on this machine)")

# %% [markdown]
# <details><summary>What the comparison says (open after running the cells)</summary>
#
# With the state vector the network is handed position and velocity; from pixels it must first
# learn to *see* them, from four stacked frames, with a convolutional network whose updates
# cost far more per step. Read the lines above in two currencies. In **time**, pixels cost far
# more: every pixel step draws a frame and runs a convolutional network. In **steps**, the gap
# is smaller than that picture suggests and a single seed can put either one ahead: the recipe's
# settings (learning rate, schedule, network width) were chosen for pixels, and one run of the
# state agent is an anecdote (section 1). DQN's point (Mnih et al., 2015) was that the same
# algorithm learns from raw pixels at all, where no one hands you the state.
# </details>
#
# ## Recap
#
# * One run is an anecdote: compare variants over several seeds, with a fixed budget, and score
#   the kept network on fresh episodes, because keeping the best is a selection.
# * The ablation puts each of the recipe's changes back to the slides' choice (and tries the long
#   linear ε the recipe dropped); the table and the curves above are what the measurements say,
#   seed by seed.
# * Double DQN: the online network chooses the next action, the target network evaluates it,
#   $y = r + \gamma Q'(s', \arg\max_{a'} Q(s', a'))$.
# * n-step returns: up to $n$ discounted rewards, cut (without bootstrap) where the episode
#   terminates, then $\gamma^m$ times the value of the state reached.
# * (Deep dive) Pixels cost time: a pixel step costs far more than a state step. Counted in steps,
#   the two agents are closer, and one seed cannot rank them.
#
# ## Quiz
#
# Replace each `"?"` with your choice and run the cell: a wrong choice is answered with a reason.

# %%
quiz = dh.quiz.Quiz("08")
quiz

# %%
quiz.answer(1, "?")
quiz.answer(2, "?")
quiz.answer(3, "?")
quiz.answer(4, "?")
