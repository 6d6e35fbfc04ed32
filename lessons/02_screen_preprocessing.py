# %% [markdown]
# # Lesson 02 — Screen preprocessing: the slides' `get_screen()`
#
# Our agent does not read CartPole's four state numbers. It looks at the **screen**. A rendered
# frame is 400x600 RGB: 720,000 numbers, most of them white. This lesson makes it small.
#
# In this lesson you will:
#
# 1. follow the slides' `get_screen()` step by step: crop the band the cart moves in, find the
#    cart's column, cut a window centred on it, resize to 40 pixels high;
# 2. see why the slides' state, the *difference* of two screens, is a weak signal.
#
# Optional deep dives: a slider through a whole episode, the recipe's frames (lesson 07), and
# resizing on tensors, timed against PIL.
#
# **Exercises** (3): `get_cart_location`, the crop window, and the full `get_screen`.

# %% tags=["nbval-ignore-output"] nbval_reason="prints a banner only when the test suite runs in quick mode"
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

import dqn_helpers as dh
from dqn_helpers import checks

dh.quick.announce_mode()

# %% [markdown]
# ## 1. The raw frame
#
# We make CartPole as in lesson 01 and place the cart somewhere interesting. `env.unwrapped` is
# the bare CartPole under gymnasium's wrappers; its `state` holds the physics:
# `[cart position (m), cart velocity, pole angle (rad), pole angular velocity]`.

# %%
env = dh.env.make_env("CartPole-v1")
env.reset(seed=0)
env.unwrapped.state = np.array([-1.0, 0.0, 0.1, 0.0])  # cart 1 m left of centre, pole leaning right
frame = env.render()
print("frame:", frame.shape, frame.dtype)
dh.plots.show_frame(frame, "rendered frame")
plt.show()

# %% [markdown]
# ## 2. Step by step through the slides' pipeline
#
# **Crop the band.** The cart and pole only ever appear between 40% and 80% of the height, so
# the slides drop the rest. (They first transpose to torch's channel-first order, (3, H, W);
# for pictures we stay in (H, W, 3).)

# %%
rows = dh.screen.band_rows(frame.shape[0])
band = frame[rows]
print(f"rows {rows.start}..{rows.stop - 1} kept: band {band.shape}")
dh.plots.show_frame(band, "the band the cart moves in")
plt.show()

# %% [markdown]
# **Find the cart.** To centre a window on the cart, we need the cart's pixel column. The
# physics knows where the cart is, in metres; the picture is drawn so that the whole track,
# from $-x_{\max}$ to $+x_{\max}$ (`env.unwrapped.x_threshold` = 2.4 m), spans the screen's full width.
#
# ### Exercise 1 — `get_cart_location`
#
# **Goal.** Write `get_cart_location(env, screen_width)`: the pixel column of the middle of the cart.
#
# * **Input:** `env`, a CartPole environment; `screen_width`, the rendered frame's width in
#   pixels (an `int`: 600 here, but renders can be larger, e.g. 1200).
# * **Output:** an `int`, the column, with $x$ the cart's position in metres:
#
#   $$\text{column} = \left\lfloor x \cdot \frac{W}{2\,x_{\max}} + \frac{W}{2} \right\rfloor$$
#
#   ($\frac{W}{2 x_{\max}}$ is the scale in pixels per metre; $x = 0$ is the middle of the screen).
# * **Where things are:** gymnasium wraps the bare CartPole in layers that do not pass its
#   physics through: read the position as `env.unwrapped.state[0]` and $x_{\max}$ as
#   `env.unwrapped.x_threshold`.
# * **Example:** the cart above is at $x = -1.0$ m on a 600-pixel-wide frame: the scale is 125
#   pixels per metre, so the column is $-125 + 300 = 175$.
#
# <details><summary>Hint 1 — the idea</summary>
#
# Convert metres to pixels with a scale (pixels per metre), then shift, because pixel columns
# start at the left edge while $x$ starts at the centre.
# </details>
#
# <details><summary>Hint 2 — the API</summary>
#
# `env.unwrapped.state` is `[x, x_dot, theta, theta_dot]`; `env.unwrapped.x_threshold` is 2.4.
# `int(...)` drops the fraction of a pixel.
# </details>
#
# <details><summary>Hint 3 — almost the answer</summary>
#
# ```
# world_width = 2 * <x_max>
# scale = <screen width> / world_width
# return int(<x in metres> * scale + <half the screen width>)
# ```
# </details>

