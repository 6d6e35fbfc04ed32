# %% [markdown]
# # Lesson 05 — ε-greedy: exploring, then exploiting
#
# Step 1 of the slides' algorithm box: *"Choose an action a to perform in the current state, s,
# using an ε-greedy strategy (with ε annealed from 1.0 to 0.1)."* With probability ε the agent
# tries a random action (**explores**); otherwise it takes the action its network rates best
# (**exploits**). Early on the network knows nothing, so ε starts high; as it learns, ε falls.
#
# How fast ε falls matters a lot, and the slides' code and the slides' algorithm box disagree:
#
# * the code: `EPS_START = 0.9`, `EPS_END = 0.05`, `EPS_DECAY = 200`, an **exponential** decay
#   by the number of steps;
# * the algorithm box: ε annealed from 1.0 to 0.1. The box does not say how; this lesson uses a
#   **linear** anneal between those two ends.
#
# In this lesson you will plot both, play with their settings, count how many steps and
# episodes each keeps exploring, and write the slides' `select_action`.
#
# ### Key equations: exploration and exploitation
#
# An agent that always takes its current best guess (**exploits**) never finds out whether
# another action would have been better; one that always acts at random (**explores**) never
# uses what it learnt. ε-greedy mixes the two: with $n$ actions it picks
#
# $$\pi(a \mid s) = \frac{\varepsilon}{n} + (1 - \varepsilon)\, \mathbb{1}\big[a = \arg\max_{a'} Q(s, a')\big]$$
#
# (a random action may land on the greedy one too), with ε falling over time: the slides'
# exponential schedule $\varepsilon(t) = \varepsilon_{\text{end}} + (\varepsilon_{\text{start}} - \varepsilon_{\text{end}})\, e^{-t/\tau}$,
# or a linear one between the box's two ends, $\varepsilon(t) = \max\big(\varepsilon_{\text{end}},\ \varepsilon_{\text{start}} - (\varepsilon_{\text{start}} - \varepsilon_{\text{end}})\, t / T\big)$.
# In code: exercise 1 writes the first, `dh.policy.LinearEpsilon` is the second, and exercise 2
# writes $\pi$. (Sutton & Barto, ch. 2, on the exploration–exploitation dilemma.)
#
# **Exercises** (2): the exponential schedule, and `select_action`.

# %% tags=["nbval-ignore-output"] nbval_reason="prints a banner only when the test suite runs in quick mode"
import math
import random
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np
import torch

import dqn_helpers as dh
from dqn_helpers import checks
from tqdm.auto import tqdm

dh.quick.announce_mode()

# %% [markdown]
# ## Exercise 1 — the slides' schedule
#
# **Goal.** Write `epsilon_by_step(step, start=0.9, end=0.05, decay=200)`: the probability of a
# random action after `step` steps, as the slides' code computes it. It starts at `start` and
# decays **exponentially** towards `end`; `decay` (the slides' `EPS_DECAY`) is the number of
# steps over which the gap to `end` shrinks by a factor $e \approx 2.72$:
#
# $$\varepsilon(t) = \varepsilon_{\text{end}} + (\varepsilon_{\text{start}} - \varepsilon_{\text{end}})\, e^{-t/\tau}$$
#
# with $t$ = `step` and $\tau$ = `decay`.
#
# * **Input:** `step`, an `int` ≥ 0; `start`, `end`, `decay`, numbers (keep the slides' defaults
#   in the signature).
# * **Output:** one `float` between `end` and `start`.
# * **Examples:** `epsilon_by_step(0)` is `0.9`; `epsilon_by_step(200)` is
#   $0.05 + 0.85 / e \approx 0.3627$; after a few thousand steps it is all but `0.05`.
#   `epsilon_by_step(1000, start=1.0, end=0.1, decay=1000)` is $0.1 + 0.9/e \approx 0.4311$.
#
# <details><summary>Hint 1 — the idea</summary>
#
# Only the gap above `end` decays: it is `start - end` at step 0 and shrinks by the same
# factor for every `decay` steps.
# </details>
#
# <details><summary>Hint 2 — the API</summary>
#
# `math.exp(x)` is $e^x$. Use `/` for the division: `step // decay` would round down and make
# ε fall in stairs.
# </details>
#
# <details><summary>Hint 3 — almost the answer</summary>
#
# ```
# return <end> + (<start> - <end>) * math.exp(<minus step over decay>)
# ```
# </details>

