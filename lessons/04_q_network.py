# %% [markdown]
# # Lesson 04 — The Q-network
#
# With screens as states there are far too many states for a table of `Q(s, a)`. So the slides
# use a network, a *Deep Q-Network*: a screen goes in, and one number per action comes out.
#
# ### Key equations: from a table to a network
#
# Tabular Q-learning stores one number per pair $(s, a)$. DQN replaces the table by a function
# with weights $\theta$, one output per action:
#
# $$Q(s, \cdot\,; \theta) = f_\theta(s) \in \mathbb{R}^{|\mathcal{A}|}, \qquad a_{\text{greedy}} = \arg\max_a Q(s, a; \theta)$$
#
# One forward pass gives the values of *all* actions, which is what both acting (the argmax) and
# the learning target (the max over $a'$) need. The slides call this "action classification"
# ("2개의 action으로 classification"). Strictly, the network *regresses* expected returns, which
# can be any real number: its head has no softmax. Similar screens get similar
# values, so experience generalises to screens never seen, which a table cannot do. In code:
# `policy_net(state)` is $Q(s, \cdot\,; \theta)$ for a batch of screens, and `q.argmax(dim=1)` the
# greedy action (Mnih et al., 2015, *Human-level control through deep reinforcement learning*).
#
# In this lesson you will:
#
# 1. compute how a convolution shrinks an image (`conv2d_size_out`), to size the last layer;
# 2. build the slides' network: three convolution + BatchNorm + ReLU blocks and a linear head;
# 3. declare the slides' two networks, policy and target, and their optimiser.
#
# Optional deep dives print the shapes layer by layer and show the **BatchNorm trap**: the
# slides act on one screen at a time with the network in training mode.
#
# **Exercises** (3): `conv2d_size_out`, the network's layers and `forward`, and the declaration
# of the policy and target networks.

# %% tags=["nbval-ignore-output"] nbval_reason="prints a banner only when the test suite runs in quick mode"
import copy

import torch
import torch.nn as nn
import torch.nn.functional as F

import dqn_helpers as dh
from dqn_helpers import checks

dh.quick.announce_mode()
torch.manual_seed(0)

# %% [markdown]
# ## 1. How big is the image after a convolution?
#
# A convolution slides a `kernel_size` x `kernel_size` window over the image, `stride` pixels at
# a time, without padding. The last layer of the network needs to know how many numbers come out
# of the convolutions, so we must compute the output size ourselves.
#
# ### Exercise 1 — `conv2d_size_out`
#
# **Goal.** Write `conv2d_size_out(size, kernel_size=5, stride=2)`: along one axis of length
# $n$, how many positions can a window of width $k$ take, starting at pixel 0 and moving $s$
# pixels at a time, without running past the last pixel?
#
# * **Input:** three `int`s, $n$ = `size`, $k$ = `kernel_size`, $s$ = `stride` (keep the slides'
#   defaults, 5 and 2).
# * **Output:** an `int`,
#   $$n_{\text{out}} = \left\lfloor \frac{n - k}{s} \right\rfloor + 1 .$$
# * **Example:** $n = 40$, $k = 5$, $s = 2$: the window can start at pixels 0, 2, 4, ..., 34
#   (starting at 36 it would need pixel 40, which does not exist): 18 positions. Applied three
#   times, a 40-pixel-high screen shrinks 40 → 18 → 7 → 2.
#
# <details><summary>Hint 1 — the idea</summary>
#
# The last start position is the largest multiple of $s$ that is at most $n - k$; count the
# start positions, the first one (0) included.
# </details>
#
# <details><summary>Hint 2 — the API</summary>
#
# `//` is Python's floor division: `35 // 2` is `17`, an `int` (`/` would give the float `17.5`,
# and `nn.Linear` needs an `int`).
# </details>
#
# <details><summary>Hint 3 — almost the answer</summary>
#
# ```
# return (<size> - <kernel_size>) // <stride> + <the first position>
# ```
# </details>

