"""Write a benchmark's table into its section of ``benchmarks/results.md``, leaving the rest."""

from __future__ import annotations

from pathlib import Path


def write_section(report: Path, section: str, text: str) -> None:
    """Replace the text between ``<!-- <section> -->`` and ``<!-- end <section> -->`` (appended if absent)."""
    start, end = f"<!-- {section} -->", f"<!-- end {section} -->"
    old = report.read_text() if report.exists() else ""
    block = f"{start}\n{text}\n{end}"
    if start in old and end in old:
        new = old[:old.index(start)] + block + old[old.index(end) + len(end):]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    report.write_text(new)
