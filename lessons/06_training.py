# %% [markdown]
# # Lesson 06 — Training: the slides' loop, why it fails, and a recipe that solves CartPole
#
# Everything comes together: screens (lesson 02), replay memory (03), the Q-network (04) and
# ε-greedy (05). In this lesson you will
#
# 1. write the heart of the slides' `optimize_model` yourself: the TD target with the
#    non-final mask, and the loss (**exercise 1**), then read the slides' version piece by piece;
# 2. write one episode of the slides' training loop (**exercise 2**), track it with Weights &
#    Biases as the slides do (offline, no login needed), then run their loop for its 50
#    episodes and see what it learns;
# 3. meet the **recipe** that really learns from pixels, train it with a live plot, and read
#    its loss and value estimates;
# 4. see which changes made the difference, and the equations behind two of them;
# 5. load a fully trained agent shipped with the course and watch it balance for 500 steps.
#
# Training runs on a GPU when there is one and on the CPU otherwise; everything here also works
# on a laptop without a GPU.

# %% tags=["nbval-ignore-output"] nbval_reason="prints a banner only when the test suite runs in quick mode"
from itertools import count

import matplotlib.pyplot as plt
import numpy as np
import torch

import dqn_helpers as dh
from dqn_helpers import checks

Transition = dh.replay.Transition

dh.quick.announce_mode()

# %% [markdown]
# ## Where the networks run
#
# The slides write `device = torch.device("cuda" if torch.cuda.is_available() else "cpu")`.
# `dh.device.pick_device()` does the same and also knows Apple's GPUs (`mps`). Every tensor and network
# of a run lives on that device; the environment and the replay memory stay on the CPU, and each
# sampled batch is moved over once. On Colab, pick *Runtime → Change runtime type → GPU*.

# %% tags=["nbval-ignore-output"] nbval_reason="the device depends on the machine running the notebook"
device = dh.device.pick_device()
print("training on:", device)

# %% [markdown]
# ## 1. The learning step: the TD target and the loss
#
# Step 5 of the slides' algorithm box trains the network on a minibatch of transitions
# $(s_i, a_i, r_i, s_{i+1})$ from the replay memory, with the loss the slides annotate as
#
# $$\Big(\underbrace{Q(s_i, a_i)}_{\text{"Variable"}} - \underbrace{\big(r_i + \gamma \max_{a'} Q'(s_{i+1}, a')\big)}_{\text{"Target"}}\Big)^2$$
#
# The *variable* is what the policy network predicts for the action actually taken. The
# *target* is the reward plus the discounted value of the best next action, computed by the
# **target network** $Q'$; when the episode ended in $s_{i+1}$ (the pole fell), there is no
# future and the target is $r_i$ alone. The slides use the Huber loss (`nn.SmoothL1Loss`, with
# $\beta = 1$) instead of the square: for an error $d$ it is $\frac{1}{2} d^2 / \beta$ when
# $|d| < \beta$ and $|d| - \frac{1}{2}\beta$ otherwise, averaged over the batch, so one surprising
# transition cannot blow up the gradient.
#
# ## Exercise 1 — the TD target and the loss
#
# **Goal.** Write `compute_loss(transitions, policy_net, target_net, gamma)`: the loss of one update.
#
# * **Input:** `transitions`, a list of $B$ `Transition`s as the slides store them: `state` a
#   float tensor `(1, 3, 40, 90)`, `action` a long tensor `(1, 1)`, `reward` a float tensor `(1,)`,
#   `next_state` a state or `None` (the episode terminated). `policy_net` and `target_net` map
#   $(N, 3, 40, 90)$ to $(N, 2)$. `gamma` is $\gamma$, a float. The batch is transposed for you in
#   the first line (lesson 03).
# * **Output:** a tensor with one element, the Huber loss averaged over the batch, **with a
#   gradient** towards the policy network and **none** towards the target network.
# * **Shapes to mind:** stacking gives states $(B, 3, 40, 90)$, actions $(B, 1)$, rewards $(B,)$;
#   $Q(s_i, a_i)$ is $(B, 1)$ while the target is $(B,)$.
# * **Device:** on a GPU every tensor of the batch is on `cuda`; a tensor you create must be too.
# * **Worked example:** $B = 2$, $\gamma = 0.9$, both rewards $1$; transition 0 has a next state
#   whose best target-network value is $2.0$, transition 1 ended. Targets: $1 + 0.9 \cdot 2.0 = 2.8$
#   and $1$. If the policy network says $Q(s_0, a_0) = 2.5$ and $Q(s_1, a_1) = 1.5$, the errors are
#   $0.3$ and $0.5$, the Huber terms $0.045$ and $0.125$, and the loss is their mean, $0.085$.
#
# <details><summary>Hint 1 — the idea</summary>
#
# Work batch-wide: one forward pass of the policy network on all states, then pick each row's
# taken action; one forward pass of the target network on the next states that exist, and a
# zero for the others. A boolean mask says which transitions have a next state.
# </details>
#
# <details><summary>Hint 2 — the API</summary>
#
# `torch.cat(list_of_tensors)` stacks along the first axis; `q.gather(1, actions)` picks one
# column per row; `q.max(1)` returns `(values, indices)`;
# `torch.zeros(B, device=some_input.device)` makes a tensor on the batch's device;
# `values[mask] = ...` fills the rows where the mask is `True`; `with torch.no_grad():` (or
# `.detach()`) keeps the target out of the gradient; `nn.SmoothL1Loss()(input, target)` wants both
# of the same shape.
# </details>
#
# <details><summary>Hint 3 — almost the answer</summary>
#
# ```
# non_final_mask = torch.tensor([<s is not None for each next state>], dtype=torch.bool)
# state_batch, action_batch, reward_batch = torch.cat(...), ...
# state_action_values = policy_net(state_batch).gather(1, action_batch)        # (B, 1)
# next_state_values = torch.zeros(len(transitions), device=state_batch.device)
# with torch.no_grad():
#     next_state_values[non_final_mask] = target_net(<the non-final next states>).max(1)[0]
# expected = reward_batch + gamma * next_state_values                           # (B,)
# return nn.SmoothL1Loss()(state_action_values, expected.<make it (B, 1)>)
# ```
# </details>