# %%
def epsilon_by_step(step, start=0.9, end=0.05, decay=200):
    """ε after `step` steps: starts at `start`, decays exponentially towards `end`."""
    ### BEGIN SOLUTION
    return end + (start - end) * math.exp(-1.0 * step / decay)
    ### END SOLUTION


# %%
epsilon_by_step = checks.check_epsilon(epsilon_by_step)

# %% [markdown]
# **How the slides wrote it**, inside their `select_action`:
# `eps_threshold = EPS_END + (EPS_START - EPS_END) * math.exp(-1. * steps_done / EPS_DECAY)`,
# with a global counter `steps_done` that the function increments at every call.

# %% [markdown]
# ## The two schedules side by side
#
# The algorithm box does not say over how many steps to anneal. The recipe of lesson 07 first
# annealed linearly over tens of thousands of steps, and lesson 08 still tries that length (its
# `linear-epsilon` variant). The box gives only the two ends, 1.0 and 0.1; it does not say
# "linear". We plot a linear anneal between them over the same length:

# %%
recipe = dh.recipe.RecipeConfig()
anneal_steps = dh.ablation.variant("linear-epsilon").settings["eps_decay_steps"]
linear = dh.policy.LinearEpsilon(start=1.0, end=0.1, steps=anneal_steps)
steps = np.arange(0, 60_001, 50)
fig, (near, far) = plt.subplots(1, 2, figsize=(12, 3.5))
for ax, limit in ((near, 2_000), (far, 60_000)):
    shown = steps[steps <= limit]
    ax.plot(shown, [epsilon_by_step(s) for s in shown], label="slides' code: 0.9 → 0.05, decay 200")
    ax.plot(shown, [linear(s) for s in shown], label=f"algorithm box: 1.0 → 0.1 over {anneal_steps:,} steps")
    ax.set_xlabel("environment steps")
    ax.set_ylabel("ε (probability of a random action)")
    ax.set_ylim(0, 1.05)
    ax.set_title(f"the first {limit:,} steps")
near.legend()
plt.show()

# %% [markdown]
# ## How long does each one explore?
#
# Say a schedule has stopped exploring when ε is within 0.01 of its final value. For the
# exponential schedule that is when `(start - end) * exp(-t / decay) = 0.01`, so
# `t = decay * ln((start - end) / 0.01)`:

# %%
def steps_until_done(start, end, decay, tolerance=0.01):
    return math.ceil(decay * math.log((start - end) / tolerance))


slides_steps = steps_until_done(0.9, 0.05, 200)
linear_steps = math.ceil(anneal_steps * (1 - 0.01 / (1.0 - 0.1)))
print(f"slides' exponential schedule: exploring for about {slides_steps:,} steps")
print(f"linear 1.0 -> 0.1 over {anneal_steps:,} steps: exploring for about {linear_steps:,} steps")

# %% [markdown]
# Steps are not episodes. An agent that has not learnt anything yet loses the pole quickly, so
# let's count episodes the way the slides' agent would live them: an untrained slides' network
# choosing greedy actions, ε-greedy with the slides' schedule.
#
# **Predict first:** how many episodes will the slides' agent play before ε has all but reached
# its end? More or fewer steps per episode than lesson 01's random policy?

# %% tags=["nbval-ignore-output"] nbval_reason="a progress bar with timings; the next cell prints the counts"
random.seed(0)
torch.manual_seed(0)
env = dh.env.make_env("CartPole-v0")
untrained = dh.model.SlidesDQN(40, 90, 2).eval()
steps_done, episodes = 0, 0
bar = tqdm(total=slides_steps, unit="step", desc="until ε is within 0.01 of its end")
while epsilon_by_step(steps_done) > 0.05 + 0.01:
    env.reset(seed=episodes)
    last, current = dh.screen.get_screen(env), dh.screen.get_screen(env)
    terminated = truncated = False
    while not (terminated or truncated):
        action = dh.policy.select_action(untrained, current - last, epsilon_by_step(steps_done), 2)
        _, _, terminated, truncated, _ = env.step(action)
        last, current = current, dh.screen.get_screen(env)
        steps_done += 1
        bar.update()
    episodes += 1
