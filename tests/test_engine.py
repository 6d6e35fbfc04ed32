"""The engine's shape and its parts: short functions, an acyclic package, observers, saved envs."""

from __future__ import annotations

import ast
import csv
from pathlib import Path

import numpy as np
import pytest

from dqn_helpers import presets
from dqn_helpers.envstate import env_state, load_env_state
from dqn_helpers.loop import Observer
from dqn_helpers.observers import CsvLog
from dqn_helpers.pixels import make_pixel_env
from dqn_helpers.recipe import RecipeConfig
from dqn_helpers.slides import make_slides_env

PACKAGE = Path(__file__).resolve().parents[1] / "dqn_helpers"
ENGINE = [p for p in PACKAGE.rglob("*.py") if "checks" not in p.parts]  # the checkers are the course's, not the engine
MAX_FUNCTION_LINES = 40  # not counting the docstring

TINY = dict(env_id="CartPole-v0", total_steps=900, learning_starts=200, buffer_size=2_000, target_update_every=100,
            eval_every=300, eval_episodes=2, final_eval_episodes=2, eps_decay_steps=500, hidden=32, device="cpu")


def function_lengths(path: Path) -> dict[str, int]:
    lengths = {}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines = node.end_lineno - node.lineno + 1
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(getattr(first.value, "value", None), str):
                lines -= first.end_lineno - first.lineno + 1
            lengths[f"{path.name}:{node.name}"] = lines
    return lengths


def test_no_engine_function_is_longer_than_about_40_lines():
    long = {name: n for path in ENGINE for name, n in function_lengths(path).items() if n > MAX_FUNCTION_LINES}
    assert not long, f"split these: {long}"


def imports_of(path: Path) -> set[str]:
    """The package's modules that ``path`` imports, at the top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dqn_helpers"):
            found.add(node.module.split(".")[1] if node.module.count(".") else "__init__")
            if node.module == "dqn_helpers":
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("dqn_helpers."))
    return found


def test_the_package_import_graph_has_no_cycle():
    modules = {p.stem: p for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__")}
    graph = {name: imports_of(path) & set(modules) - {name} for name, path in modules.items()}
    visiting, done = set(), set()

    def visit(name: str, trail: list[str]) -> None:
        assert name not in visiting, "import cycle: " + " → ".join([*trail, name])
        if name in done:
            return
        visiting.add(name)
        for imported in sorted(graph[name]):
            visit(imported, [*trail, name])
        visiting.discard(name)
        done.add(name)

    for module in sorted(graph):
        visit(module, [])
    assert graph["loop"] <= {"allocator", "device", "envstate", "errors", "evaluation", "interrupt", "seeding"}, \
        "the loop knows no recipe"


class Recorder(Observer):
    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []

    def on_start(self, trainer) -> None:
        self.events.append(("start", trainer.step_count))

    def on_episode(self, trainer, episode) -> None:
        self.events.append(("episode", episode.step))

    def on_evaluation(self, trainer, evaluation) -> None:
        self.events.append(("evaluation", evaluation.step))

    def on_end(self, trainer) -> None:
        self.events.append(("end", trainer.step_count))


def test_observers_hear_every_episode_and_evaluation_as_it_happens_in_step_order():
    trainer = RecipeConfig(**TINY).build()
    recorder = Recorder()
    trainer.attach([recorder])
    trainer.run()
    trainer.detach_all()
    kinds = [kind for kind, _ in recorder.events]
    assert kinds[0] == "start" and kinds[-1] == "end"
    assert kinds.count("episode") == len(trainer.history.episodes)
    assert [step for kind, step in recorder.events if kind == "evaluation"] == [300, 600, 900]
    steps = [step for _, step in recorder.events]
    assert steps == sorted(steps), "events arrive in step order (what W&B needs)"
    assert trainer.observers == []


def test_csv_files_grow_with_the_run_and_are_rewritten_whole_on_resume(tmp_path):
    trainer = RecipeConfig(**TINY).build()
    trainer.attach([CsvLog(tmp_path)])
    trainer.run(until_step=450)
    with open(tmp_path / "episodes.csv") as f:  # written as the run goes, before it ends
        assert len(list(csv.reader(f))) == 1 + len(trainer.history.episodes)
    trainer.detach_all()
    del trainer.history.episodes[-3:]  # as if resumed from a checkpoint made three episodes earlier
    trainer.attach([CsvLog(tmp_path)])
    trainer.detach_all()
    with open(tmp_path / "episodes.csv") as f:
        rows = list(csv.reader(f))
    assert len(rows) == 1 + len(trainer.history.episodes)
    assert [int(r[1]) for r in rows[1:]] == [e.episode for e in trainer.history.episodes]


@pytest.mark.parametrize("make", [lambda: make_pixel_env("CartPole-v1"), lambda: make_slides_env("CartPole-v0")],
                         ids=["pixels", "slides"])
def test_an_env_saved_mid_episode_continues_exactly_when_restored_into_a_fresh_one(make):
    env, actions = make(), [0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1]
    env.reset(seed=4)
    for action in actions[:5]:
        env.step(action)
    saved = env_state(env)
    expected = [env.step(action) for action in actions[5:]]
    env.reset()  # the next episode's start draws from the env's generator too
    expected_reset = env.reset()[0]

    fresh = make()
    fresh.reset(seed=99)
    load_env_state(fresh, saved)
    got = [fresh.step(action) for action in actions[5:]]
    fresh.reset()
    for (obs_a, *rest_a), (obs_b, *rest_b) in zip(expected, got, strict=True):
        assert np.array_equal(np.asarray(obs_a), np.asarray(obs_b)) and rest_a[:3] == rest_b[:3]
    assert np.array_equal(np.asarray(fresh.reset()[0]), np.asarray(expected_reset))


def test_the_progress_bar_counts_whichever_budget_ends_the_run():
    lesson = presets.preset("slides", "CartPole-v0", num_episodes=50)  # 50 x 200 steps at most
    assert lesson.episodes_bind(200), "the slides' 50 episodes: an episode bar with its real total"
    long_run = presets.preset("slides", "CartPole-v0", num_episodes=1_000_000, total_steps=100_000)
    assert not long_run.episodes_bind(200), "a step budget that ends the run first: a step bar"
    assert not presets.preset("solved", "CartPole-v1").episodes_bind(500), "no episode budget: steps"
