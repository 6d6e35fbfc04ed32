"""Pictures for the lessons: frames, histograms and learning curves."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def show_frame(frame: np.ndarray, title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """Show one image (H x W x 3 RGB, or H x W grayscale) with its shape in the title."""
    frame = np.asarray(frame)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 6 * frame.shape[0] / max(frame.shape[1], 1) + 0.5))
    ax.imshow(frame, cmap="gray" if frame.ndim == 2 else None, interpolation="nearest")
    shape = "x".join(str(s) for s in frame.shape)
    ax.set_title(f"{title} ({shape}, {frame.dtype})" if title else f"{shape}, {frame.dtype}")
    ax.set_xlabel("column (pixels)")
    ax.set_ylabel("row (pixels)")
    return ax