bar.close()

# %%
print(f"the slides' agent stops exploring after {episodes} episodes ({steps_done} steps, "
      f"{steps_done / episodes:.1f} steps per episode)")
random_actions = sum(epsilon_by_step(t) for t in range(steps_done))
print(f"random actions expected in those steps: about {random_actions:.0f}")

# %% [markdown]
# <details><summary>What the count says (open after running the cell)</summary>
#
# The episodes are short (an untrained network tends to push the same way every time, so the
# pole falls sooner than with random pushes), so the slides' agent plays the number of episodes
# printed above before it acts almost always greedily, after the few hundred random actions
# printed on the second line: a network trained on very little takes over. The linear anneal
# above explores for far longer. Which of the two learns faster is not obvious: a long anneal
# gathers varied experience, a short one lets the agent learn from its own behaviour sooner.
# </details>
#
# ### Play with the schedules
#
# Drag the sliders to change the exponential schedule's start, end and decay (the linear
# schedule uses the same start and end, over `linear_steps`):

# %% tags=["nbval-ignore-output"] nbval_reason="widget output holds a random model id"
def plot_schedules(start=0.9, end=0.05, decay=200.0, linear_steps=5_000.0):
    shown = np.arange(0, 6_001, 10)
    plt.figure(figsize=(8, 3))
    plt.plot(shown, [epsilon_by_step(s, start, end, decay) for s in shown], label="exponential")
    plt.plot(shown, [dh.policy.LinearEpsilon(start, end, int(linear_steps))(s) for s in shown], label="linear")
    plt.ylim(0, 1.05)
    plt.xlabel("environment steps")
    plt.ylabel("ε")
    plt.title(f"exponential stops exploring after ~{steps_until_done(start, end, decay) if start - end > 0.01 else 0:,} steps")
    plt.legend()
    plt.show()


dh.widgets.sliders(plot_schedules, start=(0.9, 0.1, 1.0, 0.05), end=(0.05, 0.0, 0.5, 0.01),
                   decay=(200.0, 50.0, 5_000.0, 50.0), linear_steps=(5_000.0, 500.0, 6_000.0, 500.0))

# %% [markdown]
# ## Exercise 2 — `select_action`
#
# **Goal.** Write `select_action(network, state, epsilon, n_actions)`, the ε-greedy choice:
#
# $$a = \begin{cases} \text{an action drawn uniformly from } \{0, \dots, n-1\} & \text{with probability } \varepsilon \\
#   \arg\max_{a'} Q(s, a') & \text{otherwise} \end{cases}$$
#
# where $Q(s, \cdot)$ is what `network` outputs for `state` and $n$ = `n_actions`.
#
# * **Input:** `network`, a torch module mapping a batch of screens to Q-values,
#   $(B, 3, 40, 90) \to (B, n)$; `state`, one screen with its batch dimension, a float tensor of
#   shape `(1, 3, 40, 90)`; `epsilon`, a float in $[0, 1]$; `n_actions`, an `int`.
# * **Output:** one action, an `int` in $0 \dots n-1$ (the slides return a 1x1 tensor; the
#   checker accepts both, and an `int` is simpler to pass to `env.step`).
# * Acting needs no gradients: compute the Q-values without building a graph.
# * **Example:** a network whose Q-values are `[0.2, 0.9, -0.1]`: with `epsilon=0.0` the action
#   is always `1`; with `epsilon=1.0` each of `0, 1, 2` comes a third of the time; with
#   `epsilon=0.3`, action `1` comes $0.7 + 0.3/3 = 80\%$ of the time (a random draw may land on
#   the greedy action too).
#
# <details><summary>Hint 1 — the idea</summary>
#
# Draw one random number in $[0, 1)$: below ε, explore; otherwise exploit. Exploiting means
# taking the *index* of the largest Q-value, not the value itself.
# </details>
#
# <details><summary>Hint 2 — the API</summary>
#
# `random.random()` draws in $[0, 1)$; `random.randrange(n)` draws an `int` in $0 \dots n-1$
# (`random.randint(0, n)` would include $n$). `q.max(1)` returns `(values, indices)`;
# `q.argmax(dim=1)` the indices; `.item()` turns a one-element tensor into a Python number.
# `with torch.no_grad():` switches gradients off.
# </details>
#
# <details><summary>Hint 3 — almost the answer</summary>
#
# ```
# if random.random() < epsilon:
#     return <a random action>
# with torch.no_grad():
#     return int(network(state).<index of the max along dim 1>.item())
# ```
# </details>

