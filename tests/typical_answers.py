"""Typical student answers to every exercise, as first-time students write them.

Each answer is a function or class the way a notebook cell defines it, with the verdict its
checker must give: ``None`` for a correct answer (it must pass), or a fragment of the message
that names the actual fault. ``test_checks_typical_answers.py`` runs them all.
"""

from __future__ import annotations

import copy
import math
import random
from collections import deque, namedtuple
from dataclasses import dataclass
from itertools import count
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn, optim

from dqn_helpers.model import SlidesDQN
from dqn_helpers.replay import Transition
from dqn_helpers.screen import cart_location, cart_window, slides_resize
from dqn_helpers.screen import get_screen as reference_get_screen


@dataclass
class Answer:
    exercise: str
    code: Any
    verdict: str | None  # None: correct; else a fragment of the message naming the fault
    name: str = ""


ANSWERS: list[Answer] = []


def answer(exercise: str, verdict: str | None = None):
    def register(code):
        ANSWERS.append(Answer(exercise, code, verdict, code.__name__))
        return code
    return register


# --- lesson 01: play_episode --------------------------------------------------------------

@answer("play_episode")
def play_while_true(env, policy, seed=None):
    observation, info = env.reset(seed=seed)
    steps = 0
    while True:
        observation, reward, terminated, truncated, info = env.step(policy(observation))
        steps += 1
        if terminated or truncated:
            return steps


@answer("play_episode")
def play_done_flag(env, policy, seed=None):
    obs, _ = env.reset(seed=seed)
    done, t = False, 0
    while not done:
        obs, r, terminated, truncated, _ = env.step(policy(obs))
        done = terminated or truncated
        t += 1
    env.close()
    return t


@answer("play_episode", "a sum of the rewards (1.0 per step) is a float")
def play_sums_rewards(env, policy, seed=None):
    obs, _ = env.reset(seed=seed)
    total = 0.0
    for _ in count():
        obs, reward, terminated, truncated, _ = env.step(policy(obs))
        total += reward
        if terminated or truncated:
            return total


@answer("play_episode", "after the episode had ended (truncated=True at step 200)")
def play_ignores_truncation(env, policy, seed=None):
    obs, _ = env.reset(seed=seed)
    steps = 0
    while True:
        obs, _, terminated, _, _ = env.step(policy(obs))
        steps += 1
        if terminated:
            return steps


@answer("play_episode", "gymnasium's env.step(action) returns 5 values")
def play_old_gym_step(env, policy, seed=None):
    obs, _ = env.reset(seed=seed)
    steps, done = 0, False
    while not done:
        obs, reward, done, info = env.step(policy(obs))
        steps += 1
    return steps


@answer("play_episode", "env.reset() returns a pair")
def play_old_gym_reset(env, policy, seed=None):
    obs = env.reset(seed=seed)
    steps = 0
    while True:
        obs, _, terminated, truncated, _ = env.step(policy(obs))
        steps += 1
        if terminated or truncated:
            return steps


@answer("play_episode", "an old observation")
def play_stale_observation(env, policy, seed=None):
    first, _ = env.reset(seed=seed)
    steps = 0
    while True:
        _, _, terminated, truncated, _ = env.step(policy(first))
        steps += 1
        if terminated or truncated:
            return steps


@answer("play_episode", "do not stop after a fixed number of steps")
def play_fixed_200(env, policy, seed=None):
    obs, _ = env.reset(seed=seed)
    for t in range(200):
        obs, _, terminated, truncated, _ = env.step(policy(obs))
        if terminated or truncated:
            break
    return t + 1


@answer("play_episode", "off by one")
def play_returns_t(env, policy, seed=None):
    obs, _ = env.reset(seed=seed)
    for t in count():
        obs, _, terminated, truncated, _ = env.step(policy(obs))
        if terminated or truncated:
            return t


@answer("play_episode", "reset with the seed you were given")
def play_seed_zero(env, policy, seed=None):
    return play_while_true(env, policy, seed=0)


@answer("play_episode", "play_episode returned None")
def play_forgets_return(env, policy, seed=None):
    play_while_true(env, policy, seed)


@answer("play_episode", "did not finish within")
def play_never_stops(env, policy, seed=None):
    obs, _ = env.reset(seed=seed)
    while True:
        pass


@answer("play_episode", "never used the environment")
def play_own_env(env, policy, seed=None):
    import gymnasium as gym

    return play_while_true(gym.make("CartPole-v1"), policy, seed)


# --- lesson 01: random_baseline -------------------------------------------------------------

@answer("random_baseline")
def baseline_np_mean(env, n_episodes):
    return np.mean([play_while_true(env, lambda o: env.action_space.sample()) for _ in range(n_episodes)])


@answer("random_baseline")
def baseline_randint(env, n_episodes):
    total = 0
    for _ in range(n_episodes):
        total += play_while_true(env, lambda o: random.randint(0, 1))
    return total / n_episodes


@answer("random_baseline", "the mean rounded down to a whole number")
def baseline_floor_division(env, n_episodes):
    return sum(play_while_true(env, lambda o: env.action_space.sample()) for _ in range(n_episodes)) // n_episodes


@answer("random_baseline", "you returned the total number of steps")
def baseline_total(env, n_episodes):
    return float(sum(play_while_true(env, lambda o: env.action_space.sample()) for _ in range(n_episodes)))


@answer("random_baseline", "the actions were not random")
def baseline_always_right(env, n_episodes):
    return np.mean([play_while_true(env, lambda o: 1) for _ in range(n_episodes)])


@answer("random_baseline", "complete episodes instead of")
def baseline_one_too_few(env, n_episodes):
    return np.mean([play_while_true(env, lambda o: env.action_space.sample()) for _ in range(n_episodes - 1)])


@answer("random_baseline", "not one of them or their median")
def baseline_median(env, n_episodes):
    return np.median([play_while_true(env, lambda o: env.action_space.sample()) for _ in range(n_episodes)])


@answer("random_baseline", "should return one number")
def baseline_lengths(env, n_episodes):
    return [play_while_true(env, lambda o: env.action_space.sample()) for _ in range(n_episodes)]


# --- lesson 02: get_cart_location ----------------------------------------------------------

@answer("get_cart_location")
def location_slides(env, screen_width):
    world_width = env.unwrapped.x_threshold * 2
    scale = screen_width / world_width
    return int(env.unwrapped.state[0] * scale + screen_width / 2.0)


@answer("get_cart_location", "the slides cut the fraction off with int(...)")
def location_rounded(env, screen_width):
    return round((env.unwrapped.state[0] + 2.4) / 4.8 * screen_width)


@answer("get_cart_location", "not 600")
def location_fixed_width(env, screen_width):
    return int(env.unwrapped.state[0] * 600 / 4.8 + 300)


@answer("get_cart_location", "world_width = 2 * env.unwrapped.x_threshold")
def location_half_track(env, screen_width):
    return int(env.unwrapped.state[0] * screen_width / env.unwrapped.x_threshold + screen_width / 2)


@answer("get_cart_location", "wrap the result in int")
def location_float(env, screen_width):
    return env.unwrapped.state[0] * screen_width / 4.8 + screen_width / 2


@answer("get_cart_location", "env.unwrapped.state")
def location_wrapped_state(env, screen_width):
    return int(env.state[0] * screen_width / 4.8 + screen_width / 2)


@answer("get_cart_location", "state[2] is the pole's angle")
def location_angle(env, screen_width):
    return int(env.unwrapped.state[2] * screen_width / 4.8 + screen_width / 2)


@answer("get_cart_location", "changed its input `env`")
def location_resets(env, screen_width):
    env.reset()
    return location_slides(env, screen_width)


# --- lesson 02: crop_window ----------------------------------------------------------------

