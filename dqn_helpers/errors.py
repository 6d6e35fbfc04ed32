"""Errors the helpers raise on bad input: each names the problem and how to fix it.

They subclass ``ValueError`` too, so code that already catches ``ValueError`` keeps working.
"""

from dqn_helpers.i18n import _


class DQNHelpersError(ValueError):
    """Base class: bad input to a ``dqn_helpers`` function."""


class UnknownEnvironmentError(DQNHelpersError):
    """The environment id is not registered with gymnasium."""


class InvalidActionError(DQNHelpersError):
    """A policy returned something the environment's action space does not contain."""


class RenderModeError(DQNHelpersError):
    """The environment was made with a render mode that cannot give the frames asked for."""


class RunInterrupted(Exception):
    """A training run in a notebook was interrupted (the stop button) and saved.

    Raised so that "Run All" stops at the training cell instead of running the cells below it
    on an unfinished run. Jupyter shows only the short message of ``_render_traceback_``, not a
    traceback: nothing went wrong, and running the cell again resumes the run.
    """

    def __init__(self, out_dir: object, step: int) -> None:
        self.out_dir, self.step = out_dir, step
        super().__init__(_("Stopped at step {step:,}: the run is saved in {folder}. The cells below did not run. "
                           "Run this cell again to resume it.").format(step=step, folder=out_dir))

    def _render_traceback_(self) -> list[str]:
        return [f"■ {self}"]
