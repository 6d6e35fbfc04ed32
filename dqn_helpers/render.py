"""Draw CartPole's scene straight at the network's resolution, much faster than pygame.

Gymnasium's renderer draws a 400x600 RGB frame with pygame (about 1.3 ms here), which the
recipe then crops to the cart's band, turns gray and shrinks to a few thousand pixels. This
module draws the *same scene* (same geometry, same colours, same band) directly at that small
size: each output pixel averages a grid of sample points, as shrinking the big frame averages
its pixels. Lesson 02 shows both side by side and measures how close they are; the tests hold
them within a few gray levels of each other.
"""

from __future__ import annotations

import numpy as np

from dqn_helpers.screen import BAND, FRAME_SIZE

# Gymnasium's CartPole drawing, in its own pixel units (see CartPoleEnv.render).
SCREEN_W, SCREEN_H = 600, 400
X_THRESHOLD = 2.4
SCALE = SCREEN_W / (2 * X_THRESHOLD)  # pixels per metre of track
POLE_WIDTH, POLE_LEN = 10.0, SCALE * 1.0  # pole length is 2 * 0.5 m
CART_W, CART_H = 50.0, 30.0
CART_Y = 100.0  # height of the cart's centre line above the bottom edge
AXLE_Y = CART_Y + CART_H / 4.0
AXLE_RADIUS = 5.0
# Luma of gymnasium's colours (PIL's "L" conversion), inverted: background 0.
INK_CART = 255.0
INK_POLE = 255.0 - (202 * 299 + 152 * 587 + 101 * 114) / 1000
INK_AXLE = 255.0 - (129 * 299 + 132 * 587 + 203 * 114) / 1000


class CartPoleDrawer:
    """Draws the band of rows the cart moves in, full width, as an (H, W) uint8 image.

    Each output pixel averages ``samples`` x ``samples`` sample points. Only the columns around
    the cart and pole are sampled; the rest of the band is background and the track line,
    whose exact coverage of each output row is computed once.
    """

    def __init__(self, size: tuple[int, int] = FRAME_SIZE, samples: int = 4) -> None:
        self.size = size
        self.samples = samples
        height, width = size
        top, bottom = SCREEN_H * BAND[0], SCREEN_H * BAND[1]
        self._col_px = SCREEN_W / width  # screen pixels per output column
        # sample points at sub-pixel centres, in gymnasium's (y up from the bottom) coordinates
        ys = top + (np.arange(height * samples) + 0.5) * (bottom - top) / (height * samples)
        self._x = (np.arange(width * samples) + 0.5) * self._col_px / samples
        self._y = (SCREEN_H - ys)[:, None]
        # the one-pixel track line (pygame's hline at y = CART_Y fills [CART_Y, CART_Y + 1))
        row_edges = SCREEN_H - (top + np.arange(height + 1) * (bottom - top) / height)
        overlap = np.clip(np.minimum(row_edges[:-1], CART_Y + 1) - np.maximum(row_edges[1:], CART_Y), 0, None)
        self._track = (overlap / (row_edges[:-1] - row_edges[1:]))[:, None]
        self._background = np.repeat(self._track * INK_CART, width, axis=1)

    def draw(self, cart_x: float, pole_angle: float) -> np.ndarray:
        """The scene for a cart at ``cart_x`` metres with the pole at ``pole_angle`` radians."""
        height, width = self.size
        s = self.samples
        cart_px = cart_x * SCALE + SCREEN_W / 2.0
        reach = max(CART_W / 2, POLE_LEN * abs(np.sin(pole_angle)) + POLE_WIDTH) + 2
        first = max(int((cart_px - reach) / self._col_px), 0)
        last = min(int((cart_px + reach) / self._col_px) + 1, width)
        image = self._background.copy()
        if last <= first:  # the cart is off the screen
            return np.rint(image).astype(np.uint8)
        x = self._x[None, first * s : last * s]
        y = self._y
        ink = np.zeros((y.shape[0], x.shape[1]), dtype=np.float32)
        # pygame fills whole pixels: a shape spanning pixel rows a..b covers [a, b + 1) here,
        # so each shape is shifted or widened by half a pixel to land where pygame puts it.
        # the cart: an axis-aligned box
        in_cart_x = (x >= int(cart_px - CART_W / 2)) & (x < int(cart_px + CART_W / 2) + 1)
        in_cart_y = (y >= CART_Y - CART_H / 2) & (y < CART_Y + CART_H / 2 + 1)
        ink[in_cart_y & in_cart_x] = INK_CART
        # the pole: a box rotated about the axle (gymnasium rotates its corners by -angle)
        dx, dy = x - (cart_px + 0.5), y - (AXLE_Y + 0.5)
        cos, sin = np.cos(pole_angle), np.sin(pole_angle)
        along = dx * sin + dy * cos  # distance up the pole
        across = dx * cos - dy * sin  # distance across it
        half = POLE_WIDTH / 2 + 0.5
        in_pole = (np.abs(across) <= half) & (along >= -half) & (along <= POLE_LEN - POLE_WIDTH / 2 + 0.5)
        ink[in_pole] = INK_POLE
        # the axle: a disc at integer pixel coordinates, like pygame's filled_circle
        in_axle = (x - int(cart_px) - 0.5) ** 2 + (y - int(AXLE_Y) - 0.5) ** 2 <= (AXLE_RADIUS + 0.5) ** 2
        ink[in_axle] = INK_AXLE
        window = ink.reshape(height, s, last - first, s).mean(axis=(1, 3))
        # the track line is drawn last, over the cart
        image[:, first:last] = self._track * INK_CART + (1 - self._track) * window
        return np.rint(image).astype(np.uint8)