@answer("crop_window")
def window_slides(cart_location, screen_width):
    view_width = int(screen_width * 0.6)
    if cart_location < view_width // 2:
        return slice(view_width)
    elif cart_location > (screen_width - view_width // 2):
        return slice(-view_width, None)
    return slice(cart_location - view_width // 2, cart_location + view_width // 2)


@answer("crop_window", "expected: columns 0..438 (439 wide)")
def window_explicit_bounds(cart_location, screen_width):
    half = int(screen_width * 0.6) // 2
    start = min(max(cart_location - half, 0), screen_width - 2 * half)
    return slice(start, start + 2 * half)


@answer("crop_window", "clamp it")
def window_unclamped(cart_location, screen_width):
    view_width = int(screen_width * 0.6)
    return slice(cart_location - view_width // 2, cart_location + view_width // 2)


@answer("crop_window", "the clamps are swapped")
def window_swapped(cart_location, screen_width):
    view_width = int(screen_width * 0.6)
    if cart_location < view_width // 2:
        return slice(-view_width, None)
    if cart_location > screen_width - view_width // 2:
        return slice(view_width)
    return slice(cart_location - view_width // 2, cart_location + view_width // 2)


@answer("crop_window", "not 600")
def window_fixed_width(cart_location, screen_width):
    return window_slides(cart_location, 600)


@answer("crop_window", "return a slice object")
def window_tuple(cart_location, screen_width):
    s = window_slides(cart_location, screen_width)
    return (s.start, s.stop)


@answer("crop_window", "must be whole numbers")
def window_float(cart_location, screen_width):
    view = screen_width * 0.6
    if cart_location < view / 2:
        return slice(0, view)
    if cart_location > screen_width - view / 2:
        return slice(screen_width - view, screen_width)
    return slice(cart_location - view / 2, cart_location + view / 2)


@answer("crop_window", "view_width is the window's whole width")
def window_double(cart_location, screen_width):
    view_width = int(screen_width * 0.6)
    if cart_location < view_width // 2:
        return slice(view_width)
    if cart_location > screen_width - view_width // 2:
        return slice(-view_width, None)
    return slice(cart_location - view_width, cart_location + view_width)


# --- lesson 02: get_screen -----------------------------------------------------------------

def _screen(env, rows=(0.4, 0.8), divide=255, channels_first=True, batch=True, fixed=False, height=40):
    frame = env.render()
    frame = frame.transpose((2, 0, 1)) if channels_first else frame
    _, h, w = frame.shape if channels_first else (3, *frame.shape[:2])
    if fixed:
        h, w = 400, 600
    frame = frame[:, int(h * rows[0]):int(h * rows[1])]
    frame = frame[:, :, cart_window(cart_location(float(env.unwrapped.state[0]), w), w)]
    frame = torch.from_numpy(np.ascontiguousarray(frame, dtype=np.float32) / divide)
    screen = slides_resize(frame, height)
    return screen.unsqueeze(0) if batch else screen


@answer("get_screen")
def screen_slides(env):
    return _screen(env)


@answer("get_screen")
def screen_with_torch_resize(env):
    frame = env.render().transpose((2, 0, 1))
    _, h, w = frame.shape
    frame = frame[:, int(h * 0.4):int(h * 0.8)]
    frame = frame[:, :, cart_window(cart_location(float(env.unwrapped.state[0]), w), w)]
    frame = torch.from_numpy(np.ascontiguousarray(frame, dtype=np.float32) / 255).unsqueeze(0)
    return F.interpolate(frame, size=(40, 90), mode="bicubic", antialias=True, align_corners=False).clamp(0, 1)


@answer("get_screen", "unsqueeze(0)")
def screen_no_batch(env):
    return _screen(env, batch=False)


@answer("get_screen", "divide by 255")
def screen_not_scaled(env):
    return _screen(env, divide=1)


@answer("get_screen", "800x1200")
def screen_fixed_sizes(env):
    return _screen(env, fixed=True)


@answer("get_screen", "rows int(h * 0.4) to int(h * 0.8)")
def screen_wrong_band(env):
    return _screen(env, rows=(0.4, 0.6))


@answer("get_screen", "40 rows high")
def screen_wrong_height(env):
    return _screen(env, height=30)


@answer("get_screen", "should return a torch tensor")
def screen_numpy(env):
    return _screen(env).numpy()


@answer("get_screen", "changed its input `env`")
def screen_steps(env):
    env.step(0)
    return _screen(env)


# --- lesson 03: ReplayMemory --------------------------------------------------------------

class MemorySlides:
    def __init__(self, capacity):
        self.memory = deque([], maxlen=capacity)

    def push(self, *args):
        self.memory.append(Transition(*args))

    def sample(self, batch_size):
        return random.sample(self.memory, batch_size)

    def __len__(self):
        return len(self.memory)


answer("ReplayMemory")(MemorySlides)


@answer("ReplayMemory")
class MemoryListNumpy:
    def __init__(self, capacity):
        self.capacity, self.memory = capacity, []

    def push(self, state, action, next_state, reward):
        self.memory.append(Transition(state, action, next_state, reward))
        if len(self.memory) > self.capacity:
            self.memory.pop(0)

    def sample(self, batch_size):
        return tuple(self.memory[i] for i in np.random.choice(len(self.memory), batch_size, replace=False))

    def __len__(self):
        return len(self.memory)


OwnTransition = namedtuple("Transition", ("state", "action", "next_state", "reward"))


@answer("ReplayMemory")
class MemoryOwnNamedtuple(MemorySlides):
    def push(self, *args):
        self.memory.append(OwnTransition(*args))


@answer("ReplayMemory", "not the capacity")
class MemoryLenIsCapacity(MemorySlides):
    def __len__(self):
        return self.memory.maxlen


@answer("ReplayMemory", "random.choices draws with it")
class MemoryWithReplacement(MemorySlides):
    def sample(self, batch_size):
        return random.choices(self.memory, k=batch_size)


@answer("ReplayMemory", "it holds the reward")
class MemorySwappedFields(MemorySlides):
    def push(self, state, action, reward, next_state):
        self.memory.append(Transition(state, action, next_state, reward))


@answer("ReplayMemory", "not as a class attribute")
class MemoryShared(MemorySlides):
    memory = deque([], maxlen=5)

    def __init__(self, capacity):
        pass


@answer("ReplayMemory", "removed transitions from the memory")
class MemoryPops(MemorySlides):
    def sample(self, batch_size):
        return [self.memory.popleft() for _ in range(batch_size)]


@answer("ReplayMemory", "not random over the whole memory")
class MemoryNewest(MemorySlides):
    def sample(self, batch_size):
        return list(self.memory)[-batch_size:]


@answer("ReplayMemory", "Transition(*args)")
class MemoryNoStar(MemorySlides):
    def push(self, *args):
        self.memory.append(Transition(args))


@answer("ReplayMemory", "respect its capacity")
class MemoryUnbounded(MemorySlides):
    def __init__(self, capacity):
        self.memory = deque([])


@answer("ReplayMemory", "should hold Transition namedtuples")
class MemoryPlainTuples(MemorySlides):
    def push(self, *args):
        self.memory.append(args)


# --- lesson 03: transpose_batch -------------------------------------------------------------

@answer("transpose_batch")
def transpose_zip(transitions):
    return Transition(*zip(*transitions))


@answer("transpose_batch")
def transpose_lists(transitions):
    return Transition(state=[t.state for t in transitions], action=[t.action for t in transitions],
                      next_state=[t.next_state for t in transitions], reward=[t.reward for t in transitions])


@answer("transpose_batch", "Transition(*transitions)")
def transpose_star_only(transitions):
    return Transition(*transitions)


@answer("transpose_batch", "single Transition")
def transpose_plain_zip(transitions):
    return list(zip(*transitions))


@answer("transpose_batch", "do not concatenate them here")
def transpose_cat(transitions):
    return Transition(*(torch.cat(field) for field in zip(*transitions)))


@answer("transpose_batch", "state, action, next_state, reward")
def transpose_field_order(transitions):
    states, actions, next_states, rewards = zip(*transitions)
    return Transition(states, actions, rewards, next_states)


@answer("transpose_batch", "changed its input `transitions`")
def transpose_sorts(transitions):
    transitions.reverse()
    transitions.reverse()
    transitions.pop()
    return Transition(*zip(*transitions))


# --- lesson 04: conv2d_size_out ------------------------------------------------------------

@answer("conv2d_size_out")
def size_slides(size, kernel_size=5, stride=2):
    return (size - (kernel_size - 1) - 1) // stride + 1


@answer("conv2d_size_out")
def size_floor(size, kernel_size=5, stride=2):
    return math.floor((size - kernel_size) / stride) + 1


@answer("conv2d_size_out", "floor division")
def size_true_division(size, kernel_size=5, stride=2):
    return (size - kernel_size) / stride + 1


@answer("conv2d_size_out", "count the first position too")
def size_no_plus_one(size, kernel_size=5, stride=2):
    return (size - kernel_size) // stride


@answer("conv2d_size_out", "not 5 and 2")
def size_fixed_kernel(size, kernel_size=5, stride=2):
    return (size - 5) // 2 + 1


@answer("conv2d_size_out", "divide by the stride")
def size_no_stride(size, kernel_size=5, stride=2):
    return size - kernel_size + 1


@answer("conv2d_size_out", "a window that would stick out past the edge does not count")
def size_ceil(size, kernel_size=5, stride=2):
    return math.ceil((size - kernel_size) / stride) + 1


@answer("conv2d_size_out", "keep the slides' defaults")
def size_other_defaults(size, kernel_size=3, stride=1):
    return (size - kernel_size) // stride + 1


# --- lesson 04: DQN -----------------------------------------------------------------------

def _out(size, times=3):
    for _ in range(times):
        size = (size - 5) // 2 + 1
    return size


class DQNSlides(nn.Module):
    def __init__(self, h, w, outputs):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, kernel_size=5, stride=2)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=5, stride=2)
        self.bn2 = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(32, 32, kernel_size=5, stride=2)
        self.bn3 = nn.BatchNorm2d(32)
        self.head = nn.Linear(_out(w) * _out(h) * 32, outputs)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = F.relu(self.bn3(self.conv3(x)))
        return self.head(x.view(x.size(0), -1))


answer("DQN")(DQNSlides)


@answer("DQN")
class DQNSequentialLazy(nn.Module):
    def __init__(self, h, w, outputs):
        super().__init__()
        self.head = nn.LazyLinear(outputs)
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 5, 2), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 5, 2), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 32, 5, 2), nn.BatchNorm2d(32), nn.ReLU(), nn.Flatten())

    def forward(self, x):
        return self.head(self.features(x))