# %%
def compute_loss(transitions, policy_net, target_net, gamma):
    """Huber loss between Q(s, a) and r + gamma * max_a' Q_target(s', a') (0 for final states)."""
    batch = Transition(*zip(*transitions))
    ### BEGIN SOLUTION
    non_final_mask = torch.tensor([s is not None for s in batch.next_state], dtype=torch.bool)
    non_final_next_states = torch.cat([s for s in batch.next_state if s is not None])
    state_batch = torch.cat(batch.state)
    action_batch = torch.cat(batch.action)
    reward_batch = torch.cat(batch.reward)
    state_action_values = policy_net(state_batch).gather(1, action_batch)
    next_state_values = torch.zeros(len(transitions), device=state_batch.device)
    with torch.no_grad():
        next_state_values[non_final_mask] = target_net(non_final_next_states).max(1)[0]
    expected_state_action_values = reward_batch + gamma * next_state_values
    criterion = torch.nn.SmoothL1Loss()
    return criterion(state_action_values, expected_state_action_values.unsqueeze(1))
    ### END SOLUTION


# %%
compute_loss = checks.check_compute_loss(compute_loss)

# %% [markdown]
# ### How the slides wrote it: `optimize_model`, piece by piece
#
# | slides' line | what it does |
# |---|---|
# | `transitions = memory.sample(BATCH_SIZE)` | 128 random past transitions: random sampling breaks the correlation between consecutive steps |
# | `batch = Transition(*zip(*transitions))` | a list of transitions → one transition of lists (lesson 03) |
# | `non_final_mask = torch.tensor(tuple(map(lambda s: s is not None, batch.next_state)))` | which transitions have a next state; `None` marks the end of an episode |
# | `state_action_values = policy_net(state_batch).gather(1, action_batch)` | Q(s, a) for the action actually **taken**: the network outputs both actions' values, `gather` picks one per row |
# | `next_state_values[non_final_mask] = target_net(non_final_next_states).max(1)[0].detach()` | max over a' of Q_target(s', a'), and **0** for final states (there is no future after the pole fell) |
# | `expected_state_action_values = (next_state_values * GAMMA) + reward_batch` | the TD target r + γ · max Q_target(s', a') |
# | `loss = criterion(state_action_values, expected_state_action_values.unsqueeze(1))` | Huber loss (`nn.SmoothL1Loss`) between the two, both of shape (B, 1) |
# | `for param in policy_net.parameters(): param.grad.data.clamp_(-1, 1)` | clip every gradient entry to [-1, 1] |
#
# The slides write `torch.zeros(BATCH_SIZE, device=device)` for the next-state values: on a GPU
# a tensor made without `device=` would live on the CPU, and the masked assignment would fail.
#
# Why a separate **target network**? The target r + γ max Q(s', a') is computed with a copy of
# the network that is only refreshed now and then (the slides: after every 10th episode; the
# recipe: every 500 steps). If the network chased targets computed by itself, every update would
# move its own goal post and the values could oscillate or diverge. `detach()` (or
# `torch.no_grad()`) makes the target a fixed number for this update: no gradient flows into it.
# The rest of the update is the same for every DQN: `optimizer.zero_grad()`, `loss.backward()`,
# clip, `optimizer.step()`.

