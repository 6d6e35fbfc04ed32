"""Does an answer do the exercise, or hand it to the course's own reference implementation?

An answer such as ``def play_episode(env, policy): return dh.env.play_episode(env, policy)``
gives the right results on every probe, so only its code can show that the student wrote
nothing. This reads the answer's bytecode (its functions, the methods of a class, the functions
nested in them) and resolves every global name and attribute chain it loads, as the code would
at run time: ``dh.env.play_episode``, ``dqn_helpers.env.play_episode``, a ``from ... import``
inside the function, an alias made in another cell, a default argument, a closure, or a class
derived from the reference. Nothing is run. Helpers that the exercise may use (another
exercise's reference, torch, gymnasium) are not flagged: only the objects the checker names.
"""

from __future__ import annotations

import dis
import functools
import inspect
import sys
from collections.abc import Iterable, Iterator
from types import CodeType, FunctionType, MethodType, ModuleType
from typing import Any

_CHAIN_STARTS = {"LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF", "LOAD_CLASSDEREF", "LOAD_FAST"}  # and IMPORT_NAME, below
_CHAIN_STEPS = {"LOAD_ATTR", "LOAD_METHOD", "IMPORT_FROM"}
_STORES = {"STORE_FAST", "STORE_NAME", "STORE_DEREF"}


def delegated_to(answer: Any, references: Iterable[Any]) -> Any | None:
    """The first of ``references`` that ``answer`` is, derives from, or loads in its code; else None."""
    targets = [r for r in references if r is not None]
    if not targets:
        return None
    for candidate in _unwrapped(answer):
        for target in targets:
            if candidate is target:
                return target
            if isinstance(candidate, type) and isinstance(target, type) and issubclass(candidate, target):
                return target
    for function in _functions(answer):
        found = _found_in_function(function, targets)
        if found is not None:
            return found
    return None


def describe(reference: Any) -> str:
    """``dqn_helpers.env.play_episode``: how a student would find the reference."""
    module = getattr(reference, "__module__", None) or ""
    name = getattr(reference, "__qualname__", None) or getattr(reference, "__name__", None) or repr(reference)
    return f"{module}.{name}" if module else name


def _unwrapped(answer: Any) -> list[Any]:
    seen = [answer]
    if isinstance(answer, functools.partial):
        seen.append(answer.func)
    if isinstance(answer, MethodType):
        seen.append(answer.__func__)
    try:
        seen.append(inspect.unwrap(answer))
    except (ValueError, TypeError):
        pass
    return seen


def _functions(answer: Any) -> Iterator[FunctionType]:
    """The Python functions an answer runs: itself, a partial's function, or a class's own methods."""
    if isinstance(answer, functools.partial):
        yield from _functions(answer.func)
        return
    if isinstance(answer, MethodType):
        answer = answer.__func__
    if isinstance(answer, FunctionType):
        yield answer
        return
    classes = [answer] if isinstance(answer, type) else [type(answer)]
    for klass in classes:
        for base in klass.__mro__:
            if base.__module__.split(".")[0] in ("builtins", "torch", "dqn_helpers", "gymnasium", "numpy"):
                continue  # library classes are not the student's code
            for value in vars(base).values():
                if isinstance(value, (staticmethod, classmethod)):
                    value = value.__func__
                if isinstance(value, property):
                    yield from (f for f in (value.fget, value.fset) if isinstance(f, FunctionType))
                elif isinstance(value, FunctionType):
                    yield value


def _found_in_function(function: FunctionType, targets: list[Any]) -> Any | None:
    values = [*(function.__defaults__ or ()), *(function.__kwdefaults__ or {}).values()]
    for cell in function.__closure__ or ():
        try:
            values.append(cell.cell_contents)
        except ValueError:  # an empty cell
            pass
    for value in values:
        if any(value is t for t in targets):
            return value
    cells = {name: cell for name, cell in zip(function.__code__.co_freevars, function.__closure__ or (), strict=False)}
    for code in _nested_codes(function.__code__):
        found = _found_in_code(code, function.__globals__, cells, targets)
        if found is not None:
            return found
    return None


def _nested_codes(code: CodeType) -> Iterator[CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, CodeType):
            yield from _nested_codes(const)


def _found_in_code(code: CodeType, globals_: dict[str, Any], cells: dict[str, Any],
                   targets: list[Any]) -> Any | None:
    """Follow each chain of loads (``dh`` → ``.env`` → ``.play_episode``) to the object it reaches."""
    builtins = globals_.get("__builtins__", {})
    builtins = vars(builtins) if isinstance(builtins, ModuleType) else builtins
    locals_: dict[str, Any] = {}
    current: Any = None
    instructions = list(dis.get_instructions(code))
    for index, instruction in enumerate(instructions):
        op, name = instruction.opname, instruction.argval
        if op == "IMPORT_NAME" and isinstance(name, str):
            following = instructions[index + 1].opname if index + 1 < len(instructions) else ""
            # `import a.b` binds `a`; `import a.b as c` and `from a.b import c` go on from `a.b`
            current = sys.modules.get(name.split(".")[0] if following in _STORES else name)
        elif op in _CHAIN_STARTS and isinstance(name, str):
            current = _start(op, name, globals_, builtins, cells, locals_)
        elif op in _CHAIN_STEPS and isinstance(name, str) and current is not None:
            current = _attribute(current, name)
        elif op in _STORES and isinstance(name, str):
            if current is not None:
                locals_[name] = current
            current = None
            continue
        else:
            current = None
            continue
        if current is not None and any(current is t for t in targets):
            return current
    return None


def _start(op: str, name: str, globals_: dict[str, Any], builtins: dict[str, Any], cells: dict[str, Any],
           locals_: dict[str, Any]) -> Any:
    if op == "LOAD_FAST":
        return locals_.get(name)
    if op in ("LOAD_DEREF", "LOAD_CLASSDEREF"):
        cell = cells.get(name)
        try:
            return cell.cell_contents if cell is not None else None
        except ValueError:
            return None
    return globals_.get(name, builtins.get(name))


def _attribute(owner: Any, name: str) -> Any:
    """An attribute of a module or a class only: reading one of an object could run its code."""
    if isinstance(owner, ModuleType):
        value = getattr(owner, name, None)
        if value is None:  # a submodule not yet bound on its package
            value = sys.modules.get(f"{owner.__name__}.{name}")
        if value is None and owner.__name__.rsplit(".", 1)[-1] == name:  # `import a.b as c`: IMPORT_FROM b on a.b
            value = owner
        return value
    if isinstance(owner, type):
        return inspect.getattr_static(owner, name, None)
    return None
