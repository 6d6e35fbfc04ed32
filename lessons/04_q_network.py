# %% [markdown]
# # Lesson 04 — The Q-network
#
# Q-learning keeps a value `Q(s, a)` for every state and action: how much reward the agent can
# expect after taking action `a` in state `s`. With screens as states there are far too many
# states for a table, so the slides replace it with a network, a *Deep Q-Network*: a screen goes
# in, and one number per action comes out. The agent then acts greedily by picking the action
# with the larger value.
#
# In this lesson you will:
#
# 1. compute how a convolution shrinks an image (`conv2d_size_out`), to size the last layer;
# 2. build the slides' network: three convolution + BatchNorm + ReLU blocks and a linear head;
# 3. print its shapes layer by layer and count its parameters;
# 4. meet the **BatchNorm trap**: the slides act on one screen at a time with the network in
#    training mode, and see what that does.
#
# **Exercises** (2): `conv2d_size_out`, and the network's layers and `forward`.

# %% tags=["nbval-ignore-output"] nbval_reason="prints a banner only when the test suite runs in quick mode"
import torch
import torch.nn as nn
import torch.nn.functional as F

import dqn_helpers as dh
from dqn_helpers import checks

dh.announce_mode()
torch.manual_seed(0)

# %% [markdown]
# ## 1. How big is the image after a convolution?
#
# A convolution slides a `kernel_size` x `kernel_size` window over the image, `stride` pixels at
# a time, without padding. Along one axis of length `size`, the window fits
# `(size - kernel_size) // stride + 1` times (the slides write it
# `(size - (kernel_size - 1) - 1) // stride + 1`, the same thing). For a 40-pixel-high screen
# and the slides' 5x5 kernels with stride 2: 40 → 18 → 7 → 2.
#
# ### Exercise 1 — `conv2d_size_out`

# %%
def conv2d_size_out(size, kernel_size=5, stride=2):
    """Length of a convolution's output along an axis of length `size` (no padding)."""
    # Hint: how many positions can a window of kernel_size take, moving stride pixels at a time?
    ### BEGIN SOLUTION
    return (size - (kernel_size - 1) - 1) // stride + 1
    ### END SOLUTION


# %%
conv2d_size_out = checks.check_conv2d_size_out(conv2d_size_out)

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
# Three blocks of *convolution → BatchNorm → ReLU*, then a linear **head** with one output per
# action (the slides call it "CNN + FC, action classification": 2 actions).
#
# | layer | what it is |
# |---|---|
# | `conv1` | `nn.Conv2d(3, 16, kernel_size=5, stride=2)` then `bn1 = nn.BatchNorm2d(16)` |
# | `conv2` | `nn.Conv2d(16, 32, kernel_size=5, stride=2)` then `bn2 = nn.BatchNorm2d(32)` |
# | `conv3` | `nn.Conv2d(32, 32, kernel_size=5, stride=2)` then `bn3 = nn.BatchNorm2d(32)` |
# | `head` | `nn.Linear(linear_input_size, outputs)`, with `linear_input_size = convw * convh * 32` |
#
# `forward` applies `F.relu(self.bn1(self.conv1(x)))` and the other two blocks, flattens each
# screen's features with `x.view(x.size(0), -1)`, and applies the head. (The slides' `forward`
# also moves `x` to a global `device`; we leave that to the caller, see lesson 06.)

# %%
class DQN(nn.Module):
    def __init__(self, h, w, outputs):
        super().__init__()
        # Hint: define conv1, bn1, conv2, bn2, conv3, bn3 as in the table, then compute
        # convw = conv2d_size_out(conv2d_size_out(conv2d_size_out(w))) (same for convh) and the head.
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
        # Hint: three relu(bn(conv(x))) blocks, then self.head(x.view(x.size(0), -1))
        ### BEGIN SOLUTION
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = F.relu(self.bn3(self.conv3(x)))
        return self.head(x.view(x.size(0), -1))
        ### END SOLUTION


# %%
DQN = checks.check_dqn(DQN)

# %% [markdown]
# ## 2. Shapes, layer by layer
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
# ## 3. The BatchNorm trap
#
# BatchNorm normalises each channel with a **mean and variance**. In training mode
# (`net.train()`, the default) it uses the statistics of the *current batch* and updates a
# running average; in evaluation mode (`net.eval()`) it uses that running average.
#
# The slides act with `policy_net(state)` on **one** screen, and never call `eval()` on the
# policy network. Three things follow.
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
# **(b) Acting changes the network.** Each forward pass in training mode nudges BatchNorm's
# running statistics, so every action the agent picks quietly retrains the layer, with one
# screen's statistics at a time:

# %%
before = policy_net.bn1.running_mean[:4].clone()
with torch.no_grad():
    for _ in range(10):
        policy_net(torch.rand(1, 3, 40, 90))
print("bn1 running mean before acting:", before.numpy().round(4))
print("after 10 actions:              ", policy_net.bn1.running_mean[:4].numpy().round(4))

# %% [markdown]
# **(c) The two networks disagree.** The slides put the *target* network in `eval()` mode, which
# uses running statistics, while the policy network it is compared with runs in training mode:
# the same weights give different values for the same screen:

# %%
target_net = DQN(40, 90, 2)
target_net.load_state_dict(policy_net.state_dict())
target_net.eval()
policy_net.train()
screen = screens[:4]
print("Q(s, left), policy net (train mode):", policy_net(screen)[:, 0].detach().numpy().round(3))
print("Q(s, left), target net (eval mode): ", target_net(screen)[:, 0].detach().numpy().round(3))

# %% [markdown]
# The fixes: switch to `eval()` to act and back to `train()` to learn, or (what the recipe in
# lesson 06 does) drop BatchNorm altogether. With stacked uint8 frames scaled to [0, 1], the
# network trains well without it, and a network without BatchNorm gives a screen the same
# values however it is batched.
#
# ## 4. The recipe's network
#
# For comparison, the network the recipe trains: 4 stacked grayscale 30x90 frames in (so 4 input
# channels instead of 3 colours), no BatchNorm, a hidden layer of 256 units before the head.

# %%
recipe_net = dh.model.PixelDQN(frames=4, h=30, w=90, n_actions=2)
print(dh.model.layer_table(recipe_net, torch.zeros(8, 4, 30, 90, dtype=torch.uint8)))

# %% [markdown]
# ## Recap
#
# * `conv2d_size_out(size) = (size - kernel_size) // stride + 1`; three 5x5/2 convolutions take
#   a 40x90 screen to 2x8, so the head takes 2 x 8 x 32 = 512 values.
# * The slides' DQN: 3 x (conv, BatchNorm, ReLU) + a linear head, about 41,000 parameters,
#   2 Q-values per screen; the greedy action is their argmax.
# * BatchNorm in training mode with a batch of one makes Q-values depend on the batch, changes
#   the network as it acts, and makes the policy and target networks disagree. Act in `eval()`
#   mode, or drop BatchNorm.
#
# **Next, lesson 05:** choosing actions: ε-greedy and how fast ε falls.