# %% [markdown]
# ## Exercise 2 — one episode of the slides' training loop
#
# The slides' "DQN Training" loop plays episodes; in every step it (1) chooses and performs an
# action, (2) adds the transition to the replay memory, (3) trains the policy network, and after
# every `TARGET_UPDATE`-th episode it (4) refreshes the target network.
#
# **Goal.** Write `train_episode(env, policy_net, target_net, memory, select_action,
# optimize_model, i_episode, target_update=10)`: one whole episode of that loop.
#
# * **The state** is the slides' difference of two screens (lesson 02): the current screen minus
#   the one before it. Right after the reset both are the same fresh screen, so the first state
#   is all zeros. After each step, the screens move on by one and the next state is their new
#   difference.
# * **In every step, in this order:** choose an action for the current state with
#   `select_action` (it returns a 1x1 long tensor and handles ε itself); step the environment
#   with that action's number; make the reward a tensor of shape `(1,)` on `device`; build the
#   next state, which is **`None` if the pole fell** (`terminated`), and the screens' difference
#   otherwise, also when the time limit cut the episode (`truncated`: the pole was still up, its
#   future did not end); push the transition into `memory` in `Transition`'s field order; move on
#   to the next state; let `optimize_model` train once (it takes no arguments: it samples the
#   memory itself and waits until it holds a batch). Stop when the episode is terminated or
#   truncated.
# * **After the episode:** if `i_episode % target_update == 0`, copy the policy network's weights
#   into `target_net`.
# * **Output:** the episode's length in steps, an `int`.
# * **Example:** an agent that always pushes left on CartPole-v1 falls after about 10 steps: your
#   function pushes one transition per step, the last one with `next_state=None`, calls
#   `optimize_model` once per step, returns the number of steps, and copies the target network
#   for `i_episode=0` but not for `i_episode=7`.
#
# <details><summary>Hint 1 — the idea</summary>
#
# Keep two screens and slide them along: after a step, the current screen becomes the last one
# and a fresh `get_screen(env)` becomes the current one. The difference between `None if done`
# (the slides) and `None if terminated` (right) only shows at the time limit.
# </details>
#
# <details><summary>Hint 2 — the API</summary>
#
# `env.step(action.item())` returns `(observation, reward, terminated, truncated, info)`;
# `torch.tensor([reward], device=device)`; `memory.push(state, action, next_state, reward)`;
# `for t in count():` counts from 0 (so the length is `t + 1`);
# `target_net.load_state_dict(policy_net.state_dict())` copies the weights.
# </details>
#
# <details><summary>Hint 3 — almost the answer</summary>
#
# ```
# env.reset(); last_screen = ...; current_screen = ...; state = ...
# for t in count():
#     action = select_action(state)
#     _, reward, terminated, truncated, _ = env.step(...)
#     reward = torch.tensor(...)
#     last_screen = ...; current_screen = ...
#     next_state = None if ... else ...
#     memory.push(...); state = ...; optimize_model()
#     if ...: break
# if i_episode % target_update == 0: <copy the weights>
# return t + 1
# ```
# </details>

# %%
get_screen = dh.screen.get_screen


