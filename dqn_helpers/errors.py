"""Errors the helpers raise on bad input: each names the problem and how to fix it.

They subclass ``ValueError`` too, so code that already catches ``ValueError`` keeps working.
"""


class DQNHelpersError(ValueError):
    """Base class: bad input to a ``dqn_helpers`` function."""


class UnknownEnvironmentError(DQNHelpersError):
    """The environment id is not registered with gymnasium."""


class InvalidActionError(DQNHelpersError):
    """A policy returned something the environment's action space does not contain."""


class RenderModeError(DQNHelpersError):
    """The environment was made with a render mode that cannot give the frames asked for."""
