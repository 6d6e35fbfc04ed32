"""Run a lesson's later cells with every accepted answer of the catalogue in place of the reference.

A checker that accepts an answer promises that the rest of the lesson works with it. This runner
executes a lesson's solution source (``lessons/NN_*.py``) cell by cell in an IPython shell, in
quick mode. At each checker cell it forks once per accepted answer of that exercise: the child
puts the answer in place of the solution, runs the checker cell (which must hand the answer
back) and every later cell up to the last one that uses the exercise's name, and records the
types the answer returned there. The parent goes on with the reference and records the same.

Usage: ``python tests/later_cells.py lessons/NN_name.py`` prints one JSON line per answer:
``{"exercise", "answer", "ok", "error", "types"}`` and one for the reference.
"""

from __future__ import annotations

import json
import os
import re
import sys
import traceback
from pathlib import Path
from typing import Any

CHECKER_CELL = re.compile(r"^(\w+) = checks\.check_\w+\(\1\)\s*$", re.MULTILINE)


def code_cells(path: Path) -> list[str]:
    import jupytext

    notebook = jupytext.read(path)
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def uses(source: str, name: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", source) is not None


class TypeRecorder:
    """Calls the function it wraps and records the type of every result (for a later comparison)."""

    def __init__(self, function: Any, types: set[str]) -> None:
        self.function, self.types = function, types
        self.__name__ = getattr(function, "__name__", "answer")
        self.__wrapped__ = function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        result = self.function(*args, **kwargs)
        self.types.add(type_name(result))
        return result


def type_name(value: Any) -> str:
    """The type the lesson's later cells see; NumPy's scalars behave as Python's int and float there."""
    import numpy as np

    if isinstance(value, np.integer) and not isinstance(value, np.bool_):
        return "int"
    if isinstance(value, np.floating):
        return "float"
    return type(value).__name__


def run_cells(shell: Any, cells: list[str]) -> None:
    for source in cells:
        result = shell.run_cell(source, store_history=False, silent=True)
        if not result.success:
            error = result.error_in_exec or result.error_before_exec
            raise RuntimeError("".join(traceback.format_exception_only(type(error), error)).strip())


def main(lesson: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import torch

    torch.set_num_threads(1)  # forked children must not inherit a thread pool
    from IPython.core.interactiveshell import InteractiveShell
    from typical_answers import ANSWERS

    shell = InteractiveShell.instance()
    cells = code_cells(Path(lesson))
    reference_types: dict[str, set[str]] = {}
    for index, source in enumerate(cells):
        match = CHECKER_CELL.search(source)
        accepted = [a for a in ANSWERS if match and a.exercise == match.group(1) and a.verdict is None]
        if match:
            name = match.group(1)
            later = [i for i in range(index + 1, len(cells)) if uses(cells[i], name)]
            last = later[-1] if later else index
            for answer in accepted:
                sys.stdout.flush()
                child = os.fork()
                if child == 0:
                    code = 1
                    report: dict[str, Any] = {"exercise": name, "answer": answer.name, "ok": False, "types": []}
                    try:
                        shell.user_ns[name] = answer.code
                        run_cells(shell, [source])
                        if shell.user_ns[name] is not answer.code:
                            raise RuntimeError("the checker did not hand the accepted answer back")
                        types: set[str] = set()
                        if not isinstance(answer.code, type):
                            shell.user_ns[name] = TypeRecorder(answer.code, types)
                        run_cells(shell, cells[index + 1:last + 1])
                        report.update(ok=True, types=sorted(types))
                        code = 0
                    except BaseException as error:  # noqa: BLE001 - reported to the test
                        report["error"] = f"{type(error).__name__}: {error}"[:2000]
                    print(json.dumps(report), flush=True)
                    os._exit(code)
                os.waitpid(child, 0)
            run_cells(shell, [source])
            types = reference_types.setdefault(name, set())
            if accepted and not isinstance(shell.user_ns[name], type):
                shell.user_ns[name] = TypeRecorder(shell.user_ns[name], types)
        else:
            run_cells(shell, [source])
    for name, types in reference_types.items():
        print(json.dumps({"exercise": name, "answer": "<reference>", "ok": True, "types": sorted(types)}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
