"""Show the package's own code in a lesson, so the notebook never keeps a second copy of it."""

from __future__ import annotations

import inspect
import textwrap
from typing import Any


def show_source(obj: Any):
    """Display the source of a function or class of ``dqn_helpers``, syntax-highlighted."""
    from IPython.display import Code

    return Code(textwrap.dedent(inspect.getsource(obj)), language="python")
