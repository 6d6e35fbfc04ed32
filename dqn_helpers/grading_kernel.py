"""The kernel that grades a student's notebook: IPython's kernel under a memory limit, whose
checkers a student's cell cannot switch off.

``python -m dqn_helpers.grading_kernel GB -f CONNECTION_FILE``: the kernelspec that
``tools/grading.py init`` writes starts this.

* The memory limit is on the process's data (heap and anonymous memory, where tensors and
  arrays live), so an answer that allocates without end fails in its own notebook while the
  rest of the class is graded.
* Before every cell, the course's functions and classes are put back as they were when the
  kernel started, the name ``checks`` is the course's checkers again, and grading mode is on:
  ``checks.check_x = lambda f: f``, ``dh.env.play_episode = my_answer`` or
  ``os.environ["DQN_GRADING"] = "0"`` in an answer cell change nothing in the checker cell after it.
"""

from __future__ import annotations

import os
import sys
from types import FunctionType, ModuleType
from typing import Any

PROTECT = "__import__('dqn_helpers.grading_kernel').grading_kernel.protect()"


def limit_memory(gigabytes: float) -> None:
    try:
        import resource
    except ImportError:  # Windows: no limit to set
        return
    limit = int(gigabytes * 1024**3)
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    resource.setrlimit(resource.RLIMIT_DATA, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))


def _course_modules() -> list[ModuleType]:
    return [m for name, m in list(sys.modules.items())
            if isinstance(m, ModuleType) and (name == "dqn_helpers" or name.startswith("dqn_helpers."))]


def _is_code(value: Any) -> bool:
    return isinstance(value, (FunctionType, type, ModuleType, staticmethod, classmethod, property)) or callable(value)


def snapshot() -> list[tuple[Any, dict[str, Any]]]:
    """The functions, classes and submodules of every course module, and the methods of its classes."""
    import dqn_helpers.checks  # noqa: F401 - every checker, imported before any student code runs

    methods = ("__init__", "__call__", "__len__", "__getitem__")
    saved: list[tuple[Any, dict[str, Any]]] = []
    for module in _course_modules():
        names = {k: v for k, v in vars(module).items() if _is_code(v) and not k.startswith("__")}
        saved.append((module, names))
        for value in names.values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                saved.append((value, {k: v for k, v in vars(value).items()
                                      if (_is_code(v) and not k.startswith("__")) or k in methods}))
    return saved


def restore(saved: list[tuple[Any, dict[str, Any]]]) -> None:
    for owner, names in saved:
        for key, value in names.items():
            current = vars(owner).get(key)
            if current is not value:
                setattr(owner, key, value)


def protect() -> None:
    """Run once in the grading kernel before any cell (IPython's ``exec_lines``)."""
    from IPython import get_ipython

    from dqn_helpers import checks
    from dqn_helpers.checks.core import GRADING_ENV_VAR

    shell = get_ipython()
    saved = snapshot()

    def before_cell(*_: Any) -> None:
        os.environ[GRADING_ENV_VAR] = "1"
        restore(saved)
        if shell.user_ns.get("checks", checks) is not checks:
            shell.user_ns["checks"] = checks

    shell.events.register("pre_run_cell", before_cell)


def main() -> None:
    gigabytes, rest = float(sys.argv[1]), sys.argv[2:]
    limit_memory(gigabytes)
    from ipykernel import kernelapp

    sys.argv = [sys.argv[0], *rest, f"--IPKernelApp.exec_lines={PROTECT!s}"]
    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
