"""From a rendered CartPole frame to the network's input.

Two pipelines live here:

* the slides' ``get_screen()``: keep the band of rows the cart moves in (40%–80% of the height),
  cut a window of 60% of the width centred on the cart, resize to 40 pixels high with PIL, and
  use the *difference* of two consecutive screens as the state;
* the course's recipe: the same band, but the **full width** (so the cart's position stays
  visible), in grayscale, shrunk to a small uint8 image; the state is a **stack** of the last few
  such frames, which shows both where things are and how they move.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import torch
import torchvision.transforms as T
from PIL import Image

from dqn_helpers.errors import DQNHelpersError
from dqn_helpers.i18n import _

BAND = (0.4, 0.8)  # the slides keep rows from 40% to 80% of the screen height
VIEW_FRACTION = 0.6  # ...and a window 60% of the screen wide, centred on the cart
SLIDES_HEIGHT = 40  # ...resized to 40 pixels high
FRAME_SHAPE = (400, 600, 3)  # what gymnasium's CartPole renders


class FrameError(DQNHelpersError):
    """A frame is not an RGB image of the expected shape and dtype."""


def check_frame(frame: np.ndarray) -> np.ndarray:
    """Return ``frame`` as an array if it is a (height, width, 3) uint8 image; else explain."""
    if isinstance(frame, torch.Tensor):
        raise FrameError(
            _("expected the frame as a NumPy array (height, width, 3) from env.render(), got a torch tensor of "
              "shape {shape}. Pass the rendered frame itself.").format(shape=tuple(frame.shape))
        )
    frame = np.asarray(frame)
    if frame.ndim != 3 or frame.shape[2] != 3:
        raise FrameError(
            _("expected an RGB frame of shape (height, width, 3) such as {example} from env.render(), got shape "
              "{shape}. (A (3, height, width) array is in torch order: pass the frame before transposing it.)").format(
                example=FRAME_SHAPE, shape=frame.shape)
        )
    if frame.dtype != np.uint8:
        raise FrameError(
            _("expected a uint8 frame with values 0..255 (as env.render() returns), got dtype {dtype}. Convert with "
              "frame.astype(np.uint8) only if values are 0..255.").format(dtype=frame.dtype)
        )
    return frame


def band_rows(screen_height: int) -> slice:
    """The rows the slides keep: 40% to 80% of the height, where the cart and pole are."""
    return slice(int(screen_height * BAND[0]), int(screen_height * BAND[1]))


def cart_location(cart_x: float, screen_width: int, x_threshold: float = 2.4) -> int:
    """The pixel column of the cart's middle (the slides' ``get_cart_location``).

    The track spans ``[-x_threshold, x_threshold]`` in the physics and the full screen width in
    pixels, so a position ``x`` maps to ``x * scale + screen_width / 2``.
    """
    scale = screen_width / (2 * x_threshold)
    return int(cart_x * scale + screen_width / 2.0)


def cart_window(cart_column: int, screen_width: int, view_fraction: float = VIEW_FRACTION) -> slice:
    """Columns of a window ``view_fraction`` of the width, centred on the cart, kept on screen."""
    view_width = int(screen_width * view_fraction)
    if cart_column < view_width // 2:
        return slice(view_width)
    if cart_column > screen_width - view_width // 2:
        return slice(-view_width, None)
    return slice(cart_column - view_width // 2, cart_column + view_width // 2)


def slides_resize(screen: torch.Tensor, height: int = SLIDES_HEIGHT) -> torch.Tensor:
    """The slides' ``resize``: to a PIL image, bicubic resize to ``height`` rows, back to a tensor.

    Takes and returns a float (3, H, W) tensor with values in [0, 1].
    """
    resize = T.Compose(
        [T.ToPILImage(), T.Resize(height, interpolation=T.InterpolationMode.BICUBIC), T.ToTensor()]
    )
    return resize(screen)


def slides_screen(frame: np.ndarray, cart_x: float, x_threshold: float = 2.4) -> torch.Tensor:
    """The slides' ``get_screen()`` on one frame: a (1, 3, 40, 90) float tensor in [0, 1]."""
    frame = check_frame(frame)
    screen = frame.transpose((2, 0, 1))  # torch order: channels, height, width
    _, screen_height, screen_width = screen.shape
    screen = screen[:, band_rows(screen_height)]
    column = cart_location(cart_x, screen_width, x_threshold)
    screen = screen[:, :, cart_window(column, screen_width)]
    screen = torch.from_numpy(np.ascontiguousarray(screen, dtype=np.float32) / 255)
    return slides_resize(screen).unsqueeze(0)


def slides_screen_shape(screen_height: int, screen_width: int, height: int = SLIDES_HEIGHT) -> tuple[int, int]:
    """(height, width) of ``get_screen()``'s output for frames of this size, without rendering one.

    The band and the window are cut as in ``slides_screen``; torchvision's ``Resize(height)`` then
    scales the shorter side to ``height`` and the longer one to ``int(height * long / short)``.
    """
    rows = band_rows(screen_height)
    band_height, view_width = rows.stop - rows.start, int(screen_width * VIEW_FRACTION)
    if band_height <= view_width:
        return height, int(height * view_width / band_height)
    return int(height * band_height / view_width), height


def get_screen(env: gym.Env) -> torch.Tensor:
    """The slides' ``get_screen()``: render ``env`` and preprocess the frame as they do."""
    cartpole = env.unwrapped
    return slides_screen(env.render(), float(cartpole.state[0]), cartpole.x_threshold)


def resize_screens(screens: torch.Tensor, height: int = SLIDES_HEIGHT) -> torch.Tensor:
    """Resize a batch (N, C, H, W) of float screens on whatever device they are on.

    The same bicubic resize as ``slides_resize``, done by torch for a whole batch at once (and
    on the GPU when the tensor is there) instead of one PIL image at a time.
    """
    if screens.ndim != 4:
        raise FrameError(_("expected a batch of screens (N, C, H, W), got shape {shape}").format(
            shape=tuple(screens.shape)))
    width = round(screens.shape[-1] * height / screens.shape[-2])
    resized = torch.nn.functional.interpolate(
        screens, size=(height, width), mode="bicubic", align_corners=False, antialias=True
    )
    return resized.clamp_(0, 1)


# --- the course's recipe: full-width grayscale frames, stacked -------------------------------

FRAME_SIZE = (30, 90)  # (height, width) of one preprocessed frame


def gray_frame(frame: np.ndarray, size: tuple[int, int] = FRAME_SIZE) -> np.ndarray:
    """The band of rows the cart moves in, full width, grayscale, shrunk to ``size`` (uint8).

    Inverted so the background is 0 and the cart and pole are bright: the network's zero
    padding then matches the empty background.
    """
    frame = check_frame(frame)
    band = frame[band_rows(frame.shape[0])]
    image = Image.fromarray(band).convert("L")
    image = image.resize((size[1], size[0]), Image.Resampling.BOX)  # area average: keeps thin poles
    return 255 - np.asarray(image, dtype=np.uint8)