# %%
def select_action(network, state, epsilon, n_actions):
    """ε-greedy: a random action with probability epsilon, else the argmax of the Q-values."""
    ### BEGIN SOLUTION
    if random.random() < epsilon:
        return random.randrange(n_actions)
    with torch.no_grad():
        return int(network(state).max(1)[1].item())
    ### END SOLUTION


# %%
select_action = checks.check_select_action(select_action)

# %% [markdown]
# **How the slides wrote it:** the same test the other way round (`if sample > eps_threshold:`
# exploit, else explore) and `policy_net(state).max(1)[1].view(1, 1)`, the index of the larger
# Q-value as a 1x1 tensor. The course's version:

# %%
dh.display.show_source(dh.policy.select_action)

# %% [markdown]
# Let's watch it on the untrained network: over many draws, the share of each action follows
# ε. With ε = 0 every action is the network's favourite; with ε = 1 the actions are a coin
# flip; in between, a random draw lands on the favourite half the time too.

# %% tags=["nbval-ignore-output"] nbval_reason="a progress bar with timings; the next cell prints the shares"
random.seed(1)
screen = dh.screen.get_screen(env) - dh.screen.get_screen(env)
favourite = int(untrained(screen).argmax(dim=1).item())
shares = {}
bar = tqdm(total=4 * 2_000, unit="action", desc="actions picked")
for epsilon in (0.0, 0.2, 0.5, 1.0):
    picks = Counter()
    for _ in range(2_000):
        picks[int(select_action(untrained, screen, epsilon, 2))] += 1  # int(): a 1x1 tensor works too
        bar.update()
    shares[epsilon] = picks[favourite] / 2_000
bar.close()

# %%
for epsilon, share in shares.items():
    print(f"ε = {epsilon:.1f}: the network's favourite action {share:.0%} of the time "
          f"(expected {1 - epsilon + epsilon / 2:.0%})")

# %% [markdown]
# ## Recap
#
# * ε-greedy: explore with probability ε (a uniformly random action), exploit otherwise
#   (the argmax of the Q-values).
# * The slides' exponential schedule (0.9 → 0.05, decay 200) stops exploring within the first
#   thousand steps, short episodes all of them (the counts above): very little experience before
#   the agent acts on its own.
# * The recipe of lesson 07 keeps the slides' schedule (printed below, from the recipe's own
#   settings). It first annealed linearly from 1.0 to 0.1 (the box's two ends) over 20,000 steps; on ten
#   seeds it did better with the slides' schedule (experiment e15 in `benchmarks/EXPERIMENTS.md`).
#   So the slides' short exploration is not what makes their loop fail; lesson 08 puts the long
#   anneal back into the recipe and measures the difference.
#
# **Next, lesson 06:** putting it all together: the learning step and the slides' training loop.

# %%
print(f"the recipe: ε from {recipe.eps_start} to {recipe.eps_end}, {recipe.eps_schedule} decay "
      f"(time constant {recipe.eps_decay_steps:,} steps): the slides' schedule")

# %% [markdown]
# ## Quiz
#
# Replace each `"?"` with your choice and run the cell: a wrong choice is answered with a reason.

# %%
quiz = dh.quiz.Quiz("05")
quiz

# %%
quiz.answer(1, "?")
quiz.answer(2, "?")
quiz.answer(3, "?")