def train_episode(env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                  target_update=10):
    """One episode of the slides' training loop; returns its length in steps."""
    ### BEGIN SOLUTION
    env.reset()
    last_screen = get_screen(env)
    current_screen = get_screen(env)
    state = current_screen - last_screen
    for t in count():
        action = select_action(state)
        _, reward, terminated, truncated, _ = env.step(action.item())
        reward = torch.tensor([reward], device=device)
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
    ### END SOLUTION


# %%
train_episode = checks.check_train_episode(train_episode)

# %% [markdown]
# **How the slides wrote it**: the same body inside `for i_episode in range(num_episodes):`, with
# `env`, `memory`, `select_action` and `optimize_model` as globals, `done` from old gym's 4-tuple
# `step`, and `next_state = None` whenever `done`: at the time limit too. The course's version of
# the episode:

# %%
dh.display.show_source(dh.slides.train_episode)

# %% [markdown]
# Your loop, with everything you built in lessons 03–06 plugged in: the slides' networks and
# optimiser, their memory, ε-greedy with their schedule, and an `optimize_model` around your
# `compute_loss`. Three episodes (too few to learn anything; section 2 runs the full 50):

# %%
dh.seeding.seed_everything(0)
loop_env = dh.env.make_env("CartPole-v0")
loop_env.reset(seed=0)
screen_0 = get_screen(loop_env)
policy_net = dh.model.SlidesDQN(screen_0.shape[2], screen_0.shape[3], 2).to(device)
target_net = dh.model.SlidesDQN(screen_0.shape[2], screen_0.shape[3], 2).to(device)
target_net.load_state_dict(policy_net.state_dict())
target_net.eval()
optimizer = torch.optim.RMSprop(policy_net.parameters())
memory = dh.replay.ReplayMemory(10_000)
epsilon = dh.policy.ExponentialEpsilon(0.9, 0.05, 200)
steps_done = 0


def slides_select_action(state):
    global steps_done
    action = dh.policy.select_action(policy_net, state.to(device), epsilon(steps_done), 2)
    steps_done += 1
    return torch.tensor([[action]], device=device)


def optimize_model():
    if len(memory) < 128:
        return
    loss = compute_loss(memory.sample(128), policy_net, target_net, 0.999)
    optimizer.zero_grad()
    loss.backward()
    for param in policy_net.parameters():
        param.grad.data.clamp_(-1, 1)
    optimizer.step()


lengths = [train_episode(loop_env, policy_net, target_net, memory, slides_select_action, optimize_model, i)
           for i in range(3)]
print(f"episode lengths {lengths}; {len(memory)} transitions in memory; ε is now {epsilon(steps_done):.2f}")

# %% [markdown]
# ### Tracking the loop with Weights & Biases, as the slides do
#
# The slides track their run in W&B: `wandb.init(project="week14_dqn", config=config,
# monitor_gym=True)`, the run named `dqn_cartpole`, and the environment wrapped in
# `gym.wrappers.RecordEpisodeStatistics` (episode returns and lengths) and
# `gym.wrappers.Monitor` (videos). Two of those pieces are gone: gymnasium 1.x has no `Monitor`
# (its successor is `RecordVideo`), and wandb's `monitor_gym` only hooks old gym's video
# recorder, so today the video is recorded and logged by hand with `wandb.Video`. The function
# below is the slides' set-up with today's calls, around **your** `train_episode` and
# `compute_loss`: `wandb.init` with the config and the run's name, `wandb.log` after every
# episode (its length and return from `RecordEpisodeStatistics`, ε, the mean loss) and after
# every 10th episode a greedy evaluation, then the agent's video.
#
# `mode="auto"` logs to wandb.ai if you ran `wandb login` before, and **offline** otherwise: it
# never stops to ask for a login. An offline run is written to disk; `wandb sync <its folder>`
# uploads it later, once you have an account.

# %%
dh.display.show_source(dh.slides.train_with_wandb)

# %% tags=["nbval-ignore-output"] nbval_reason="wandb messages, and the run's folder name holds a date and a random id"
wandb_run = dh.slides.train_with_wandb(train_episode, compute_loss, n_episodes=dh.quick.budget(full=30, quick=3),
                                       out_dir="runs/lesson06-wandb", mode="auto",
                                       config=dh.presets.preset("slides", "CartPole-v0", device=str(device)),
                                       video_steps=dh.quick.budget(full=None, quick=20))
