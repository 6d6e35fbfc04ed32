# %% [markdown]
# # Lesson 02 — Screen preprocessing: the slides' `get_screen()`
#
# Our agent will not read CartPole's four state numbers: it will look at the **screen**, as a
# person playing the game would. A rendered frame is 400x600 RGB, 720,000 numbers, most of them
# white background. This lesson turns it into the small image a network can learn from.
#
# In this lesson you will:
#
# 1. follow the slides' `get_screen()` step by step, each step as a picture: crop the band the
#    cart moves in, find the cart's pixel column from the physics, cut a window centred on it,
#    resize to 40 pixels high;
# 2. scrub through a whole episode with a slider, raw frame next to processed screen;
# 3. see why the slides' state, the *difference* of two screens, is a weak signal, and what the
#    recipe in lesson 06 uses instead (full-width grayscale frames, stacked);
# 4. resize on tensors, in batches (and on the GPU when there is one), and time it against PIL.
#
# **Exercises** (3): `get_cart_location`, the crop window, and the full `get_screen`.

# %% tags=["nbval-ignore-output"] nbval_reason="prints a banner only when the test suite runs in quick mode"
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

import dqn_helpers as dh
from dqn_helpers import checks, screen

dh.announce_mode()

# %% [markdown]
# ## 1. The raw frame
#
# We make CartPole as in lesson 01 and place the cart somewhere interesting. `env.unwrapped` is
# the bare CartPole under gymnasium's wrappers; its `state` holds the physics:
# `[cart position (m), cart velocity, pole angle (rad), pole angular velocity]`.

# %%
env = dh.make_env("CartPole-v1")
env.reset(seed=0)
env.unwrapped.state = np.array([-1.0, 0.0, 0.1, 0.0])  # cart 1 m left of centre, pole leaning right
frame = env.render()
print("frame:", frame.shape, frame.dtype)
dh.show_frame(frame, "rendered frame")
plt.show()

# %% [markdown]
# ## 2. Step by step through the slides' pipeline
#
# **Crop the band.** The cart and pole only ever appear between 40% and 80% of the height, so
# the slides drop the rest. (They first transpose to torch's channel-first order, (3, H, W);
# for pictures we stay in (H, W, 3).)

# %%
rows = screen.band_rows(frame.shape[0])
band = frame[rows]
print(f"rows {rows.start}..{rows.stop - 1} kept: band {band.shape}")
dh.show_frame(band, "the band the cart moves in")
plt.show()

# %% [markdown]
# **Find the cart.** The track runs from -2.4 m to +2.4 m (`env.unwrapped.x_threshold` = 2.4)
# over the full screen width, so a position `x` in metres is at column
# `x * screen_width / (2 * 2.4) + screen_width / 2`: the slides' `get_cart_location`.
#
# ### Exercise 1 — `get_cart_location`
#
# Write `get_cart_location(env, screen_width)`, returning the cart's column as an `int`. In
# gymnasium, reach the physics through `env.unwrapped` (`env.unwrapped.state`,
# `env.unwrapped.x_threshold`): the wrappers around it do not forward those attributes.

# %%
def get_cart_location(env, screen_width):
    """Pixel column of the middle of the cart."""
    # Hint: world_width = 2 * env.unwrapped.x_threshold; scale = screen_width / world_width;
    # the cart's position in metres is env.unwrapped.state[0]; x = 0 is the middle of the screen.
    ### BEGIN SOLUTION
    world_width = env.unwrapped.x_threshold * 2
    scale = screen_width / world_width
    return int(env.unwrapped.state[0] * scale + screen_width / 2.0)
    ### END SOLUTION


# %%
get_cart_location = checks.check_get_cart_location(get_cart_location)

# %%
column = get_cart_location(env, frame.shape[1])
plt.figure(figsize=(8, 2.5))
plt.imshow(band)
plt.axvline(column, color="tab:red", label=f"cart at column {column}")
plt.legend(loc="upper right")
plt.title("the cart's column, computed from the physics state")
plt.show()