# %%
def get_cart_location(env, screen_width):
    """Pixel column of the middle of the cart."""
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
# **Goal.** The slides keep a window **60% of the screen wide, centred on the cart**, so the cart
# stays in the middle of the picture. Near an edge the window cannot be centred: then it is
# **clamped** to the first (or last) 60% of the columns. Write `crop_window(cart_location,
# screen_width)` returning that window as a Python `slice` of columns.
#
# * **Input:** `cart_location`, an `int` column (from exercise 1); `screen_width`, an `int`.
# * **Output:** a `slice` (such as `slice(120, 480)`), usable as `band[:, window]`.
# * **The rule**, with $W$ the screen width, $v = \lfloor 0.6\,W \rfloor$ the window's width and
#   $c$ the cart's column:
#
#   | where the cart is | columns kept |
#   |---|---|
#   | $c < \lfloor v/2 \rfloor$ (near the left edge) | the first $v$ columns |
#   | $c > W - \lfloor v/2 \rfloor$ (near the right edge) | the last $v$ columns |
#   | otherwise | from $c - \lfloor v/2 \rfloor$ up to (not including) $c + \lfloor v/2 \rfloor$ |
# * **Examples** on a 600-pixel-wide screen ($v = 360$): $c = 300$ keeps columns 120..479;
#   $c = 175$ (our cart) is near the left edge and keeps columns 0..359; $c = 500$ keeps 240..599.
#
# <details><summary>Hint 1 — the idea</summary>
#
# Three cases, tested in the order of the table. Work out $v$ first, then half of it with
# integer division, so every bound is a whole column.
# </details>
#
# <details><summary>Hint 2 — the API</summary>
#
# `slice(start, stop)` selects `start..stop-1`; `slice(stop)` is `slice(0, stop)`; negative
# numbers count from the end, so `slice(-n, None)` is the last `n` columns. `//` divides and
# rounds down.
# </details>
#
# <details><summary>Hint 3 — almost the answer</summary>
#
# ```
# view_width = int(<60% of the width>)
# if <near the left edge>:  return slice(view_width)
# if <near the right edge>: return slice(-view_width, None)
# return slice(<c minus half the view>, <c plus half the view>)
# ```
# </details>

# %%
def crop_window(cart_location, screen_width):
    """The columns to keep: 60% of the width, centred on the cart, clamped at the edges."""
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

# %% [markdown]
# #### Deep dive: how the course writes exercises 1 and 2, and the window on the frame
#
# The lessons import these functions rather than keep a copy:

# %%
dh.display.show_source(dh.screen.cart_location)

# %%
dh.display.show_source(dh.screen.cart_window)

# %% [markdown]
# Your `crop_window` (or the reference, if the checker swapped it in) cuts the band:

# %%
window = crop_window(column, frame.shape[1])
cropped = band[:, window]
print(f"columns {range(frame.shape[1])[window].start}..{range(frame.shape[1])[window].stop - 1}: {cropped.shape}")
dh.plots.show_frame(cropped, "the window centred on the cart")
plt.show()

# %% [markdown]
# **Resize.** The slides shrink the crop so it is 40 pixels high, with PIL's bicubic filter,
# through torchvision's transforms. Here is that `resize`, from `dqn_helpers` (the lessons
# import it rather than keep a copy):

# %%
dh.display.show_source(dh.screen.slides_resize)