print("the run is in", wandb_run)
print(f"upload it later with:  wandb sync {wandb_run}")

# %% [markdown]
# What was logged, read back from the run's folder (the rows `wandb sync` would upload; with an
# account, wandb.ai draws them as charts):

# %% tags=["nbval-ignore-output"] nbval_reason="the logged numbers depend on the budget, which quick mode shrinks"
for row in dh.tracking.read_offline_history(wandb_run):
    shown = {k: round(v, 3) if isinstance(v, float) else v for k, v in row.items() if not k.startswith("_")}
    print({k: v for k, v in shown.items() if not k.startswith("agent/")} | ({"video": row["agent/path"]}
          if "agent/path" in row else {}))

# %% [markdown]
# The package runs the same loop one environment step at a time, so a run can be timed,
# interrupted and resumed. `dh.loop.Trainer.step` is the loop both recipes share: it asks an
# *agent* to act, to remember the step and to learn, and keeps the counters and the history:

# %%
dh.display.show_source(dh.loop.Trainer.step)

# %% [markdown]
# The slides' agent remembers and learns as the slides' loop body does (`next_state` is `None`
# at every episode end, as they write it), with your `compute_loss` plugged in as `loss_fn`:

# %%
dh.display.show_source(dh.slides.SlidesAgent.remember)

# %%
dh.display.show_source(dh.slides.SlidesAgent.optimize)

# %% [markdown]
# ## 2. The slides' recipe, run as written
#
# Exactly the slides' settings (`dh.presets.preset("slides")`): the state is the difference of two
# screens, the BatchNorm CNN acting in train mode, RMSprop, batch 128, γ = 0.999, ε from 0.9 to
# 0.05 with decay 200, a target copy every 10 episodes, **50 episodes** of CartPole-v0.
#
# **Predict first.** Lesson 01 measured how long a random policy lasts. After its 50 episodes,
# will the slides' agent, acting greedily, last longer than that? What will the curve of episode
# lengths do over the 50 episodes?

# %%
dh.presets.preset("slides", "CartPole-v0")

# %%
slides_config = dh.presets.preset("slides", "CartPole-v0", num_episodes=dh.quick.budget(full=50, quick=3),
                       final_eval_episodes=dh.quick.budget(full=100, quick=5), device=str(device))

# %% tags=["nbval-ignore-output"] nbval_reason="live plot, progress bar and timings"
slides_trainer = slides_config.build()
slides_trainer.agent.loss_fn = compute_loss  # yours if it passed the checker, the reference otherwise
slides_run = dh.runner.train_run(slides_trainer, "runs/lesson06-slides", wandb_mode="disabled", video=False,
                                 observers=[dh.plots.LiveCurve()])

# %% tags=["nbval-ignore-output"] nbval_reason="the numbers depend on the budget, which quick mode shrinks"
durations = [e.length for e in slides_trainer.history.episodes]
print(f"slides' recipe, {len(durations)} episodes: mean duration {np.mean(durations):.1f}, "
      f"last 10: {np.mean(durations[-10:]):.1f}, longest {max(durations)}")
greedy = slides_run.summary['final_mean']
print(f"its greedy policy over {slides_config.final_eval_episodes} new episodes: mean {greedy:.1f}")
baseline_env = dh.env.make_env("CartPole-v0", render_mode=None)
baseline_env.action_space.seed(0)
baseline_env.reset(seed=0)
random_mean = dh.env.random_baseline(baseline_env, 1_000)
verdict = ("fewer steps than" if greedy < 0.9 * random_mean else "more steps than" if greedy > 1.1 * random_mean
           else "about as many steps as")
print(f"a random policy (lesson 01) lasts {random_mean:.1f} steps: the slides' agent lasts {verdict} random actions")
print(f"speed: {slides_run.summary['steps_per_second']:.0f} steps/s, "
      f"{slides_trainer.agent.memory.bytes_per_transition:,.0f} bytes per stored transition")