# %%
def conv2d_size_out(size, kernel_size=5, stride=2):
    """Length of a convolution's output along an axis of length `size` (no padding)."""
    ### BEGIN SOLUTION
    return (size - (kernel_size - 1) - 1) // stride + 1
    ### END SOLUTION


# %%
conv2d_size_out = checks.check_conv2d_size_out(conv2d_size_out)

# %% [markdown]
# The slides write it `(size - (kernel_size - 1) - 1) // stride + 1`, which is the same thing.
# The sizes of the slides' screens through the three convolutions:

# %%
h, w = 40, 90
for axis, size in (("height", h), ("width", w)):
    sizes = [size]
    for _ in range(3):
        sizes.append(conv2d_size_out(sizes[-1]))
    print(f"{axis}: {' -> '.join(map(str, sizes))}")
print("values into the head: 2 * 8 * 32 channels =", 2 * 8 * 32)

# %% [markdown]
# ## Exercise 2 — the slides' network
#
# **Goal.** Build the slides' Q-network `DQN(h, w, outputs)`: a screen goes in, one number per
# action comes out, $Q(s, \cdot) \in \mathbb{R}^{\text{outputs}}$. It is three identical
# *blocks* followed by a linear **head**:
#
# $$\text{block}(x) = \mathrm{ReLU}\big(\mathrm{BatchNorm}(\mathrm{Conv}(x))\big), \qquad
#   Q(s, \cdot) = W \cdot \mathrm{flatten}\big(\text{block}_3(\text{block}_2(\text{block}_1(s)))\big) + b$$
#
# | stage | what it is | shape for a batch of $B$ screens of 3x40x90 |
# |---|---|---|
# | input | screens | $(B, 3, 40, 90)$ |
# | block 1 (`conv1`, `bn1`) | convolution 3 → 16 channels, 5x5 kernel, stride 2; BatchNorm over 16 channels; ReLU | $(B, 16, 18, 43)$ |
# | block 2 (`conv2`, `bn2`) | convolution 16 → 32 channels, 5x5 kernel, stride 2; BatchNorm; ReLU | $(B, 32, 7, 20)$ |
# | block 3 (`conv3`, `bn3`) | convolution 32 → 32 channels, 5x5 kernel, stride 2; BatchNorm; ReLU | $(B, 32, 2, 8)$ |
# | flatten | each screen's features in one row | $(B, 512)$ |
# | `head` | a linear layer, no activation: Q-values can be any real number | $(B, \text{outputs})$ |
#
# * **Input of the constructor:** the screen's height `h` and width `w`, and `outputs` (the
#   number of actions). The head's input size must be **computed** from `h` and `w` with your
#   `conv2d_size_out` (512 is only right for 40x90).
# * **Input of `forward`:** a float tensor $(B, 3, h, w)$; **output:** $(B, \text{outputs})$.
# * **Example:** `DQN(40, 90, 2)` on a batch of 8 screens returns a tensor of shape `(8, 2)`;
#   `DQN(60, 120, 3)` on 2 screens of 3x60x120 returns `(2, 3)`.
# * (The slides' `forward` also moves `x` to a global `device`; we leave that to the caller, see
#   lesson 06.)
#
# <details><summary>Hint 1 — the idea</summary>
#
# `__init__` creates the layers (they hold the weights); `forward` says in which order they are
# applied. The head's input size is (width after 3 convolutions) x (height after 3
# convolutions) x 32 channels.
# </details>
#
# <details><summary>Hint 2 — the API</summary>
#
# `nn.Conv2d(in_channels, out_channels, kernel_size=..., stride=...)`, `nn.BatchNorm2d(channels)`,
# `nn.Linear(in_features, out_features)`, `F.relu(x)`; `x.view(x.size(0), -1)` flattens all but the
# batch dimension. Call `super().__init__()` first in `__init__`.
# </details>
#
# <details><summary>Hint 3 — almost the answer</summary>
#
# ```
# __init__:  self.conv1 = ...; self.bn1 = ...   (and the same for blocks 2 and 3)
#            convw = conv2d_size_out(conv2d_size_out(conv2d_size_out(w)))   (and convh from h)
#            self.head = nn.Linear(convw * convh * 32, outputs)
# forward:   x = F.relu(self.bn1(self.conv1(x)))   (and blocks 2 and 3)
#            return self.head(<x flattened per screen>)
# ```
# </details>