@answer("DQN")
class DQNBatchNormsFirst(DQNSlides):
    def __init__(self, h, w, outputs):
        nn.Module.__init__(self)
        self.bn1, self.bn2, self.bn3 = nn.BatchNorm2d(16), nn.BatchNorm2d(32), nn.BatchNorm2d(32)
        self.conv1, self.conv2 = nn.Conv2d(3, 16, 5, stride=2), nn.Conv2d(16, 32, 5, stride=2)
        self.conv3 = nn.Conv2d(32, 32, 5, stride=2)
        self.head = nn.Linear(_out(w) * _out(h) * 32, outputs)

    def forward(self, x):
        for conv, bn in ((self.conv1, self.bn1), (self.conv2, self.bn2), (self.conv3, self.bn3)):
            x = torch.relu(bn(conv(x)))
        return self.head(torch.flatten(x, 1))


@answer("DQN", 'no method called `forward`')
class DQNMisspeltForward(DQNSlides):
    forward = nn.Module.forward

    def foward(self, x):
        return DQNSlides.forward(self, x)


@answer("DQN", "apply BatchNorm before the ReLU")
class DQNReluFirst(DQNSlides):
    def forward(self, x):
        x = self.bn1(F.relu(self.conv1(x)))
        x = self.bn2(F.relu(self.conv2(x)))
        x = self.bn3(F.relu(self.conv3(x)))
        return self.head(x.view(x.size(0), -1))


@answer("DQN", "must follow the screen size")
class DQNFixedHead(DQNSlides):
    def __init__(self, h, w, outputs):
        super().__init__(h, w, outputs)
        self.head = nn.Linear(512, 2)


@answer("DQN", "not probabilities")
class DQNSoftmax(DQNSlides):
    def forward(self, x):
        return F.softmax(super().forward(x), dim=1)


@answer("DQN", "`bn2` is defined in __init__ but forward never uses it")
class DQNSkipsBatchNorm(DQNSlides):
    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.conv2(x))
        x = F.relu(self.bn3(self.conv3(x)))
        return self.head(x.view(x.size(0), -1))


@answer("DQN", "super().__init__()")
class DQNNoSuper(DQNSlides):
    def __init__(self, h, w, outputs):
        self.conv1 = nn.Conv2d(3, 16, kernel_size=5, stride=2)


@answer("DQN", "no ReLU after the head")
class DQNReluHead(DQNSlides):
    def forward(self, x):
        return F.relu(super().forward(x))


@answer("DQN", "changed its input `x`")
class DQNInPlace(DQNSlides):
    def forward(self, x):
        x.sub_(0.5)
        return super().forward(x)


# --- lesson 04: declare_networks -----------------------------------------------------------

@answer("declare_networks")
def declare_slides(init_screen, n_actions, device):
    _, _, screen_height, screen_width = init_screen.shape
    policy_net = SlidesDQN(screen_height, screen_width, n_actions).to(device)
    target_net = SlidesDQN(screen_height, screen_width, n_actions).to(device)
    target_net.load_state_dict(policy_net.state_dict())
    target_net.eval()
    optimizer = optim.RMSprop(policy_net.parameters())
    return policy_net, target_net, optimizer


@answer("declare_networks")
def declare_deepcopy(init_screen, n_actions, device):
    policy_net = SlidesDQN(init_screen.shape[2], init_screen.shape[3], n_actions).to(device)
    target_net = copy.deepcopy(policy_net)
    target_net.eval()
    return policy_net, target_net, optim.RMSprop(policy_net.parameters(), lr=0.01)


@answer("declare_networks", "the same network")
def declare_alias(init_screen, n_actions, device):
    policy_net = SlidesDQN(init_screen.shape[2], init_screen.shape[3], n_actions).to(device)
    target_net = policy_net
    target_net.eval()
    return policy_net, target_net, optim.RMSprop(policy_net.parameters())


@answer("declare_networks", "does not start with policy_net's weights")
def declare_no_copy(init_screen, n_actions, device):
    _, _, h, w = init_screen.shape
    policy_net, target_net = SlidesDQN(h, w, n_actions).to(device), SlidesDQN(h, w, n_actions).to(device)
    target_net.eval()
    return policy_net, target_net, optim.RMSprop(policy_net.parameters())


@answer("declare_networks", "target_net is in training mode")
def declare_no_eval(init_screen, n_actions, device):
    policy_net, target_net, optimizer = declare_slides(init_screen, n_actions, device)
    return policy_net, target_net.train(), optimizer


@answer("declare_networks", "the optimiser updates target_net")
def declare_optimises_target(init_screen, n_actions, device):
    policy_net, target_net, _ = declare_slides(init_screen, n_actions, device)
    return policy_net, target_net, optim.RMSprop(target_net.parameters())


@answer("declare_networks", "read the screen's height and width from init_screen.shape")
def declare_fixed_size(init_screen, n_actions, device):
    return declare_slides(torch.zeros(1, 3, 40, 90), n_actions, device)


@answer("declare_networks", "use the n_actions you are given")
def declare_two_actions(init_screen, n_actions, device):
    return declare_slides(init_screen, 2, device)


@answer("declare_networks", "not on the device it was given")
def declare_on_cpu(init_screen, n_actions, device):
    return declare_slides(init_screen, n_actions, "cpu")


@answer("declare_networks", "the slides' optimiser is RMSprop")
def declare_adam(init_screen, n_actions, device):
    policy_net, target_net, _ = declare_slides(init_screen, n_actions, device)
    return policy_net, target_net, optim.Adam(policy_net.parameters())


# --- lesson 05: epsilon_by_step ------------------------------------------------------------

@answer("epsilon_by_step")
def epsilon_slides(step, start=0.9, end=0.05, decay=200):
    return end + (start - end) * math.exp(-1.0 * step / decay)


@answer("epsilon_by_step")
def epsilon_numpy(step, start=0.9, end=0.05, decay=200):
    return end + (start - end) * np.exp(-step / decay)


@answer("epsilon_by_step", "compute with math.exp, which returns a float")
def epsilon_torch(step, start=0.9, end=0.05, decay=200):
    return end + (start - end) * torch.exp(torch.tensor(-step / decay))


@answer("epsilon_by_step", "ε must fall")
def epsilon_grows(step, start=0.9, end=0.05, decay=200):
    return end + (start - end) * math.exp(step / decay)