# %% [markdown]
# ### Exercise 3 — the whole `get_screen`
#
# **Goal.** Put the pieces together into the slides' `get_screen(env)`: from the environment's
# current picture to the small tensor the network reads.
#
# * **Input:** `env`, a CartPole environment made with `render_mode="rgb_array"`.
# * **Output:** a `torch.float32` tensor of shape `(1, 3, 40, 90)` (batch, colour channels,
#   rows, columns) with values in $[0, 1]$.
# * **The steps**, in order:
#   1. render a frame: a `uint8` array of shape `(H, W, 3)`, here `(400, 600, 3)`;
#   2. put the colour channels first, as torch expects: shape `(3, H, W)`;
#   3. keep the rows from 40% to 80% of the height: `(3, 160, 600)`;
#   4. keep the columns of the window around the cart (exercises 1 and 2): `(3, 160, 360)`;
#   5. turn the pixels into `float32` in $[0, 1]$ and make a torch tensor;
#   6. resize to 40 rows with `resize` (the width follows: 90), and add a batch dimension in front.
# * **Read the frame's own height and width**: gymnasium renders 400x600, but the slides note
#   renders "sometimes larger, such as 800x1200"; the same steps must work there.
# * **Example:** the picture below the checker is what `get_screen(env)` gives for the cart at
#   $x = -1.0$ m.
#
# <details><summary>Hint 1 — the idea</summary>
#
# Each step is one line. Slicing with `[:, rows]` keeps all channels and some rows;
# `[:, :, columns]` keeps all channels and rows and some columns. Divide by 255 before the resize.
# </details>
#
# <details><summary>Hint 2 — the API</summary>
#
# `array.transpose((2, 0, 1))` reorders axes; `np.ascontiguousarray(a, dtype=np.float32)` copies
# to a float array that torch can share; `torch.from_numpy(a)` makes the tensor;
# `t.unsqueeze(0)` adds the batch dimension.
# </details>
#
# <details><summary>Hint 3 — almost the answer</summary>
#
# ```
# screen = env.render().transpose(...)          # (3, H, W)
# _, screen_height, screen_width = screen.shape
# screen = screen[:, <rows 40%..80%>]
# screen = screen[:, :, crop_window(get_cart_location(...), ...)]
# screen = torch.from_numpy(np.ascontiguousarray(screen, dtype=np.float32) / ...)
# return resize(screen)...                      # (1, 3, 40, 90)
# ```
# </details>

# %%
resize = dh.screen.slides_resize


def get_screen(env):
    """The slides' get_screen(): a (1, 3, 40, 90) float tensor of the scene around the cart."""
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
dh.plots.show_frame(state_screen[0].permute(1, 2, 0).numpy(), "what the slides' network sees")
plt.show()

# %% [markdown]
# From 720,000 numbers to 10,800 (3 x 40 x 90): 67 times fewer, and the cart and pole are still
# plain to see.
#
# ### Deep dive: how the course writes it
#
# The slides' pipeline, split into a function of one frame (so it can be tested without an
# environment) and `get_screen(env)` around it:

# %%
dh.display.show_source(dh.screen.slides_screen)

# %% [markdown]
# ## Deep dive: a whole episode, frame by frame
#
# Record an episode (our hand-made controller from lesson 01 keeps it going for a while) and
# drag the slider to compare each rendered frame with its processed screen. Watch the cart
# drift while the processed view keeps it in the middle.

# %% tags=["nbval-ignore-output"] nbval_reason="widget output holds a random model id"
def hand_made_controller(observation):
    return int(observation[2] + 0.5 * observation[3] > 0)


episode = dh.env.run_episode(env, hand_made_controller, seed=3, record=True, max_steps=200)
processed = []
replay = dh.env.make_env("CartPole-v1")
replay.reset(seed=3)
for _ in range(episode.length + 1):
    processed.append(get_screen(replay)[0].permute(1, 2, 0).numpy())
    replay.step(hand_made_controller(np.array(replay.unwrapped.state)))
print(f"{episode.length} steps recorded")
dh.widgets.scrub_episode(episode.frames, processed, label="get_screen()")

