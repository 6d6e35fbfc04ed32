"""Files from elsewhere, and a finish that fails: refused in one line naming the field, nothing lost.

A ``run.pt`` or ``policy.pt`` damaged on disk or crafted by someone else must be refused before any
of it is used, with the field that is wrong; a run whose outputs cannot be written (a full disk,
no memory for the final evaluation, a Ctrl-C while the video is written) keeps its training, with
the network as training left it, so that the same command finishes it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from dqn_helpers import runner
from dqn_helpers.checkpoint import RUN_FORMAT, CheckpointError, load_policy, load_run, save_run
from dqn_helpers.errors import DQNHelpersError
from dqn_helpers.presets import preset

SETTINGS = dict(total_steps=400, learning_starts=64, batch_size=32, buffer_size=1000, eval_every=200,
                eval_episodes=1, final_eval_episodes=1, frame_size=(30, 45), hidden=16, device="cpu")


def small_trainer():
    return preset("solved", "CartPole-v0", **SETTINGS).build()


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory) -> dict[str, Any]:
    trainer = small_trainer()
    trainer.run(until_step=300)
    path = tmp_path_factory.mktemp("run") / "run.pt"
    save_run(trainer, path)
    return torch.load(path, weights_only=True)


def set_path(state: dict, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for key in parents:
        state = state[int(key) if key.isdigit() else key]
    if value is DELETE:
        del state[last]
    else:
        state[int(last) if last.isdigit() else last] = value(state[int(last) if last.isdigit() else last]) \
            if callable(value) else value


DELETE = object()
CRAFTED: list[tuple[str, Any, str]] = [
    ("agent.memory.actions", lambda t: t.fill_(7), "agent.memory.actions: action 7 does not exist"),
    ("agent.memory.cursor", 10**6, "agent.memory.cursor"),
    ("agent.memory.frames", lambda t: t.float(), "agent.memory.frames: expected dtype torch.uint8"),
    ("agent.memory.frames", lambda t: t[:, :10], "agent.memory.frames: expected shape (n, 30, 45)"),
    ("agent.memory.rewards", lambda t: t[:5], "agent.memory: its arrays have different lengths"),
    ("counters.steps", 10**12, "counters.steps: 1,000,000,000,000 is out of range"),
    ("counters.steps", -5, "counters.steps: -5 is out of range"),
    ("counters.episodes", "many", "counters.episodes: expected an integer"),
    ("counters", lambda c: {k: v for k, v in c.items() if k != "steps"}, "counters.steps: missing"),
    ("agent.online", lambda s: {k: v.fill_(float("nan")) for k, v in s.items()}, "holds NaN or infinite values"),
    ("agent.target", lambda s: {k: v[..., :1] if v.dim() else v for k, v in s.items()}, "agent.target."),
    ("observation", lambda o: o, ""),  # untouched: must resume
    ("agent", lambda a: {k: v for k, v in a.items() if k != "memory"}, "agent.memory: missing"),
    ("env.physics", lambda p: {"ndarray": torch.zeros(7, dtype=torch.float64)} if isinstance(p, dict) else p,
     "env.physics"),
]


@pytest.mark.parametrize(("field", "change", "message"), CRAFTED, ids=lambda v: v if isinstance(v, str) else "")
def test_a_crafted_run_file_is_refused_in_one_line_naming_the_field(tmp_path, saved_run, field, change, message):
    state = copy.deepcopy(saved_run)
    set_path(state["trainer"], field, change)
    path = tmp_path / "run.pt"
    torch.save(state, path)
    trainer = small_trainer()
    if not message:
        load_run(path, trainer)
        assert trainer.step_count == 300
        return
    with pytest.raises(CheckpointError) as refusal:
        load_run(path, trainer)
    text = str(refusal.value)
    assert message in text and "cannot be resumed" in text and "--no-resume" in text, text
    assert trainer.step_count == 0  # nothing of the file was used


def test_a_crafted_run_of_another_format_or_shape_never_raises_a_raw_error(tmp_path, saved_run):
    for broken in ({"format": RUN_FORMAT, "trainer": "text"}, {"format": RUN_FORMAT},
                   {"format": RUN_FORMAT, "trainer": {"config": {}}}):
        torch.save(broken, tmp_path / "run.pt")
        with pytest.raises(DQNHelpersError):  # CheckpointError, or ConfigMismatch naming the settings
            load_run(tmp_path / "run.pt", small_trainer())


@pytest.fixture(scope="module")
def policy_file(tmp_path_factory) -> Path:
    from dqn_helpers.checkpoint import save_policy

    trainer = small_trainer()
    path = tmp_path_factory.mktemp("policy") / "policy.pt"
    save_policy(trainer, path)
    return path


@pytest.mark.parametrize(("change", "message"), [
    (lambda p: p["config"].update(hidden=10**7), "hidden: must be at most"),
    (lambda p: p["config"].update(buffer_size=10**9, frame_size=(1024, 1024)), "the replay memory would need"),
    (lambda p: p.pop("state_dict"), "its `state_dict` is missing"),
    (lambda p: p.update(config=[1, 2]), "its `config` is list"),
    (lambda p: p["state_dict"].update({k: v.fill_(float("nan")) for k, v in p["state_dict"].items()}),
     "holds NaN or infinite values"),
    (lambda p: p["state_dict"].update({k: v[:1] for k, v in p["state_dict"].items()}), "expected shape"),
], ids=["huge hidden", "huge buffer", "no weights", "config a list", "NaN weights", "wrong shapes"])
def test_a_crafted_policy_file_is_refused_before_a_network_is_built_from_it(tmp_path, policy_file, change, message):
    payload = torch.load(policy_file, weights_only=True)
    change(payload)
    torch.save(payload, tmp_path / "policy.pt")
    with pytest.raises(CheckpointError) as refusal:
        load_policy(tmp_path / "policy.pt")
    assert message in str(refusal.value) and len(str(refusal.value).splitlines()) == 1, str(refusal.value)


def failing(error: BaseException) -> Callable[..., Any]:
    def fail(*_args: Any, **_kwargs: Any) -> Any:
        raise error
    return fail


@pytest.mark.parametrize("where", ["save_policy", "write_curve", "final_evaluations", "save_mp4"])
@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), MemoryError(), KeyboardInterrupt()],
                         ids=["disk full", "no memory", "Ctrl-C"])
def test_a_finish_that_fails_keeps_the_trained_run_with_the_live_network(tmp_path, monkeypatch, where, error):
    out = tmp_path / "run"
    trainer = small_trainer()
    live: dict[str, torch.Tensor] = {}
    finish = runner.finish_run

    def finish_recording_the_live_network(trainer, *args, **kwargs):
        live.update({k: v.clone() for k, v in trainer.agent.online.state_dict().items()})
        return finish(trainer, *args, **kwargs)

    monkeypatch.setattr(runner, "finish_run", finish_recording_the_live_network)
    monkeypatch.setattr(runner, where, failing(error))
    if isinstance(error, KeyboardInterrupt):
        result = runner.train_run(trainer, out, wandb_mode="disabled", progress=False, stop_on_interrupt=False)
        assert not result.completed
    else:
        with pytest.raises(DQNHelpersError, match="the trained run is saved to"):
            runner.train_run(trainer, out, wandb_mode="disabled", progress=False)
    saved = torch.load(out / "run.pt", weights_only=True)["trainer"]
    assert saved["counters"]["steps"] == SETTINGS["total_steps"]
    assert live and all(torch.equal(saved["agent"]["online"][k], live[k]) for k in live)  # not the kept network
    monkeypatch.undo()
    again = small_trainer()
    result = runner.train_run(again, out, wandb_mode="disabled", progress=False, video=False)
    assert result.completed and again.step_count == SETTINGS["total_steps"]
    assert (out / "summary.json").exists() and not (out / "run.pt").exists()