# %% [markdown]
# ### Exercise 2 — the crop window
#
# The slides keep a window 60% of the screen wide, centred on the cart, so the cart stays in the
# middle of the picture. Near an edge of the screen the window cannot be centred: it is clamped
# to the first (or last) 60% of the columns instead. Write `crop_window(cart_location,
# screen_width)` returning that `slice` of columns.

# %%
def crop_window(cart_location, screen_width):
    """The columns to keep: 60% of the width, centred on the cart, clamped at the edges."""
    # Hint: view_width = int(screen_width * 0.6). Three cases, as in the slides:
    # too close to the left edge -> slice(view_width); too close to the right -> slice(-view_width, None);
    # otherwise slice(cart_location - view_width // 2, cart_location + view_width // 2).
    ### BEGIN SOLUTION
    view_width = int(screen_width * 0.6)
    if cart_location < view_width // 2:
        return slice(view_width)
    if cart_location > screen_width - view_width // 2:
        return slice(-view_width, None)
    return slice(cart_location - view_width // 2, cart_location + view_width // 2)
    ### END SOLUTION


# %%
crop_window = checks.check_crop_window(crop_window)

# %%
window = crop_window(column, frame.shape[1])
cropped = band[:, window]
print(f"columns {range(frame.shape[1])[window].start}..{range(frame.shape[1])[window].stop - 1}: {cropped.shape}")
dh.show_frame(cropped, "the window centred on the cart")
plt.show()

# %% [markdown]
# **Resize.** The slides shrink the crop so it is 40 pixels high, with PIL's bicubic filter,
# through torchvision's transforms. Here is that `resize`, from `dqn_helpers` (the lessons
# import it rather than keep a copy):

# %%
dh.show_source(screen.slides_resize)

# %% [markdown]
# ### Exercise 3 — the whole `get_screen`
#
# Put the pieces together as the slides do: render, transpose to (3, H, W), keep the band of
# rows, keep the window around the cart, convert to float32 in [0, 1], make it a tensor, resize,
# and add a batch dimension. The result is a (1, 3, 40, 90) tensor. Use your `get_cart_location`
# and `crop_window`, and `resize = screen.slides_resize`.

# %%
resize = screen.slides_resize


def get_screen(env):
    """The slides' get_screen(): a (1, 3, 40, 90) float tensor of the scene around the cart."""
    # Hint: screen = env.render().transpose((2, 0, 1)); _, h, w = screen.shape
    # screen = screen[:, int(h * 0.4):int(h * 0.8)]; then the window: screen[:, :, crop_window(...)]
    # screen = torch.from_numpy(np.ascontiguousarray(screen, dtype=np.float32) / 255)
    # return resize(screen).unsqueeze(0)
    ### BEGIN SOLUTION
    screen = env.render().transpose((2, 0, 1))
    _, screen_height, screen_width = screen.shape
    screen = screen[:, int(screen_height * 0.4):int(screen_height * 0.8)]
    screen = screen[:, :, crop_window(get_cart_location(env, screen_width), screen_width)]
    screen = torch.from_numpy(np.ascontiguousarray(screen, dtype=np.float32) / 255)
    return resize(screen).unsqueeze(0)
    ### END SOLUTION


# %%
get_screen = checks.check_get_screen(get_screen)

# %%
state_screen = get_screen(env)
print("get_screen(env):", tuple(state_screen.shape), state_screen.dtype,
      f"values {state_screen.min():.2f}..{state_screen.max():.2f}")
dh.show_frame(state_screen[0].permute(1, 2, 0).numpy(), "what the slides' network sees")
plt.show()

# %% [markdown]
# From 720,000 numbers to 10,800 (3 x 40 x 90): 67 times fewer, and the cart and pole are still
# plain to see.
#
# ## 3. A whole episode, frame by frame
#
# Record an episode (our hand-made controller from lesson 01 keeps it going for a while) and
# drag the slider to compare each rendered frame with its processed screen. Watch the cart
# drift while the processed view keeps it in the middle.

# %% tags=["nbval-ignore-output"] nbval_reason="widget output holds a random model id"
def hand_made_controller(observation):
    return int(observation[2] + 0.5 * observation[3] > 0)


episode = dh.run_episode(env, hand_made_controller, seed=3, record=True, max_steps=200)
processed = []
replay = dh.make_env("CartPole-v1")
replay.reset(seed=3)
for _ in range(episode.length + 1):
    processed.append(get_screen(replay)[0].permute(1, 2, 0).numpy())
    replay.step(hand_made_controller(np.array(replay.unwrapped.state)))
print(f"{episode.length} steps recorded")
dh.widgets.scrub_episode(episode.frames, processed, label="get_screen()")

# %% [markdown]
# ## 4. The state: a difference of two screens, and why it is weak
#
# One screen shows where things are, not how they move. The slides' state is therefore
# `current_screen - last_screen`. Let's look at it for one step of that episode:

# %%
difference = torch.from_numpy(processed[21] - processed[20])
print(f"difference: max |change| {difference.abs().max():.3f}, "
      f"pixels that changed by more than 0.05: {(difference.abs() > 0.05).sum().item()} of {difference.numel()}")
plt.figure(figsize=(6, 3))
plt.imshow(difference.mean(dim=2), cmap="RdBu", vmin=-0.5, vmax=0.5)
plt.colorbar(label="change in brightness")
plt.title("state = screen(t+1) - screen(t)")
plt.show()

# %% [markdown]
# Two problems show up.
#
# **The motion is sub-pixel.** In one step (0.02 s) the pole tip moves by the pole's length
# times the change in angle. Let's measure it over the recorded episode, in the processed
# screen's pixels (the window is 360 columns shrunk to 90, a factor of 4):

# %%
replay.reset(seed=3)
tip_moves = []
for _ in range(episode.length):
    before = replay.unwrapped.state.copy()
    replay.step(hand_made_controller(before))
    after = replay.unwrapped.state
    pole_len_px = 125  # gymnasium draws the pole 125 pixels long
    tip_moves.append(pole_len_px * abs(np.sin(after[2]) - np.sin(before[2])) / 4)
tip_moves = np.array(tip_moves)
print(f"pole tip motion per step in the 40x90 screen: median {np.median(tip_moves):.2f} px, "
      f"90th percentile {np.percentile(tip_moves, 90):.2f} px")

# %% [markdown]
# A typical step moves the tip by a fraction of a pixel: the difference image is mostly a faint
# smudge, and its sign is easily lost among resizing artefacts.
#
# **The centred crop hides where the cart is.** Because the window follows the cart, a cart
# half a metre left of centre and one half a metre right look *identical*, although they are
# a metre apart on a track whose edges end the episode (at ±2.4 m):

# %%
screens = {}
for x in (-0.5, 0.5):
    env.unwrapped.state = np.array([x, 0.0, 0.05, 0.0])
    screens[x] = get_screen(env)
print("the screens at x = -0.5 m and x = +0.5 m are identical:", torch.equal(screens[-0.5], screens[0.5]))

# %% [markdown]
# ### What the recipe does instead
#
# The recipe of lesson 06 keeps the **full width** of the band, so the cart's position stays
# visible, turns it **grayscale** (colour adds nothing here) and shrinks it to 30x90 pixels of
# uint8 (4 bytes become 1). The state is a **stack of the last 4 frames**: the network sees
# several positions and works out the motion itself, over three steps instead of one.

# %%
recipe_frames = [screen.gray_frame(f) for f in episode.frames[17:21]]
dh.plots.show_images(recipe_frames, ["frame t-3", "frame t-2", "frame t-1", "frame t"], columns=4, width=14)
plt.show()

# %% [markdown]
# #### A faster renderer that draws the same scene
#
# Rendering with pygame at 400x600 and shrinking costs more than a millisecond per step, more
# than the rest of a training step. So `dqn_helpers.render.CartPoleDrawer` draws the *same
# scene* (gymnasium's geometry and colours) straight at 30x90: each output pixel averages 16
# sample points, as shrinking averages the big frame's pixels. The agent still sees pixels only.
# Does it really draw the same thing? Compare on 200 random states:

# %%
drawer = dh.render.CartPoleDrawer((30, 90))
rng = np.random.default_rng(0)
differences = []
for _ in range(200):
    state = np.array([rng.uniform(-2.3, 2.3), 0.0, rng.uniform(-0.2, 0.2), 0.0])
    env.unwrapped.state = state
    from_pygame = screen.gray_frame(env.render())
    drawn = drawer.draw(state[0], state[2])
    gap = np.abs(from_pygame.astype(int) - drawn.astype(int)).astype(np.uint8)
    differences.append(gap.mean())
print(f"mean absolute difference: {np.mean(differences):.2f} gray levels (of 255), "
      f"worst frame {np.max(differences):.2f}")
dh.plots.show_images([from_pygame, drawn, gap],
                     ["gymnasium + shrink", "CartPoleDrawer", "|difference|"], columns=3, width=14)
plt.show()

# %% tags=["nbval-ignore-output"] nbval_reason="timings vary from run to run"
def per_call_ms(fn, repeats=300):
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats * 1e3


print(f"gymnasium render + shrink: {per_call_ms(lambda: screen.gray_frame(env.render())):.2f} ms per frame")
print(f"CartPoleDrawer:            {per_call_ms(lambda: drawer.draw(0.5, 0.1)):.2f} ms per frame")

# %% [markdown]
# ## 5. Resizing on tensors, in batches
#
# The slides resize each screen through PIL, one at a time, on the CPU. `torch` can resize a
# whole batch at once with `torch.nn.functional.interpolate` (bicubic, with antialiasing like
# PIL), on the GPU if the tensors are there. `dh.screen.resize_screens` does that. Same frames,
# both ways:

# %%
crops = []
for x in np.linspace(-2.0, 2.0, 64):
    env.unwrapped.state = np.array([x, 0.0, 0.05, 0.0])
    f = env.render().transpose((2, 0, 1))
    f = f[:, screen.band_rows(f.shape[1])]
    f = f[:, :, screen.cart_window(screen.cart_location(x, f.shape[2]), f.shape[2])]
    crops.append(torch.from_numpy(np.ascontiguousarray(f, dtype=np.float32) / 255))
batch = torch.stack(crops)
with_pil = torch.stack([screen.slides_resize(c) for c in crops])
with_torch = screen.resize_screens(batch)
print("batch of crops:", tuple(batch.shape), "-> resized:", tuple(with_torch.shape))
print(f"largest difference PIL vs torch: {(with_pil - with_torch).abs().max():.2f} (of 1.0)")

# %% tags=["nbval-ignore-output"] nbval_reason="timings vary from run to run"
device = dh.pick_device()
on_device = batch.to(device)
pil_ms = per_call_ms(lambda: [screen.slides_resize(c) for c in crops], repeats=5)
torch_ms = per_call_ms(lambda: screen.resize_screens(on_device), repeats=20)
print(f"PIL, one screen at a time: {pil_ms:6.1f} ms for 64 screens")
print(f"torch, one batch on {device}: {torch_ms:6.1f} ms for 64 screens ({pil_ms / torch_ms:.0f}x faster)")

# %% [markdown]
# ## 6. When the input is wrong
#
# The preprocessing functions check what they get. A frame in the wrong layout (already
# transposed to channels-first) or of the wrong type gets an error that says what was expected:

# %%
for bad in [frame.transpose((2, 0, 1)), frame.astype(np.float32) / 255]:
    try:
        screen.gray_frame(bad)
    except screen.FrameError as error:
        print("FrameError:", error)

# %% [markdown]
# ## Recap
#
# * The slides' `get_screen()`: band of rows 40%–80%, a window 60% wide centred on the cart
#   (clamped at the edges), bicubic resize to 40 high: a (1, 3, 40, 90) float tensor.
# * Their state, the difference of two screens, carries motion of a fraction of a pixel, and
#   the centred window hides the cart's position: the network cannot see the track's edge coming.
# * The recipe keeps the full width in grayscale, 30x90 uint8, and stacks 4 frames; a renderer
#   drawing the same scene at that size is more than ten times faster than pygame + shrinking.
# * Batched tensor resizing beats resizing images one by one.
#
# **Next, lesson 03:** storing what the agent sees and does in a replay memory.