# %% [markdown]
# ## 3. The state: a difference of two screens, and why it is weak
#
# ### Key equations: what makes a good state
#
# Q-learning's Bellman equation (lesson 01) assumes the state says everything about the
# future that the agent could know: the **Markov property**,
# $P(s_{t+1} \mid s_t, a_t) = P(s_{t+1} \mid s_t, a_t, s_{t-1}, a_{t-1}, \dots)$. CartPole's own
# state $(x, \dot{x}, \theta, \dot{\theta})$ has it; one screen $x_t$ does not, because it shows
# positions but not velocities. The slides' state is the **difference** of two screens, and the
# recipe's is a **stack** of the last four:
#
# $$s_t^{\text{slides}} = x_t - x_{t-1}, \qquad s_t^{\text{recipe}} = (x_{t-3}, x_{t-2}, x_{t-1}, x_t)$$
#
# In code: `current_screen - last_screen` in the slides' loop, and four stacked frames in
# `dh.pixels.make_pixel_env(..., stack=4)`. (Mnih et al., 2015, stack four Atari frames for the
# same reason.)
#
# One screen shows where things are, not how they move. Let's look at the slides' state for one
# step of that episode. **Predict first:** the pole tip moves a little in 0.02 s; in the 40x90
# screen, is that more or less than one pixel? How many of the 10,800 values will change?

# %%
difference = torch.from_numpy(processed[21] - processed[20])
print(f"difference: max |change| {difference.abs().max():.3f}, "
      f"values that changed by more than 0.05: {(difference.abs() > 0.05).sum().item()} of {difference.numel()}")
plt.figure(figsize=(6, 3))
plt.imshow(difference.mean(dim=2), cmap="RdBu", vmin=-0.5, vmax=0.5)
plt.colorbar(label="change in brightness")
plt.title("state = screen(t+1) - screen(t)")
plt.show()

# %% [markdown]
# Two problems show up.
#
# **The motion is tiny.** Only a few values change, and only a little.
#
# #### Deep dive: how far the pole tip moves in one step
#
# In one step (0.02 s) the pole tip moves by the pole's length times the change in angle.
# Let's measure it over the recorded episode, in the processed screen's pixels (the window is
# 360 columns shrunk to 90, a factor of 4):

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
# <details><summary>What the measurement says (open after running the cells)</summary>
#
# The median step moves the tip by a fraction of a pixel, and few of the 10,800 values change
# much: the difference image is mostly a faint smudge, and its sign is easily lost among
# resizing artefacts.
# </details>
#
# #### The centred crop hides where the cart is
#
# Because the window follows the cart, a cart
# half a metre left of centre and one half a metre right look *identical*, although they are
# a metre apart on a track whose edges end the episode (at ±2.4 m):

# %%
screens = {}
for x in (-0.5, 0.5):
    env.unwrapped.state = np.array([x, 0.0, 0.05, 0.0])
    screens[x] = get_screen(env)
print("the screens at x = -0.5 m and x = +0.5 m are identical:", torch.equal(screens[-0.5], screens[0.5]))

# %% [markdown]
# ### Deep dive: what the recipe does instead
#
# The recipe of lesson 07 keeps the **full width** of the band, so the cart's position stays
# visible, turns it **grayscale** (colour adds nothing here) and shrinks it to 30x90 pixels of
# uint8 (4 bytes become 1). The state is a **stack of the last 4 frames**: the network sees
# several positions and works out the motion itself, over three steps instead of one.

# %%
recipe_frames = [dh.screen.gray_frame(f) for f in episode.frames[17:21]]
dh.plots.show_images(recipe_frames, ["frame t-3", "frame t-2", "frame t-1", "frame t"], columns=4, width=14)
plt.show()

# %% [markdown]
# #### A faster renderer that draws the same scene
#
# Rendering with pygame at 400x600 and shrinking the frame is a sizeable share of a training
# step on a CPU (the timing cell below measures it on your machine). So
# `dqn_helpers.render.CartPoleDrawer` draws the *same scene* (gymnasium's geometry and colours)
# straight at 30x90: each output pixel averages 16 sample points, as shrinking averages the big
# frame's pixels. The agent still sees pixels only. Does it really draw the same thing? Compare
# on 200 random states:

