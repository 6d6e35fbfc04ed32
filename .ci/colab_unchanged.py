"""Fail when installing the course changed a package Colab preinstalls.

    python .ci/colab_unchanged.py PINS BEFORE AFTER

PINS is .ci/colab-runtime.txt; BEFORE and AFTER are `pip freeze` outputs taken around the
course's install. A pinned package that was upgraded, downgraded or removed makes Colab ask the
student to restart the runtime: that is a failure, with one line per package.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path


def versions(freeze: str) -> dict[str, str]:
    """``name -> version`` from ``pip freeze`` or requirement lines (``name==version``)."""
    found = {}
    for line in freeze.splitlines():
        match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s;#]+)", line)
        if match:
            found[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return found


def moved(pins: str, before: str, after: str) -> list[str]:
    pinned, old, new = versions(pins), versions(before), versions(after)
    problems = []
    for name, version in sorted(pinned.items()):
        if old.get(name) != version:
            problems.append(f"{name}: Colab has {version}, but the runtime venv had {old.get(name, 'nothing')} "
                            "before the course was installed")
        elif new.get(name) != version:
            problems.append(f"{name}: installing the course changed it from {version} to "
                            f"{new.get(name, 'nothing (removed)')}")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    pins, before, after = (Path(p).read_text() for p in argv)
    problems = moved(pins, before, after)
    for problem in problems:
        print(f"Colab leg: {problem}", file=sys.stderr)
    if problems:
        print("Colab leg FAILED: a student would have to restart the runtime. Loosen the course's "
              "lower bounds in pyproject.toml so Colab's versions satisfy them.", file=sys.stderr)
        return 1
    print(f"Colab leg: the course installs without moving any of Colab's {len(versions(pins))} pinned packages.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