@answer("epsilon_by_step", "use the start, end and decay you are given")
def epsilon_hard_coded(step, start=0.9, end=0.05, decay=200):
    return 0.05 + 0.85 * math.exp(-step / 200)


@answer("epsilon_by_step", "step // decay rounds down")
def epsilon_floor(step, start=0.9, end=0.05, decay=200):
    return end + (start - end) * math.exp(-(step // decay))


@answer("epsilon_by_step", "add `end`")
def epsilon_no_end(step, start=0.9, end=0.05, decay=200):
    return (start - end) * math.exp(-step / decay)


@answer("epsilon_by_step", "divide the step by decay")
def epsilon_times_decay(step, start=0.9, end=0.05, decay=200):
    return end + (start - end) * math.exp(-step * decay)


@answer("epsilon_by_step", "this is a linear schedule")
def epsilon_linear(step, start=0.9, end=0.05, decay=200):
    return max(end, start - (start - end) * step / decay)


@answer("epsilon_by_step", "should return a number")
def epsilon_text(step, start=0.9, end=0.05, decay=200):
    return f"{end + (start - end) * math.exp(-step / decay):.3f}"


# --- lesson 05: select_action --------------------------------------------------------------

@answer("select_action")
def select_int(network, state, epsilon, n_actions):
    if random.random() < epsilon:
        return random.randrange(n_actions)
    with torch.no_grad():
        return int(network(state).max(1)[1].item())


@answer("select_action")
def select_slides_tensor(network, state, epsilon, n_actions):
    if random.random() > epsilon:
        with torch.no_grad():
            return network(state).max(1)[1].view(1, 1)
    return torch.tensor([[random.randrange(n_actions)]], dtype=torch.long)


@answer("select_action")
def select_numpy(network, state, epsilon, n_actions):
    if np.random.rand() < epsilon:
        return np.random.randint(n_actions)
    return network(state).argmax().item()


@answer("select_action", "are the two branches swapped")
def select_swapped(network, state, epsilon, n_actions):
    if random.random() > epsilon:
        return random.randrange(n_actions)
    return int(network(state).argmax(dim=1))


@answer("select_action", "random.randint(a, b) includes b")
def select_randint(network, state, epsilon, n_actions):
    if random.random() < epsilon:
        return random.randint(0, n_actions)
    return int(network(state).argmax(dim=1))


@answer("select_action", "ranges over all n_actions actions")
def select_two_actions(network, state, epsilon, n_actions):
    if random.random() < epsilon:
        return random.randrange(2)
    return int(network(state).argmax(dim=1))


@answer("select_action", "not q.max(1)[0]")
def select_q_value(network, state, epsilon, n_actions):
    if random.random() < epsilon:
        return torch.tensor([[random.randrange(n_actions)]])
    return network(state).max(1)[0].view(1, 1)


@answer("select_action", "it already has its batch dimension")
def select_extra_batch(network, state, epsilon, n_actions):
    if random.random() < epsilon:
        return random.randrange(n_actions)
    return int(network(state.unsqueeze(0)).argmax(dim=1))


@answer("select_action", "not the argmin")
def select_argmin(network, state, epsilon, n_actions):
    if random.random() < epsilon:
        return random.randrange(n_actions)
    return int(network(state).argmin(dim=1))


@answer("select_action", "ε is ignored")
def select_always_greedy(network, state, epsilon, n_actions):
    return int(network(state).argmax(dim=1))


@answer("select_action", "the greedy one too")
def select_other_action(network, state, epsilon, n_actions):
    greedy = int(network(state).argmax(dim=1))
    if random.random() < epsilon:
        return random.choice([a for a in range(n_actions) if a != greedy])
    return greedy


# --- lesson 06: compute_loss ---------------------------------------------------------------

def _loss(transitions, policy_net, target_net, gamma, *, next_net="target", reduce="max", gamma_used=None,
          loss="huber", unsqueeze=True, zeros=None, backward=False, step=False, indices=False):
    batch = Transition(*zip(*transitions))
    mask = torch.tensor([s is not None for s in batch.next_state], dtype=torch.bool)
    states, actions, rewards = torch.cat(batch.state), torch.cat(batch.action), torch.cat(batch.reward)
    q = policy_net(states).gather(1, actions)
    next_values = torch.zeros(zeros or len(transitions), device=states.device)
    with torch.no_grad():
        out = (target_net if next_net == "target" else policy_net)(torch.cat([s for s in batch.next_state
                                                                              if s is not None]))
        best = out.max(1)
        next_values[mask] = (best.indices.float() if indices else best.values) if reduce == "max" else out.min(1).values
    target = rewards + (gamma if gamma_used is None else gamma_used) * next_values
    target = target.unsqueeze(1) if unsqueeze else target
    value = {"huber": nn.SmoothL1Loss(), "mse": nn.MSELoss(), "huber_class": nn.HuberLoss()}[loss](q, target)
    if backward:
        value.backward()
    if step:
        with torch.no_grad():
            for p in policy_net.parameters():
                p.add_(0.01)
    return value


@answer("compute_loss")
def loss_slides(transitions, policy_net, target_net, gamma):
    return _loss(transitions, policy_net, target_net, gamma)


@answer("compute_loss")
def loss_huber_class(transitions, policy_net, target_net, gamma):
    return _loss(transitions, policy_net, target_net, gamma, loss="huber_class")


@answer("compute_loss", "one forward pass over the whole batch")
def loss_loop(transitions, policy_net, target_net, gamma):
    q = torch.cat([policy_net(t.state).gather(1, t.action) for t in transitions]).squeeze(1)
    targets = []
    for t in transitions:
        future = 0.0 if t.next_state is None else target_net(t.next_state).max().detach()
        targets.append(t.reward + gamma * future)
    return F.smooth_l1_loss(q, torch.cat(targets))


@answer("compute_loss", "*target* network")
def loss_policy_next(transitions, policy_net, target_net, gamma):
    return _loss(transitions, policy_net, target_net, gamma, next_net="policy")


@answer("compute_loss", "not the indices .max(1)[1]")
def loss_indices(transitions, policy_net, target_net, gamma):
    return _loss(transitions, policy_net, target_net, gamma, indices=True)


@answer("compute_loss", "use the `gamma` you are given")
def loss_slides_gamma(transitions, policy_net, target_net, gamma):
    return _loss(transitions, policy_net, target_net, gamma, gamma_used=0.999)


@answer("compute_loss", "not the squared error")
def loss_mse(transitions, policy_net, target_net, gamma):
    return _loss(transitions, policy_net, target_net, gamma, loss="mse")


@answer("compute_loss", "broadcast to (B, B)")
def loss_no_unsqueeze(transitions, policy_net, target_net, gamma):
    return _loss(transitions, policy_net, target_net, gamma, unsqueeze=False)


@answer("compute_loss", "already ran backward()")
def loss_backward_inside(transitions, policy_net, target_net, gamma):
    return _loss(transitions, policy_net, target_net, gamma, backward=True)


@answer("compute_loss", "changed its input `policy_net`")
def loss_steps_optimizer(transitions, policy_net, target_net, gamma):
    return _loss(transitions, policy_net, target_net, gamma, step=True)


@answer("compute_loss", "not a fixed number")
def loss_fixed_batch(transitions, policy_net, target_net, gamma):
    return _loss(transitions, policy_net, target_net, gamma, zeros=6)


@answer("compute_loss", "not loss.item()")
def loss_item(transitions, policy_net, target_net, gamma):
    return _loss(transitions, policy_net, target_net, gamma).item()


# --- lesson 06: train_episode --------------------------------------------------------------

get_screen = reference_get_screen


def _episode(env, policy_net, target_net, memory, select_action, optimize_model, i_episode, target_update=10,
             *, none_if_done=False, fixed_update=None, optimize_first=False, float_reward=False,
             keep_state=False, count_from_zero=False):
    env.reset()
    last_screen = get_screen(env)
    current_screen = get_screen(env)
    state = current_screen - last_screen
    for t in count():
        action = select_action(state)
        _, reward, terminated, truncated, _ = env.step(action.item())
        reward = reward if float_reward else torch.tensor([reward])
        last_screen = current_screen
        current_screen = get_screen(env)
        done = terminated or truncated
        next_state = None if (done if none_if_done else terminated) else current_screen - last_screen
        if optimize_first:
            optimize_model()
        memory.push(state, action, next_state, reward)
        if not keep_state:
            state = next_state
        if not optimize_first:
            optimize_model()
        if done:
            break
    if i_episode % (fixed_update or target_update) == 0:
        target_net.load_state_dict(policy_net.state_dict())
    return t if count_from_zero else t + 1


@answer("train_episode")
def episode_slides(env, policy_net, target_net, memory, select_action, optimize_model, i_episode, target_update=10):
    return _episode(env, policy_net, target_net, memory, select_action, optimize_model, i_episode, target_update)


@answer("train_episode", "write `None if terminated`")
def episode_none_if_done(env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                         target_update=10):
    return _episode(env, policy_net, target_net, memory, select_action, optimize_model, i_episode, target_update,
                    none_if_done=True)


@answer("train_episode", "use the target_update you are given")
def episode_fixed_update(env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                         target_update=10):
    return _episode(env, policy_net, target_net, memory, select_action, optimize_model, i_episode, target_update,
                    fixed_update=10)


@answer("train_episode", "push the step's transition first")
def episode_optimize_first(env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                           target_update=10):
    return _episode(env, policy_net, target_net, memory, select_action, optimize_model, i_episode, target_update,
                    optimize_first=True)


@answer("train_episode", "float tensor of shape (1,)")
def episode_float_reward(env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                         target_update=10):
    return _episode(env, policy_net, target_net, memory, select_action, optimize_model, i_episode, target_update,
                    float_reward=True)


@answer("train_episode", "state = next_state")
def episode_keeps_state(env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                        target_update=10):
    return _episode(env, policy_net, target_net, memory, select_action, optimize_model, i_episode, target_update,
                    keep_state=True)


@answer("train_episode", "return t + 1")
def episode_returns_t(env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                      target_update=10):
    return _episode(env, policy_net, target_net, memory, select_action, optimize_model, i_episode, target_update,
                    count_from_zero=True)


@answer("train_episode", "env.step(action.item())")
def episode_tensor_action(env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                          target_update=10):
    env.reset()
    state = get_screen(env) - get_screen(env)
    for t in count():
        action = select_action(state)
        _, reward, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            return t + 1


@answer("train_episode", "into the target_net you are given")
def episode_rebinds_target(env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                           target_update=10):
    length = _episode(env, policy_net, target_net, memory, select_action, optimize_model, 1, 1000)
    if i_episode % target_update == 0:
        target_net = copy.deepcopy(policy_net)  # a new local name: the caller's target is unchanged
    return length


@answer("train_episode", "the slides' state")
def episode_screen_not_difference(env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                                  target_update=10):
    env.reset()
    state = get_screen(env)
    for t in count():
        action = select_action(state)
        _, reward, terminated, truncated, _ = env.step(action.item())
        next_state = None if terminated else get_screen(env)
        memory.push(state, action, next_state, torch.tensor([reward]))
        state = next_state
        optimize_model()
        if terminated or truncated:
            break
    if i_episode % target_update == 0:
        target_net.load_state_dict(policy_net.state_dict())
    return t + 1


@answer("compute_loss", "torch.cat joins (1, C, H, W) states")
def loss_stack(transitions, policy_net, target_net, gamma):
    batch = Transition(*zip(*transitions))
    mask = torch.tensor([s is not None for s in batch.next_state])
    q = policy_net(torch.stack(batch.state)).gather(1, torch.cat(batch.action))
    next_values = torch.zeros(len(transitions))
    next_values[mask] = target_net(torch.stack([s for s in batch.next_state if s is not None])).max(1)[0].detach()
    return F.smooth_l1_loss(q, (torch.cat(batch.reward) + gamma * next_values).unsqueeze(1))


@answer("train_episode", "from before the episode")
def episode_copies_first(env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                         target_update=10):
    if i_episode % target_update == 0:
        target_net.load_state_dict(policy_net.state_dict())
    return _episode(env, policy_net, target_net, memory, select_action, optimize_model, 1, 1000)


@answer("compute_loss", "not 0.99")
def loss_gamma_099(transitions, policy_net, target_net, gamma):
    return _loss(transitions, policy_net, target_net, gamma, gamma_used=0.99)


@answer("train_episode")
def episode_while_done(env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                       target_update=10):
    env.reset()
    screens = [get_screen(env), get_screen(env)]
    state, steps, done = screens[1] - screens[0], 0, False
    while not done:
        action = select_action(state)
        _, reward, terminated, truncated, _ = env.step(int(action))
        steps += 1
        screens = [screens[1], get_screen(env)]
        next_state = screens[1] - screens[0]
        if terminated:
            next_state = None
        memory.push(state, action, next_state, torch.tensor([float(reward)], device=action.device))
        state = next_state
        optimize_model()
        done = terminated or truncated
    if i_episode % target_update == 0:
        target_net.load_state_dict(copy.deepcopy(policy_net.state_dict()))
    return steps


# --- lesson 08: double_dqn_values ---------------------------------------------------------

@answer("double_dqn_values")
def double_with_gather(online_net, target_net, next_states):
    with torch.no_grad():
        best = online_net(next_states).argmax(dim=1, keepdim=True)
        return target_net(next_states).gather(1, best).squeeze(1)


@answer("double_dqn_values")
def double_with_max_indices_and_detach(online_net, target_net, next_states):
    best = online_net(next_states).max(1)[1]
    values = target_net(next_states)[torch.arange(len(next_states)), best]
    return values.detach()


@answer("double_dqn_values", "plain DQN target")
def double_plain_max(online_net, target_net, next_states):
    with torch.no_grad():
        return target_net(next_states).max(1)[0]


@answer("double_dqn_values", "roles are swapped")
def double_roles_swapped(online_net, target_net, next_states):
    with torch.no_grad():
        best = target_net(next_states).argmax(1, keepdim=True)
        return online_net(next_states).gather(1, best).squeeze(1)


@answer("double_dqn_values", "online network's own values")
def double_online_max(online_net, target_net, next_states):
    with torch.no_grad():
        return online_net(next_states).max(1).values


@answer("double_dqn_values", "argmax, not argmin")
def double_argmin(online_net, target_net, next_states):
    with torch.no_grad():
        best = online_net(next_states).argmin(1, keepdim=True)
        return target_net(next_states).gather(1, best).squeeze(1)


@answer("double_dqn_values", "carry gradients")
def double_with_gradients(online_net, target_net, next_states):
    best = online_net(next_states).argmax(1, keepdim=True)
    return target_net(next_states).gather(1, best).squeeze(1)


@answer("double_dqn_values", ".squeeze(1)")
def double_no_squeeze(online_net, target_net, next_states):
    with torch.no_grad():
        best = online_net(next_states).argmax(1, keepdim=True)
        return target_net(next_states).gather(1, best)


@answer("double_dqn_values", "actions, not their values")
def double_returns_actions(online_net, target_net, next_states):
    with torch.no_grad():
        return online_net(next_states).argmax(1)


@answer("double_dqn_values", "gather along dim 1")
def double_gather_dim0(online_net, target_net, next_states):
    with torch.no_grad():
        q_target = target_net(next_states)
        best = online_net(next_states).argmax(1, keepdim=True).expand(-1, q_target.shape[1])
        return q_target.gather(0, best)[:, 0]


@answer("double_dqn_values", "list")
def double_returns_list(online_net, target_net, next_states):
    with torch.no_grad():
        best = online_net(next_states).argmax(1, keepdim=True)
        return target_net(next_states).gather(1, best).squeeze(1).tolist()


# --- lesson 08: n_step_returns ------------------------------------------------------------

@answer("n_step_returns")
def n_step_nested_loops(rewards, terminated, next_values, gamma, n):
    targets = []
    for t in range(len(rewards)):
        total = 0.0
        bootstrap = True
        for k in range(n):
            if t + k >= len(rewards):
                break
            total += gamma ** k * rewards[t + k]
            if terminated[t + k]:
                bootstrap = False
                break
        if bootstrap:
            total += gamma ** (k + 1 if t + k < len(rewards) else k) * next_values[min(t + k, len(rewards) - 1)]
        targets.append(total)
    return targets


@answer("n_step_returns")
def n_step_while_loop_numpy(rewards, terminated, next_values, gamma, n):
    out = np.zeros(len(rewards))
    for t in range(len(rewards)):
        m, g = 0, 0.0
        while m < n and t + m < len(rewards):
            g += gamma ** m * rewards[t + m]
            m += 1
            if terminated[t + m - 1]:
                break
        if not terminated[t + m - 1]:
            g += gamma ** m * next_values[t + m - 1]
        out[t] = g
    return out


@answer("n_step_returns", "runs past the end of an episode")
def n_step_no_cut(rewards, terminated, next_values, gamma, n):
    out = []
    for t in range(len(rewards)):
        m = min(n, len(rewards) - t)
        out.append(sum(gamma ** k * rewards[t + k] for k in range(m)) + gamma ** m * next_values[t + m - 1])
    return out


@answer("n_step_returns", "do not add γ^m · next_values there")
def n_step_bootstraps_after_termination(rewards, terminated, next_values, gamma, n):
    out = []
    for t in range(len(rewards)):
        g, m = 0.0, 0
        for k in range(t, min(t + n, len(rewards))):
            g += gamma ** m * rewards[k]
            m += 1
            if terminated[k]:
                break
        out.append(g + gamma ** m * next_values[t + m - 1])
    return out


@answer("n_step_returns", "first reward is not discounted")
def n_step_discounts_first_reward(rewards, terminated, next_values, gamma, n):
    out = []
    for t in range(len(rewards)):
        g, m, ended = 0.0, 0, False
        for k in range(t, min(t + n, len(rewards))):
            m += 1
            g += gamma ** m * rewards[k]
            if terminated[k]:
                ended = True
                break
        out.append(g if ended else g + gamma ** m * next_values[t + m - 1])
    return out


@answer("n_step_returns", "not a single γ")
def n_step_single_gamma_bootstrap(rewards, terminated, next_values, gamma, n):
    out = []
    for t in range(len(rewards)):
        g, m, ended = 0.0, 0, False
        for k in range(t, min(t + n, len(rewards))):
            g += gamma ** m * rewards[k]
            m += 1
            if terminated[k]:
                ended = True
                break
        out.append(g if ended else g + gamma * next_values[t + m - 1])
    return out


@answer("n_step_returns", "next_values[t + m - 1], not next_values[t]")
def n_step_bootstraps_from_first(rewards, terminated, next_values, gamma, n):
    out = []
    for t in range(len(rewards)):
        g, m, ended = 0.0, 0, False
        for k in range(t, min(t + n, len(rewards))):
            g += gamma ** m * rewards[k]
            m += 1
            if terminated[k]:
                ended = True
                break
        out.append(g if ended else g + gamma ** m * next_values[t])
    return out


@answer("n_step_returns", "n is ignored")
def n_step_one_step(rewards, terminated, next_values, gamma, n):
    return [r if done else r + gamma * v for r, done, v in zip(rewards, terminated, next_values)]


@answer("n_step_returns", "IndexError")
def n_step_runs_off_the_stream(rewards, terminated, next_values, gamma, n):
    out = []
    for t in range(len(rewards)):
        g, ended = 0.0, False
        for k in range(n):
            g += gamma ** k * rewards[t + k]
            if terminated[t + k]:
                ended = True
                break
        out.append(g if ended else g + gamma ** n * next_values[t + n - 1])
    return out


@answer("n_step_returns", "end of the stream is not the end of an episode")
def n_step_drops_stream_end_bootstrap(rewards, terminated, next_values, gamma, n):
    out = []
    for t in range(len(rewards)):
        g, m, ended = 0.0, 0, False
        for k in range(t, min(t + n, len(rewards))):
            g += gamma ** m * rewards[k]
            m += 1
            if terminated[k]:
                ended = True
                break
        out.append(g if ended or t + n > len(rewards) else g + gamma ** m * next_values[t + m - 1])
    return out


@answer("double_dqn_values", "gather needs its index as a column")
def double_gather_without_keepdim(online_net, target_net, next_states):
    with torch.no_grad():
        best = online_net(next_states).argmax(dim=1)
        return target_net(next_states).gather(1, best).squeeze(1)


@answer("n_step_returns", "the step that terminates is still rewarded")
def n_step_checks_termination_before_adding(rewards, terminated, next_values, gamma, n):
    out = []
    for t in range(len(rewards)):
        g, m, ended = 0.0, 0, False
        for k in range(t, min(t + n, len(rewards))):
            if terminated[k]:
                ended = True
                break
            g += gamma ** m * rewards[k]
            m += 1
        out.append(g if ended else g + gamma ** m * next_values[t + m - 1])
    return out


# --- lesson 07: push_frame -----------------------------------------------------------------

@answer("push_frame")
def push_concatenate(stack, frame):
    return np.concatenate([stack[1:], frame[None]], axis=0)


@answer("push_frame")
def push_vstack_expand(stack, frame):
    return np.vstack([stack[1:], np.expand_dims(frame, 0)])


@answer("push_frame")
def push_list_then_stack(stack, frame):
    frames = list(stack)[1:]
    frames.append(frame)
    return np.stack(frames)


@answer("push_frame")
def push_copy_roll(stack, frame):
    new = np.roll(stack.copy(), -1, axis=0)
    new[-1] = frame
    return new


@answer("push_frame", "changed its input `stack`")
def push_in_place(stack, frame):
    stack[:-1] = stack[1:]
    stack[-1] = frame
    return stack


@answer("push_frame", "the new frame goes last")
def push_new_first(stack, frame):
    return np.concatenate([frame[None], stack[:-1]])


@answer("push_frame", "drop the oldest frame")
def push_drops_newest(stack, frame):
    return np.concatenate([stack[:-1], frame[None]])


@answer("push_frame", "keep the number of frames")
def push_without_drop(stack, frame):
    return np.concatenate([stack, frame[None]])


@answer("push_frame", "uint8")
def push_as_float(stack, frame):
    return np.concatenate([stack[1:], frame[None]]).astype(np.float32) / 255


@answer("push_frame", "NumPy array")
def push_returns_list(stack, frame):
    return list(stack[1:]) + [frame]


@answer("push_frame", "keep the order")
def push_reversed(stack, frame):
    return np.concatenate([stack[1:], frame[None]])[::-1]


@answer("push_frame", "returned None")
def push_forgets_return(stack, frame):
    np.concatenate([stack[1:], frame[None]])


# --- answers that pass a lenient checker and then break the lesson, or change its state --------
# (accepted-then-breaks, state, exactness, types, batch-dependent networks, hints from evidence)

def _episode_then(copy_weights, env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                  target_update, *, optimize_args=(), length=lambda t: t + 1):
    """The slides' episode, with the target's update (and the call of optimize_model) as given."""
    env.reset()
    last_screen = get_screen(env)
    current_screen = get_screen(env)
    state = current_screen - last_screen
    for t in count():
        action = select_action(state)
        _, reward, terminated, truncated, _ = env.step(action.item())
        reward = torch.tensor([reward])
        last_screen, current_screen = current_screen, get_screen(env)
        next_state = None if terminated else current_screen - last_screen
        memory.push(state, action, next_state, reward)
        state = next_state
        optimize_model(*optimize_args)
        if terminated or truncated:
            break
    if i_episode % target_update == 0:
        copy_weights(policy_net, target_net)
    return length(t)


def _load(policy_net, target_net):
    target_net.load_state_dict(policy_net.state_dict())


@answer("train_episode", "the lesson's optimize_model() takes none")
def episode_passes_memory_to_optimize(env, policy_net, target_net, memory, select_action, optimize_model,
                                      i_episode, target_update=10):
    return _episode_then(_load, env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                         target_update, optimize_args=(memory, policy_net, target_net))


@answer("train_episode", "return the length as an int")
def episode_returns_float_length(env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                                 target_update=10):
    return _episode_then(_load, env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                         target_update, length=lambda t: float(t + 1))


@answer("train_episode")
def episode_returns_numpy_length(env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                                 target_update=10):
    return _episode_then(_load, env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                         target_update, length=lambda t: np.int64(t) + 1)


@answer("train_episode", "the copy went the wrong way")
def episode_copies_target_into_policy(env, policy_net, target_net, memory, select_action, optimize_model,
                                      i_episode, target_update=10):
    return _episode_then(lambda p, t: p.load_state_dict(t.state_dict()), env, policy_net, target_net, memory,
                         select_action, optimize_model, i_episode, target_update)


def _share_data(policy_net, target_net):
    for target_param, param in zip(target_net.parameters(), policy_net.parameters()):
        target_param.data = param.data


@answer("train_episode", "shares its memory with policy_net")
def episode_shares_parameter_data(env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                                  target_update=10):
    _share_data(policy_net, target_net)  # once, then copy the buffers too on schedule
    return _episode_then(lambda p, t: (_share_data(p, t), [b_t.copy_(b) for b_t, b in zip(t.buffers(), p.buffers())]),
                         env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                         target_update)


def _copy_parameters(policy_net, target_net):
    with torch.no_grad():
        for target_param, param in zip(target_net.parameters(), policy_net.parameters()):
            target_param.copy_(param)


@answer("train_episode", "not its BatchNorm running statistics")
def episode_copies_parameters_only(env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                                   target_update=10):
    return _episode_then(_copy_parameters, env, policy_net, target_net, memory, select_action, optimize_model,
                         i_episode, target_update)


@answer("train_episode")
def episode_copies_parameters_and_buffers(env, policy_net, target_net, memory, select_action, optimize_model,
                                          i_episode, target_update=10):
    def copy_all(p, t):
        with torch.no_grad():
            for a, b in zip(list(t.parameters()) + list(t.buffers()), list(p.parameters()) + list(p.buffers())):
                a.copy_(b)
    return _episode_then(copy_all, env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                         target_update)


@answer("train_episode", "no longer require gradients")
def episode_freezes_policy(env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                           target_update=10):
    def copy_and_freeze(p, t):
        t.load_state_dict(p.state_dict())
        p.requires_grad_(False)  # meant for the target
    return _episode_then(copy_and_freeze, env, policy_net, target_net, memory, select_action, optimize_model,
                         i_episode, target_update)


@answer("train_episode", "left in eval() mode")
def episode_evaluates_policy(env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                             target_update=10):
    def copy_and_eval(p, t):
        t.load_state_dict(p.state_dict())
        p.eval()
    return _episode_then(copy_and_eval, env, policy_net, target_net, memory, select_action, optimize_model,
                         i_episode, target_update)


@answer("train_episode", "switched to train() mode")
def episode_trains_target(env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                          target_update=10):
    def copy_and_train(p, t):
        t.load_state_dict(p.state_dict())
        t.train()
    return _episode_then(copy_and_train, env, policy_net, target_net, memory, select_action, optimize_model,
                         i_episode, target_update)


@answer("train_episode")
def episode_deepcopy_state(env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
                           target_update=10):
    return _episode_then(lambda p, t: t.load_state_dict(copy.deepcopy(p.state_dict())), env, policy_net,
                         target_net, memory, select_action, optimize_model, i_episode, target_update)


@answer("declare_networks", "share their memory with policy_net")
def declare_shared_data(init_screen, n_actions, device):
    _, _, h, w = init_screen.shape
    policy_net, target_net = SlidesDQN(h, w, n_actions).to(device), SlidesDQN(h, w, n_actions).to(device)
    for target_param, param in zip(target_net.parameters(), policy_net.parameters()):
        target_param.data = param.data
    target_net.eval()
    return policy_net, target_net, optim.RMSprop(policy_net.parameters())


@answer("declare_networks", "do not require gradients")
def declare_freezes_policy(init_screen, n_actions, device):
    policy_net, target_net, optimizer = declare_slides(init_screen, n_actions, device)
    for param in policy_net.parameters():  # meant to freeze the target
        param.requires_grad = False
    return policy_net, target_net, optimizer


@answer("declare_networks", "come back in the wrong order")
def declare_returns_target_first(init_screen, n_actions, device):
    policy_net, target_net, optimizer = declare_slides(init_screen, n_actions, device)
    return target_net, policy_net, optimizer


@answer("declare_networks")
def declare_copies_target_into_policy(init_screen, n_actions, device):
    _, _, h, w = init_screen.shape
    policy_net, target_net = SlidesDQN(h, w, n_actions).to(device), SlidesDQN(h, w, n_actions).to(device)
    policy_net.load_state_dict(target_net.state_dict())  # either way round: both start the same
    target_net.eval()
    for param in target_net.parameters():
        param.requires_grad_(False)  # the target never trains: freezing it is fine
    return policy_net, target_net, optim.RMSprop(policy_net.parameters())


@answer("ReplayMemory", "sample() must leave the memory as it is, order included")
class MemoryShufflesItself(MemorySlides):
    def sample(self, batch_size):
        random.shuffle(self.memory)
        return list(self.memory)[:batch_size]


@answer("ReplayMemory", "sample() must leave the memory as it is, order included")
class MemorySortsByReward(MemorySlides):
    def sample(self, batch_size):
        batch = random.sample(self.memory, batch_size)
        ordered = sorted(self.memory, key=lambda t: float(t.reward), reverse=True)
        self.memory.clear()
        self.memory.extend(ordered)
        return batch


@answer("ReplayMemory", "the memory should keep the newest transitions and drop the oldest")
class MemoryDropsNewest(MemorySlides):
    def __init__(self, capacity):
        self.capacity, self.memory = capacity, deque()

    def push(self, *args):
        if len(self.memory) == self.capacity:
            self.memory.pop()
        self.memory.append(Transition(*args))


@answer("ReplayMemory")
class MemoryRingBuffer:
    def __init__(self, capacity):
        self.capacity, self.memory, self.position = capacity, [], 0

    def push(self, *args):
        if len(self.memory) < self.capacity:
            self.memory.append(None)
        self.memory[self.position] = Transition(*args)
        self.position = (self.position + 1) % self.capacity

    def sample(self, batch_size):
        return random.sample(self.memory, batch_size)

    def __len__(self):
        return len(self.memory)


@answer("get_cart_location", "with /, not //")
def location_floor_scale(env, screen_width):
    scale = screen_width // (2 * env.unwrapped.x_threshold)
    return int(env.unwrapped.state[0] * scale + screen_width / 2.0)


@answer("get_cart_location", "add the half width before cutting the fraction")
def location_half_added_after_int(env, screen_width):
    return int(env.unwrapped.state[0] * screen_width / 4.8) + screen_width // 2


@answer("get_cart_location")
def location_from_left_edge(env, screen_width):
    bare = env.unwrapped
    return int((bare.state[0] + bare.x_threshold) * screen_width / (2 * bare.x_threshold))


@answer("get_cart_location")
def location_numpy_float32(env, screen_width):
    x = np.float32(env.unwrapped.state[0])
    return int(np.floor(x * np.float32(screen_width / 4.8) + np.float32(screen_width / 2)))


@answer("crop_window", "not round()")
def window_rounded_view(cart_location, screen_width):
    view_width = round(screen_width * 0.6)
    if cart_location < view_width // 2:
        return slice(view_width)
    if cart_location > screen_width - view_width // 2:
        return slice(-view_width, None)
    return slice(cart_location - view_width // 2, cart_location + view_width // 2)


@answer("crop_window", "one column narrower than view_width")
def window_full_width_in_middle(cart_location, screen_width):
    view_width = int(screen_width * 0.6)
    if cart_location < view_width // 2:
        return slice(view_width)
    if cart_location > screen_width - view_width // 2:
        return slice(-view_width, None)
    start = cart_location - view_width // 2
    return slice(start, start + view_width)


@answer("crop_window")
def window_integer_arithmetic(cart_location, screen_width):
    view_width = screen_width * 6 // 10
    half = view_width // 2
    if cart_location < half:
        return slice(0, view_width)
    if cart_location > screen_width - half:
        return slice(screen_width - view_width, screen_width)
    return slice(cart_location - half, cart_location + half)


@answer("random_baseline")
def baseline_float32_mean(env, n_episodes):
    lengths = [play_while_true(env, lambda o: env.action_space.sample()) for _ in range(n_episodes)]
    return float(torch.tensor(lengths, dtype=torch.float32).mean())


@answer("random_baseline", "the mean rounded down to a whole number")
def baseline_int_mean(env, n_episodes):
    lengths = [play_while_true(env, lambda o: env.action_space.sample()) for _ in range(n_episodes)]
    return int(sum(lengths) / n_episodes)


@answer("play_episode")
def play_numpy_count(env, policy, seed=None):
    observation, _ = env.reset(seed=seed)
    steps = np.int64(0)
    while True:
        observation, _, terminated, truncated, _ = env.step(policy(observation))
        steps += 1
        if terminated or truncated:
            return steps


@answer("play_episode", "return the number of steps as an int")
def play_float_counter(env, policy, seed=None):
    observation, _ = env.reset(seed=seed)
    steps = 0.0
    while True:
        observation, _, terminated, truncated, _ = env.step(policy(observation))
        steps += 1
        if terminated or truncated:
            return steps


@answer("epsilon_by_step", "compute with math.exp, which returns a float")
def epsilon_torch_tensor_step(step, start=0.9, end=0.05, decay=200):
    return end + (start - end) * torch.exp(torch.tensor(-step / decay))


@answer("select_action")
def select_slides_view(network, state, epsilon, n_actions):
    if random.random() > epsilon:
        with torch.no_grad():
            return network(state).max(1)[1].view(1, 1)
    return torch.tensor([[random.randrange(n_actions)]], dtype=torch.long)


@answer("compute_loss", "one forward pass over the whole batch")
def loss_two_halves(transitions, policy_net, target_net, gamma):
    batch = Transition(*zip(*transitions))
    states, actions = torch.cat(batch.state), torch.cat(batch.action)
    half = len(transitions) // 2
    q = torch.cat([policy_net(states[:half]), policy_net(states[half:])]).gather(1, actions)
    mask = torch.tensor([s is not None for s in batch.next_state], device=states.device)
    following = torch.zeros(len(transitions), device=states.device)
    with torch.no_grad():
        following[mask] = target_net(torch.cat([s for s in batch.next_state if s is not None])).max(1)[0]
    return F.smooth_l1_loss(q, (torch.cat(batch.reward) + gamma * following).unsqueeze(1))


@answer("compute_loss")
def loss_target_one_at_a_time(transitions, policy_net, target_net, gamma):
    batch = Transition(*zip(*transitions))
    states = torch.cat(batch.state)
    q = policy_net(states).gather(1, torch.cat(batch.action))
    with torch.no_grad():  # the target is in eval() mode: one screen at a time gives the same values
        following = torch.stack([torch.zeros((), device=states.device) if s is None else target_net(s).max(1)[0][0]
                                 for s in batch.next_state])
    return F.smooth_l1_loss(q, (torch.cat(batch.reward) + gamma * following).unsqueeze(1))


@answer("compute_loss", "one forward pass over the whole batch")
def loss_policy_per_transition_stack(transitions, policy_net, target_net, gamma):
    q = torch.stack([policy_net(t.state)[0, t.action.item()] for t in transitions]).unsqueeze(1)
    batch = Transition(*zip(*transitions))
    device = q.device
    mask = torch.tensor([s is not None for s in batch.next_state], device=device)
    following = torch.zeros(len(transitions), device=device)
    with torch.no_grad():
        following[mask] = target_net(torch.cat([s for s in batch.next_state if s is not None])).max(1)[0]
    return F.smooth_l1_loss(q, (torch.cat(batch.reward) + gamma * following).unsqueeze(1))


@answer("DQN", "a plain Python list or dict hides its layers")
class DQNLayerList(nn.Module):
    def __init__(self, h, w, outputs):
        super().__init__()
        self.blocks = [(nn.Conv2d(c_in, c_out, 5, 2), nn.BatchNorm2d(c_out)) for c_in, c_out in
                       ((3, 16), (16, 32), (32, 32))]
        self.head = nn.Linear(_out(w) * _out(h) * 32, outputs)

    def forward(self, x):
        for conv, bn in self.blocks:
            x = F.relu(bn(conv(x)))
        return self.head(x.view(x.size(0), -1))


@answer("DQN", "forward flattens to a fixed size")
class DQNFixedView(DQNSlides):
    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = F.relu(self.bn3(self.conv3(x)))
        return self.head(x.view(-1, 512))


@answer("DQN")
class DQNModuleList(nn.Module):
    def __init__(self, h, w, outputs):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(3, 16, 5, 2), nn.Conv2d(16, 32, 5, 2), nn.Conv2d(32, 32, 5, 2)])
        self.norms = nn.ModuleList([nn.BatchNorm2d(16), nn.BatchNorm2d(32), nn.BatchNorm2d(32)])
        self.head = nn.Linear(_out(w) * _out(h) * 32, outputs)

    def forward(self, x):
        for conv, norm in zip(self.convs, self.norms):
            x = F.relu(norm(conv(x)))
        return self.head(x.flatten(1))


@answer("conv2d_size_out", "wrong output size.\n   input:    conv2d_size_out(7, kernel_size=5, stride=2)\n"
                           "   expected: 2\n   got:      1\n   (the rest")
def size_minus_one_floor(size, kernel_size=5, stride=2):
    return (size - kernel_size - 1) // stride + 1


@answer("conv2d_size_out")
def size_plus_stride(size, kernel_size=5, stride=2):
    return (size - kernel_size + stride) // stride


@answer("get_screen")
def screen_reads_size_from_frame(env):
    screen = env.render().transpose((2, 0, 1))
    _, height, width = screen.shape
    screen = screen[:, int(height * 0.4):int(height * 0.8)]
    bare = env.unwrapped
    column = int(bare.state[0] * width / (2 * bare.x_threshold) + width / 2.0)
    screen = screen[:, :, crop_reference(column, width)]
    screen = torch.from_numpy(np.ascontiguousarray(screen, dtype=np.float32) / 255)
    return slides_resize(screen).unsqueeze(0)


crop_reference = cart_window


@answer("get_screen", "values should be between 0 and 1")
def screen_divides_then_rescales(env):
    screen = _screen(env)
    return (screen - screen.min()) / (screen.max() - screen.min()) * 2  # meant to stretch the contrast


@answer("compute_loss", "the gradient does not reach every weight")
def loss_detached_features(transitions, policy_net, target_net, gamma):
    """Meant to save memory: the network's body without gradients, only the last layer trained."""
    batch = Transition(*zip(*transitions))
    states = torch.cat(batch.state)
    layers = list(policy_net.children())
    with torch.no_grad():
        features = states
        for layer in layers[:-1]:
            features = layer(features)
    if isinstance(policy_net, SlidesDQN):
        return loss_slides(transitions, policy_net, target_net, gamma).detach() * 0 + _detached_head_loss(
            policy_net, states, batch, target_net, gamma)
    q = layers[-1](features).gather(1, torch.cat(batch.action))
    mask = torch.tensor([s is not None for s in batch.next_state], device=states.device)
    following = torch.zeros(len(transitions), device=states.device)
    with torch.no_grad():
        following[mask] = target_net(torch.cat([s for s in batch.next_state if s is not None])).max(1)[0]
    return F.smooth_l1_loss(q, (torch.cat(batch.reward) + gamma * following).unsqueeze(1))


def _detached_head_loss(policy_net, states, batch, target_net, gamma):
    with torch.no_grad():
        x = F.relu(policy_net.bn1(policy_net.conv1(states)))
        x = F.relu(policy_net.bn2(policy_net.conv2(x)))
        x = F.relu(policy_net.bn3(policy_net.conv3(x)))
    q = policy_net.head(x.flatten(1)).gather(1, torch.cat(batch.action))
    mask = torch.tensor([s is not None for s in batch.next_state], device=states.device)
    following = torch.zeros(len(states), device=states.device)
    with torch.no_grad():
        following[mask] = target_net(torch.cat([s for s in batch.next_state if s is not None])).max(1)[0]
    return F.smooth_l1_loss(q, (torch.cat(batch.reward) + gamma * following).unsqueeze(1))


@answer("play_episode", "with the observation alone: the array of 4 numbers")
def play_passes_the_angle_only(env, policy, seed=None):
    observation, _ = env.reset(seed=seed)
    steps = 0
    while True:
        observation, _, terminated, truncated, _ = env.step(policy(observation[2]))  # meant: the pole's angle
        steps += 1
        if terminated or truncated:
            return steps