# %% [markdown]
# <details><summary>What the run shows (open after running the cells)</summary>
#
# The curve stays flat, and the greedy agent is no better than the random policy of lesson 01
# (the last line above compares them). `pytorch/tutorials` issues #263, #683, #1755 and #1894
# report the same of this tutorial, which eventually dropped pixels for the state vector.
# Nothing is wrong with *your* loss: the recipe around it is the problem.
# </details>
#
# ## 3. What made it work
#
# The table below lists what the recipe changes from the slides. Each change had a reason, the
# **idea** in the table. An idea is a hypothesis until it is measured, and one row is a change
# that did not survive its measurement: the recipe first replaced the slides' ε schedule with a
# long linear anneal, then went back to the slides' schedule (lesson 05).

# %%
dh.recipe_changes.ideas()

# %% [markdown]
# **Predict first.** Which of these changes do you expect the recipe cannot do without, and
# which might not matter at all? Write your guesses down.
#
# Lesson 07 measures them: it takes the recipe and puts **one** change back to the slides'
# choice at a time, on several seeds (CartPole-v1, at most 100,000 steps, a run stopping at its
# confirmed solve). The cell below prints what that measured, folded so that you can predict
# first; it reads the committed runs (`dqn_helpers/data/ablation/`, re-made by
# `python benchmarks/ablate.py`), it does not type numbers in. The last row needs runs that go
# on after the solve, so it has its own comparison (`benchmarks/results.md`, section "once
# solved").

# %%
dh.recipe_changes.measured()

# %% [markdown]
# <details><summary>What the measurements say (open after reading them)</summary>
#
# * The changes that **carry** the recipe are those without which it solves on no seed, or on
#   some seeds only (the first group under the table). Their ideas are backed by the
#   measurement.
# * The others, put back **alone**, did not stop the recipe from solving: some slowed it, some
#   did not matter (the other groups). Where putting a change back did not slow the recipe, its
#   idea was plausible but the measurement does not back it on CartPole: a reason that sounds
#   right is not evidence.
# * The exploration row goes the other way: the recipe measured its own change (a long linear
#   anneal of ε) against the slides' schedule, and dropped it.
# * Three cautions when reading "faster". It means the first confirmed solve within the budget
#   and says nothing about *staying* solved. Changes can interact: one at a time says what a
#   change does inside the recipe, not what it does among the slides' other choices. And steps
#   are not minutes: a batch of 128 every step is 16 times the update work of the recipe's
#   batch of 32 every 4 steps, so compare the minutes too.
# * The last row is about staying solved, which the ablation runs cannot see because they stop
#   at the solve.
# </details>
#
# ### Key equations: the recipe's target
#
# The **n-step return** sums $n$ real rewards before bootstrapping (Sutton & Barto, ch. 7):
#
# $$y_t = \sum_{k=0}^{n-1} \gamma^k r_{t+k+1} + \gamma^n \max_{a'} Q'(s_{t+n}, a')$$
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

# %%
dh.presets.preset("solved", "CartPole-v0")

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
# ## 4. Train it, tracked with Weights & Biases
#
# The run below logs every episode and evaluation to W&B in **offline** mode: nothing is sent
# and no login is asked for; the run is written under `runs/lesson06-recipe/wandb/`. To see it on
# wandb.ai later, run `wandb login` once, then `wandb sync runs/lesson06-recipe/wandb/offline-run-*`.
# (`wandb_mode="auto"` logs online when you are already logged in, offline otherwise.)
#
# On a CPU this takes a few minutes. The blue dots are training episodes (with exploration),
# the orange line the greedy evaluations every 5,000 steps; training stops once 100 greedy
# episodes average 195 or more. Interrupt it with the stop button (■) at any time: the run is
# saved, and running the cell again resumes it.
#
# **Predict first.** How many environment steps will the recipe need to solve CartPole-v0?
# (`benchmarks/results.md` lists the steps to threshold of earlier runs; the output below says
# what this one took.)

# %% tags=["nbval-ignore-output"] nbval_reason="live plot, progress bar, wandb messages and timings"
recipe_run = dh.runner.train_run(recipe_config.build(), "runs/lesson06-recipe", wandb_mode="offline",
                                 observers=[dh.plots.LiveCurve()])

