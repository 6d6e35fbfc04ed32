"""Pictures for the lessons: frames, histograms and learning curves."""

from __future__ import annotations

import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from dqn_helpers.loop import Observer


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


class LiveCurve(Observer):
    """A learning curve that redraws in place in a notebook while training runs.

    Pass it to ``runner.train_run(..., observers=[live])``: it redraws after episodes and
    evaluations at most every ``seconds`` (so drawing never slows the training down much), and
    once more when the run stops.
    """

    def __init__(self, seconds: float = 2.0) -> None:
        from IPython.display import display

        self.seconds, self._last = seconds, 0.0
        self.figure, self.ax = plt.subplots(figsize=(9, 4))
        plt.close(self.figure)  # shown through the display handle only
        self._handle = display(self.figure, display_id=True)

    def redraw(self, trainer) -> None:
        self._last = time.monotonic()
        self.ax.clear()
        plot_curve(trainer, self.ax)
        self._handle.update(self.figure)

    def on_episode(self, trainer, episode) -> None:
        if time.monotonic() - self._last >= self.seconds:
            self.redraw(trainer)

    def on_evaluation(self, trainer, evaluation) -> None:
        self.on_episode(trainer, None)

    def on_end(self, trainer) -> None:
        self.redraw(trainer)


def plot_curve(trainer, ax: plt.Axes | None = None) -> plt.Figure:
    """Training episode lengths (and their running mean) and the greedy evaluations, by step."""
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4))
    episodes = trainer.history.episodes
    if episodes:
        steps = np.array([e.step for e in episodes])
        lengths = np.array([e.length for e in episodes], dtype=float)
        few = len(lengths) < 200  # a short run: make each episode visible
        ax.plot(steps, lengths, ".", ms=5 if few else 2, alpha=0.6 if few else 0.3, color="tab:blue",
                label="training episode (ε-greedy)")
        window = max(1, min(50, len(lengths) // 4))
        running = np.convolve(lengths, np.ones(window) / window, mode="valid")
        ax.plot(steps[window - 1:], running, color="tab:blue", label=f"mean of last {window}")
    evals = trainer.history.evals
    if evals:
        ax.plot([e.step for e in evals], [e.mean for e in evals], "o-", color="tab:orange",
                label="greedy evaluation (mean)")
    if np.isfinite(trainer.threshold):
        ax.axhline(trainer.threshold, ls="--", color="gray", label=f"solved ({trainer.threshold:g})")
    ax.set_xlabel("environment steps")
    ax.set_ylabel("episode length")
    ax.set_title(f"{trainer.config.env_id} from pixels, seed {trainer.config.seed}")
    ax.legend(loc="upper left", fontsize=8)
    return ax.figure


def plot_diagnostics(trainer, discount: float | None = None) -> plt.Figure:
    """The TD loss and the mean of max_a Q(s, a) over each training batch, update by update.

    A healthy run's mean max-Q climbs towards the discounted return of a balanced pole,
    sum of γ^k over the horizon = 1 / (1 - γ) for an endless episode (drawn as a dashed line):
    well above it means the values are over-estimated; a loss that keeps growing means the
    targets are running away.
    """
    history = trainer.history
    gamma = trainer.config.gamma if discount is None else discount
    fig, (loss_ax, q_ax) = plt.subplots(1, 2, figsize=(12, 3.5))
    for ax, values, label in ((loss_ax, history.losses, "TD loss (Huber)"),
                              (q_ax, history.max_q, "mean over the batch of max_a Q(s, a)")):
        values = np.asarray(values, dtype=float)
        if len(values):
            window = max(1, min(200, len(values) // 20))
            ax.plot(values, color="tab:gray", alpha=0.3, lw=0.8)
            smooth = np.convolve(values, np.ones(window) / window, mode="valid")
            ax.plot(np.arange(window - 1, len(values)), smooth, color="tab:blue", label=f"mean of last {window}")
            ax.legend(loc="upper left", fontsize=8)
        ax.set_xlabel("updates")
        ax.set_title(label)
    q_ax.axhline(1 / (1 - gamma), ls="--", color="gray")
    q_ax.annotate(f"1 / (1 - γ) = {1 / (1 - gamma):.0f}", (0, 1 / (1 - gamma)), fontsize=8,
                  xytext=(4, -12), textcoords="offset points")
    loss_ax.set_yscale("log")
    fig.tight_layout()
    return fig


def saliency(network: torch.nn.Module, observation: np.ndarray) -> np.ndarray:
    """Where the greedy action's Q-value is sensitive: |dQ(s, a*)/d pixel|, averaged over frames.

    A gradient saliency map (Simonyan et al., 2014): pixels whose small change would move the
    chosen action's value most. Returned as a uint8 image scaled to its maximum, shaped like
    one frame.
    """
    device = next(network.parameters()).device
    x = torch.as_tensor(np.asarray(observation, dtype=np.float32)[None], device=device).requires_grad_(True)
    q = network(x)
    q[0, q[0].argmax()].backward()
    grad = x.grad.detach().abs()[0].mean(dim=0)
    return (255 * grad / grad.max().clamp_min(1e-12)).to(torch.uint8).cpu().numpy()