# %%
class DQN(nn.Module):
    def __init__(self, h, w, outputs):
        super().__init__()
        ### BEGIN SOLUTION
        self.conv1 = nn.Conv2d(3, 16, kernel_size=5, stride=2)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=5, stride=2)
        self.bn2 = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(32, 32, kernel_size=5, stride=2)
        self.bn3 = nn.BatchNorm2d(32)
        convw = conv2d_size_out(conv2d_size_out(conv2d_size_out(w)))
        convh = conv2d_size_out(conv2d_size_out(conv2d_size_out(h)))
        self.head = nn.Linear(convw * convh * 32, outputs)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = F.relu(self.bn3(self.conv3(x)))
        return self.head(x.view(x.size(0), -1))
        ### END SOLUTION


# %%
DQN = checks.check_dqn(DQN)

# %% [markdown]
# ### Deep dive: how the course writes it
#
# `dh.model.SlidesDQN` is the slides' class as they wrote it:

# %%
dh.display.show_source(dh.model.SlidesDQN)

# %% [markdown]
# ## Deep dive: shapes, layer by layer
#
# Feed a batch of 8 screens of 3x40x90 through the network and follow the shapes:

# %%
policy_net = DQN(40, 90, 2)
screens = torch.rand(8, 3, 40, 90)
print(dh.model.layer_table(policy_net, screens))

# %% [markdown]
# About 41,000 parameters, most of them in the convolutions (each 5x5 kernel over 32 channels
# has 800 weights). The output is 2 numbers per screen, `Q(s, left)` and `Q(s, right)`; the
# greedy action is the larger one, `q.max(1)[1]` in the slides (`argmax`):

# %%
q = policy_net(screens)
print("Q-values of the first 3 screens:\n", q[:3].detach().numpy().round(3))
print("greedy actions:", q.argmax(dim=1).tolist())

# %% [markdown]
# ## Deep dive: the BatchNorm trap
#
# BatchNorm normalises each channel with a **mean and variance**. In training mode
# (`net.train()`, the default) it uses the statistics of the *current batch* and updates a
# running average; in evaluation mode (`net.eval()`) it uses that running average.
#
# The slides act with `policy_net(state)` on **one** screen, and never call `eval()` on the
# policy network. Three things follow.
#
# **Predict first:** the same screen goes through the same network twice, once alone and once
# inside a batch of 8. Will its two Q-values come out the same?
#
# **(a) A screen's Q-values depend on what else is in the batch.** In training mode, the same
# screen gets different values alone and inside a batch, because the statistics differ:

# %%
policy_net.train()
alone = policy_net(screens[:1])
in_batch = policy_net(screens)[:1]
print("alone:      ", alone.detach().numpy().round(3))
print("in a batch: ", in_batch.detach().numpy().round(3))

# %% [markdown]
# <details><summary>Why they differ (open after running the cell)</summary>
#
# In training mode BatchNorm subtracts the mean and divides by the standard deviation *of the
# batch it is given*: alone, the screen is normalised by its own statistics; in the batch, by
# those of all 8 screens. Same weights, other input to the next layer, other Q-values.
# </details>
#
# **(b) Acting changes the network.** Each forward pass in training mode nudges BatchNorm's
# running statistics, so every action the agent picks quietly retrains the layer, with one
# screen's statistics at a time:

# %%
first_bn = next(m for m in policy_net.modules() if isinstance(m, torch.nn.BatchNorm2d))  # bn1 in the slides
before = first_bn.running_mean[:4].clone()
with torch.no_grad():
    for _ in range(10):
        policy_net(torch.rand(1, 3, 40, 90))
print("bn1 running mean before acting:", before.numpy().round(4))
print("after 10 actions:              ", first_bn.running_mean[:4].numpy().round(4))

# %% [markdown]
# **(c) The two networks disagree.** The slides put the *target* network in `eval()` mode, which
# uses running statistics, while the policy network it is compared with runs in training mode:
# the same weights give different values for the same screen:

# %%
target_net = copy.deepcopy(policy_net).eval()  # same weights, evaluation mode
policy_net.train()
screen = screens[:4]
print("Q(s, left), policy net (train mode):", policy_net(screen)[:, 0].detach().numpy().round(3))
print("Q(s, left), target net (eval mode): ", target_net(screen)[:, 0].detach().numpy().round(3))

# %% [markdown]
# The fixes: switch to `eval()` to act and back to `train()` to learn, or (what the recipe in
# lesson 07 does) drop BatchNorm altogether. With stacked uint8 frames scaled to [0, 1], the
# network trains well without it, and a network without BatchNorm gives a screen the same
# values however it is batched.
#
# Are (a)–(c) what makes the slides fail? They are true of the network, but whether they cost
# a DQN anything on CartPole is a question for an experiment, not for this argument: lesson 08
# puts BatchNorm, acting in training mode as the slides have it, back into the recipe and
# measures it over several seeds.
#
# ## Exercise 3 — declaring the networks
#
# The slides' training code starts with a block that sets up the learner ("Network 선언"):
# two networks of the same shape, the **policy network** that acts and learns, and the
# **target network** that "does not learn and copies the policy network's parameters" (the
# slides' words). Lesson 06 explains why the target is computed by a frozen copy; here we only
# set the pair up.
#
# **Goal.** Write `declare_networks(init_screen, n_actions, device)` returning
# `(policy_net, target_net, optimizer)`:
#
# * **sizing from the first screen:** `init_screen` is a screen from `get_screen()`, of shape
#   $(1, 3, H, W)$ (close to `(1, 3, 40, 90)`, as the slides say); build the networks for its $H$
#   and $W$ and for `n_actions` actions, with the `DQN` class of exercise 2;
# * **policy_net:** a `DQN` on `device` (`torch.device("cpu")` here, `"cuda"` on Colab's GPU), in
#   training mode;
# * **target_net:** a *second*, separate `DQN` on `device`, starting with exactly the policy
#   network's weights, and put in evaluation mode (it never trains);
# * **optimizer:** RMSprop over the policy network's parameters, with RMSprop's default settings.
# * **Example:** `declare_networks(torch.rand(1, 3, 40, 90), 2, torch.device("cpu"))` gives two
#   networks with the same weights: `policy_net.training` is `True` and `target_net.training`
#   is `False`. Put both in eval mode, and they give the same Q-values for any screen.
#
# <details><summary>Hint 1 — the idea</summary>
#
# Make two networks, then copy the first one's weights into the second (a plain assignment
# `target_net = policy_net` would only give one network two names, and the "frozen" target would
# move with every update). Only the policy network's parameters go to the optimiser.
# </details>
#
# <details><summary>Hint 2 — the API</summary>
#
# `_, _, screen_height, screen_width = init_screen.shape`; `net.to(device)`;
# `net.state_dict()` / `other.load_state_dict(a_state_dict)` copy weights; `net.eval()`;
# `optim.RMSprop(parameters)` (with `from torch import optim`).
# </details>
#
# <details><summary>Hint 3 — almost the answer</summary>
#
# ```
# policy_net = DQN(<h>, <w>, n_actions).to(device)
# target_net = DQN(<h>, <w>, n_actions).to(device)
# target_net.<copy the weights>(policy_net.<its weights>())
# target_net.<evaluation mode>()
# optimizer = optim.RMSprop(<the policy network's parameters>)
# return policy_net, target_net, optimizer
# ```
# </details>