# %% tags=["nbval-ignore-output"] nbval_reason="the numbers depend on the budget, which quick mode shrinks"
if recipe_run.completed:
    s = recipe_run.summary
    print(f"solved at step: {s['solved_at_step']}  (threshold {s['threshold']:g})")
    print(f"best network, {s['final_episodes']} new greedy episodes: mean {s['final_mean']:.1f}, min {s['final_min']}")
    print(f"speed: {s['steps_per_second']:.0f} steps/s, {s['bytes_per_transition']:,.0f} bytes per transition")
else:
    print("interrupted: run the training cell again to resume")

# %% [markdown]
# ### Reading the run: the loss and the values
#
# A return curve says *whether* the agent learns; two more curves say *how*. The **TD loss** is
# what each update minimises; the **mean max-Q** is the network's own estimate of the return from
# the states it trains on. With γ = 0.99 and a reward of 1 per step, an endless balanced episode
# is worth $\sum_k \gamma^k = 1/(1-\gamma) = 100$: the values should climb towards that as the
# agent learns to balance, not far beyond it (that would be over-estimation).

# %% tags=["nbval-ignore-output"] nbval_reason="the curves depend on the budget, which quick mode shrinks"
dh.plots.plot_diagnostics(recipe_run.trainer)
plt.show()

# %% [markdown]
# ## 5. A fully trained agent
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
returns = dh.env.evaluate_policy(env, agent, n_episodes=dh.quick.budget(full=100, quick=3), seed=5_000)
print(f"{len(returns)} greedy episodes: mean {np.mean(returns):.1f}, min {min(returns):.0f}, max {max(returns):.0f}")

# %% tags=["nbval-ignore-output"] nbval_reason="the embedded MP4's bytes depend on the ffmpeg build"
episode = dh.video.record_video(env, agent, "videos/trained_agent.mp4", seed=5_000,
                          max_steps=dh.quick.budget(full=None, quick=30))
print(f"the episode lasted {episode.length} steps")
dh.video.show_video("videos/trained_agent.mp4")

# %% [markdown]
# ## What the network looks at
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
# ## Going further
#
# * Train CartPole-v1 yourself from a terminal (a progress bar, Ctrl-C saves, the same command
#   resumes): `python -m dqn_helpers train --preset solved --env CartPole-v1 --seed 0 --out runs/v1`.
#   It writes the curve (`curve.png`, `episodes.csv`), the best network (`policy.pt`), a summary
#   (`summary.json`) and a video (`agent.mp4`).
# * Ablate: `--set n_step=1` or `--set frame_stack=2` and compare the curves.
# * `python benchmarks/speed.py` times the slides' loop against the recipe's on your machine.
#
# *Read next:* Mnih et al. (2013), *Playing Atari with Deep Reinforcement Learning*, and (2015),
# *Human-level control through deep reinforcement learning* (DQN, replay, the target network);
# van Hasselt, Guez & Silver (2016), *Deep Reinforcement Learning with Double Q-learning*;
# Sutton & Barto, ch. 6 (TD learning, Q-learning) and ch. 7 (n-step returns); Pardo et al.
# (2018), *Time Limits in Reinforcement Learning*.
#
# ## Recap
#
# * One DQN update: Q(s, a) from the policy network, the target r + γ max Q'(s', ·) from the
#   target network (zero future after a termination, never after a truncation), the Huber loss
#   between them, no gradient through the target.
# * The slides' loop: act, step, push, optimise, every step; refresh the target every 10th
#   episode. Run as written for 50 episodes, it does not beat a random policy.
# * The recipe that solves CartPole from pixels changes what the agent sees, the network, the
#   optimiser, replay and the target (n-step, Double DQN), and keeps the slides' ε schedule.
#   Put back one at a time (lesson 07), only a few of those changes carry it; the others'
#   reasons were plausible but not borne out on CartPole. Measure, don't argue.
# * W&B tracks a run offline, and `wandb sync` uploads it later.
#
# ## Quiz
#
# Replace each `"?"` with your choice and run the cell: a wrong choice is answered with a reason.

# %%
quiz = dh.quiz.Quiz("06")
quiz

# %%
quiz.answer(1, "?")
quiz.answer(2, "?")
quiz.answer(3, "?")
quiz.answer(4, "?")
quiz.answer(5, "?")
