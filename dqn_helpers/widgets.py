"""Interactive widgets for the lessons (ipywidgets 7 and 8 both work, as Colab has 7)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np

from dqn_helpers.plots import show_frame


def scrub_episode(frames: Sequence[np.ndarray], processed: Sequence[np.ndarray], label: str = "processed") -> None:
    """A slider over an episode: the raw frame and its processed version, side by side.

    Returns nothing, so the cell shows the widget and no stray ``<function ...>`` after it.
    """
    import ipywidgets as widgets

    def show(step: int) -> None:
        fig, (left, right) = plt.subplots(1, 2, figsize=(12, 3.2), gridspec_kw={"width_ratios": [1.6, 1]})
        show_frame(frames[step], f"step {step}: rendered frame", ax=left)
        show_frame(processed[step], f"{label}", ax=right)
        plt.show()

    slider = widgets.IntSlider(value=0, min=0, max=len(frames) - 1, description="step",
                               continuous_update=False)
    widgets.interact(show, step=slider)


def sliders(plot: Callable[..., None], **ranges: tuple[float, float, float, float]) -> None:
    """``interact`` with a float slider per keyword: name=(value, min, max, step); returns nothing."""
    import ipywidgets as widgets

    controls = {
        name: widgets.FloatSlider(value=v, min=lo, max=hi, step=step, description=name,
                                  continuous_update=False)
        for name, (v, lo, hi, step) in ranges.items()
    }
    widgets.interact(plot, **controls)