# %%
from torch import optim


def declare_networks(init_screen, n_actions, device):
    """The slides' declaration: policy and target networks sized from the first screen, and the optimiser."""
    ### BEGIN SOLUTION
    _, _, screen_height, screen_width = init_screen.shape
    policy_net = DQN(screen_height, screen_width, n_actions).to(device)
    target_net = DQN(screen_height, screen_width, n_actions).to(device)
    target_net.load_state_dict(policy_net.state_dict())
    target_net.eval()
    optimizer = optim.RMSprop(policy_net.parameters())
    return policy_net, target_net, optimizer
    ### END SOLUTION


# %%
declare_networks = checks.check_declare_networks(declare_networks)

# %% [markdown]
# Now with a real first screen, on the device this notebook runs on:

# %% tags=["nbval-ignore-output"] nbval_reason="the device depends on the machine running the notebook"
env = dh.env.make_env("CartPole-v0")
env.reset(seed=0)
init_screen = dh.screen.get_screen(env)
device = dh.device.pick_device()
policy_net, target_net, optimizer = declare_networks(init_screen, env.action_space.n, device)
print("first screen:", tuple(init_screen.shape), "| networks on", next(policy_net.parameters()).device)
print("policy_net.training:", policy_net.training, "| target_net.training:", target_net.training)
print("optimiser:", type(optimizer).__name__, "over", sum(p.numel() for p in policy_net.parameters()), "weights")

# %% [markdown]
# **How the slides wrote it**, as top-level code with the hyper-parameters next to it:
#
# ```python
# init_screen = get_screen()
# _, _, screen_height, screen_width = init_screen.shape
# n_actions = env.action_space.n
# policy_net = DQN(screen_height, screen_width, n_actions).to(device)
# target_net = DQN(screen_height, screen_width, n_actions).to(device)
# target_net.load_state_dict(policy_net.state_dict())
# target_net.eval()
# optimizer = optim.RMSprop(policy_net.parameters())
# memory = ReplayMemory(10000)
# ```
#
# ## Deep dive: the recipe's network
#
# For comparison, the network the recipe trains: 4 stacked grayscale 30x90 frames in (so 4 input
# channels instead of 3 colours), no BatchNorm, a hidden layer of 256 units before the head.

# %%
recipe_net = dh.model.PixelDQN(frames=4, h=30, w=90, n_actions=2)
print(dh.model.layer_table(recipe_net, torch.zeros(8, 4, 30, 90, dtype=torch.uint8)))

# %% [markdown]
# ## Recap
#
# * A Q-network maps a screen to one estimated return per action, $Q(s, \cdot\,; \theta)$; the
#   greedy action is their argmax. It regresses values; it does not classify.
# * `conv2d_size_out(size) = (size - kernel_size) // stride + 1`; three 5x5/2 convolutions take
#   a 40x90 screen to 2x8, so the head takes 2 x 8 x 32 = 512 values.
# * The slides' DQN: 3 x (conv, BatchNorm, ReLU) + a linear head, about 41,000 parameters,
#   2 Q-values per screen; the greedy action is their argmax.
# * BatchNorm in training mode with a batch of one makes Q-values depend on the batch, changes
#   the network as it acts, and makes the policy and target networks disagree. Act in `eval()`
#   mode, or drop BatchNorm.
# * The slides' learner is a pair: a policy network that acts and learns (with RMSprop) and a
#   target network that starts as its copy and only evaluates.
#
# **Next, lesson 05:** choosing actions: ε-greedy and how fast ε falls.
#
# ## Quiz
#
# Replace each `"?"` with your choice and run the cell: a wrong choice is answered with a reason.

# %%
quiz = dh.quiz.Quiz("04")
quiz

# %%
quiz.answer(1, "?")
quiz.answer(2, "?")
quiz.answer(3, "?")
quiz.answer(4, "?")