# %%
drawer = dh.render.CartPoleDrawer((30, 90))
rng = np.random.default_rng(0)
differences = []
for _ in range(200):
    state = np.array([rng.uniform(-2.3, 2.3), 0.0, rng.uniform(-0.2, 0.2), 0.0])
    env.unwrapped.state = state
    from_pygame = dh.screen.gray_frame(env.render())
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


pygame_ms = per_call_ms(lambda: dh.screen.gray_frame(env.render()))
drawer_ms = per_call_ms(lambda: drawer.draw(0.5, 0.1))
print(f"gymnasium render + shrink: {pygame_ms:.2f} ms per frame")
print(f"CartPoleDrawer:            {drawer_ms:.2f} ms per frame ({pygame_ms / drawer_ms:.0f}x faster here)")

# %% [markdown]
# ## Deep dive: resizing on tensors, in batches
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
    f = f[:, dh.screen.band_rows(f.shape[1])]
    f = f[:, :, dh.screen.cart_window(dh.screen.cart_location(x, f.shape[2]), f.shape[2])]
    crops.append(torch.from_numpy(np.ascontiguousarray(f, dtype=np.float32) / 255))
batch = torch.stack(crops)
with_pil = torch.stack([dh.screen.slides_resize(c) for c in crops])
with_torch = dh.screen.resize_screens(batch)
print("batch of crops:", tuple(batch.shape), "-> resized:", tuple(with_torch.shape))
print(f"largest difference PIL vs torch: {(with_pil - with_torch).abs().max():.2f} (of 1.0)")

# %% tags=["nbval-ignore-output"] nbval_reason="timings vary from run to run"
device = dh.device.pick_device()
on_device = batch.to(device)
pil_ms = per_call_ms(lambda: [dh.screen.slides_resize(c) for c in crops], repeats=5)
torch_ms = per_call_ms(lambda: dh.screen.resize_screens(on_device), repeats=20)
print(f"PIL, one screen at a time: {pil_ms:6.1f} ms for 64 screens")
print(f"torch, one batch on {device}: {torch_ms:6.1f} ms for 64 screens")
ratio = pil_ms / torch_ms
print(f"here torch is {ratio:.1f}x as fast as PIL" if ratio >= 1.1 else
      f"here torch is no faster than PIL ({ratio:.1f}x): on a CPU the per-call cost is small for both; "
      "batching pays off on a GPU, where the screens already are")

# %% [markdown]
# ## Deep dive: when the input is wrong
#
# The preprocessing functions check what they get. A frame in the wrong layout (already
# transposed to channels-first) or of the wrong type gets an error that says what was expected:

# %%
for bad in [frame.transpose((2, 0, 1)), frame.astype(np.float32) / 255]:
    try:
        dh.screen.gray_frame(bad)
    except dh.screen.FrameError as error:
        print("FrameError:", error)

# %% [markdown]
# ## Recap
#
# * The slides' `get_screen()`: band of rows 40%–80%, a window 60% wide centred on the cart
#   (clamped at the edges), bicubic resize to 40 high: a (1, 3, 40, 90) float tensor.
# * Their state, the difference of two screens, shows very little motion. The centred window
#   hides the cart's position: two carts a metre apart look the same.
# * The recipe (lesson 07) keeps the full width in grayscale, 30x90 uint8, and stacks 4 frames:
#   a state with positions *and* motion.
#
# **Next, lesson 03:** storing what the agent sees and does in a replay memory.
#
# ## Quiz
#
# Replace each `"?"` with your choice and run the cell: a wrong choice is answered with a reason.

# %%
quiz = dh.quiz.Quiz("02")
quiz

# %%
quiz.answer(1, "?")
quiz.answer(2, "?")
quiz.answer(3, "?")
