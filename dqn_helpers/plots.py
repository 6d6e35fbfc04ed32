"""Pictures for the lessons: frames, histograms and learning curves."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def show_frame(frame: np.ndarray, title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """Show one image (H x W x 3 RGB, or H x W grayscale) with its shape in the title."""
    frame = np.asarray(frame)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 6 * frame.shape[0] / max(frame.shape[1], 1) + 0.5))
    scale = {"vmin": 0, "vmax": 255} if frame.dtype == np.uint8 else {}
    ax.imshow(frame, cmap="gray" if frame.ndim == 2 else None, interpolation="nearest", **scale)
    shape = "x".join(str(s) for s in frame.shape)
    ax.set_title(f"{title} ({shape}, {frame.dtype})" if title else f"{shape}, {frame.dtype}")
    ax.set_xlabel("column (pixels)")
    ax.set_ylabel("row (pixels)")
    return ax


def show_images(images: list[np.ndarray], titles: list[str], columns: int | None = None,
                width: float = 12.0) -> plt.Figure:
    """Several images side by side (or in rows of ``columns``), each titled with its shape."""
    columns = columns or len(images)
    rows = -(-len(images) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(width, width / columns * 0.8 * rows), squeeze=False)
    for ax in axes.flat[len(images):]:
        ax.axis("off")
    for ax, image, title in zip(axes.flat, images, titles, strict=False):
        show_frame(image, title, ax=ax)
        ax.set_xlabel("")
        ax.set_ylabel("")
    fig.tight_layout()
    return fig
