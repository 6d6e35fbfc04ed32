"""The CLI and the helpers under careless input and unlucky faults: clear errors, before training."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from cli_runs import start_until_first_save

from dqn_helpers.checkpoint import CheckpointError, load_policy, save_run
from dqn_helpers.env import make_env
from dqn_helpers.errors import DQNHelpersError, InvalidActionError
from dqn_helpers.pixels import make_pixel_env
from dqn_helpers.presets import preset
from dqn_helpers.recipe import RecipeConfig
from dqn_helpers.replay import FrameReplay

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "dqn_helpers", "train", "--wandb", "disabled", "--no-video",
                           "--device", "cpu", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env=os.environ | env)


def refused(done: subprocess.CompletedProcess, *fragments: str) -> None:
    """Exit 2, every fragment in the message, no traceback and no training started."""
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "step/s" not in done.stderr, done.stderr
    for fragment in fragments:
        assert fragment in done.stderr, done.stderr


def test_every_bad_set_value_is_named_on_its_own_line_before_training(tmp_path):
    started = time.monotonic()
    done = cli("--out", str(tmp_path / "r"), "--set", "lr=abc", "--set", "batch_size=32.5", "--set", "buffer_size=1e5",
               "--set", "hidden=256.0", "--set", "gamma=0.99x", "--set", "train_every=0", "--set", "eps_decay_steps=0",
               "--set", "frame_size=(0,0)", "--set", "strides=2,2")
    refused(done, "lr: expected a number, got 'abc'", "batch_size: expected an integer, got 32.5",
            "buffer_size: expected an integer, got 100000.0", "hidden: expected an integer",
            "gamma: expected a number, got '0.99x'", "train_every: must be at least 1",
            "eps_decay_steps: must be at least 1", "frame_size: every entry must be at least 1",
            # a tuple of the wrong length: the example is the setting's own default, of the right length
            "strides: expected a tuple of 3 integers, e.g. (2, 2, 1), got (2, 2)")
    assert len([line for line in done.stderr.splitlines() if ": " in line]) >= 9
    assert time.monotonic() - started < 60
    assert not (tmp_path / "r").exists()


def test_a_set_without_a_value_an_unknown_setting_and_settings_that_clash_are_refused(tmp_path):
    refused(cli("--out", str(tmp_path / "r"), "--set", "n_step"), "--set n_step: expected KEY=VALUE")
    refused(cli("--out", str(tmp_path / "r"), "--set", "memory_size=3"), "memory_size: no setting")
    refused(cli("--out", str(tmp_path / "r"), "--set", "learning_starts=10"),
            "learning_starts (10) must be at least batch_size (32)")


@pytest.mark.parametrize("args", [["--steps", "0"], ["--steps", "-5"], ["--episodes", "-3"], ["--threads", "-1"],
                                  ["--checkpoint-every", "-1"], ["--steps", "many"]],
                         ids=lambda a: " ".join(a))
def test_budgets_threads_and_checkpoint_intervals_out_of_range_are_refused(tmp_path, args):
    done = cli("--out", str(tmp_path / "r"), *args)
    assert done.returncode == 2 and args[0] in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert "must be at least" in done.stderr or "expected an integer" in done.stderr


@pytest.mark.parametrize("env_id", ["Acrobot-v1", "Pendulum-v1", "MountainCar-v0"])
@pytest.mark.parametrize("preset_name", ["solved", "slides"])
def test_environments_the_pixel_pipelines_cannot_draw_are_refused(tmp_path, env_id, preset_name):
    refused(cli("--preset", preset_name, "--env", env_id, "--out", str(tmp_path / "r")),
            f"cannot show {env_id}", "CartPole-v0 or CartPole-v1")


def test_an_out_that_is_a_file_or_cannot_be_made_is_refused_before_training(tmp_path):
    a_file = tmp_path / "taken"
    a_file.write_text("not a folder")
    refused(cli("--out", str(a_file)), "is a file, not a folder")
    refused(cli("--out", str(a_file / "below")), "cannot write to")


def test_a_finished_out_is_not_overwritten_unless_asked(tmp_path):
    out = tmp_path / "done"
    out.mkdir()
    (out / "summary.json").write_text("{}")
    refused(cli("--out", str(out)), "holds a finished run", "--overwrite")


def test_out_expands_the_home_folder(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "summary.json").write_text("{}")
    done = cli("--out=~/x", HOME=str(tmp_path))
    refused(done, f"{tmp_path / 'x'} holds a finished run")
    assert not (ROOT / "~").exists()


def test_a_valid_cuda_index_is_understood_and_a_missing_gpu_named():
    import torch

    from dqn_helpers.device import pick_device

    if torch.cuda.is_available():
        assert pick_device("cuda:0") == torch.device("cuda:0")
    else:
        with pytest.raises(DQNHelpersError, match="'cuda:0' was asked for, but this machine has none"):
            pick_device("cuda:0")
    with pytest.raises(DQNHelpersError, match="must be one of"):
        pick_device("gpu:0")


def test_the_slides_preset_runs_the_slides_cartpole_v0_by_default():
    assert preset("slides").env_id == "CartPole-v0"
    assert preset("solved").env_id == "CartPole-v1"
    from dqn_helpers.__main__ import build_parser

    assert build_parser().parse_args(["train", "--preset", "slides", "--out", "x"]).env is None


def test_sigterm_stops_the_cli_like_ctrl_c_saving_the_run(tmp_path):
    out = tmp_path / "run"
    process, _ = start_until_first_save(out)
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 130, output
    assert "Interrupted at step" in output and "Run the same command" in output
    assert (out / "run.pt").exists() and not (out / "run.pt.tmp").exists()


def test_load_policy_on_a_run_checkpoint_says_which_file_it_is(tmp_path):
    trainer = RecipeConfig(env_id="CartPole-v0", total_steps=50, learning_starts=40, buffer_size=200, hidden=8,
                           device="cpu").build()
    trainer.run()
    path = save_run(trainer, tmp_path / "run.pt")
    with pytest.raises(CheckpointError, match="is a run checkpoint .* not a policy file"):
        load_policy(path)


@pytest.mark.parametrize("size", [(0, 0), (-3, 90), (30,), (30.5, 90)])
def test_make_pixel_env_refuses_sizes_that_are_not_two_positive_integers(size):
    with pytest.raises(DQNHelpersError, match="two positive integers"):
        make_pixel_env("CartPole-v1", size)


def test_a_frame_of_the_wrong_shape_leaves_the_replay_buffer_as_it_was():
    buffer = FrameReplay(50, (30, 90), 4, seed=0)
    buffer.start(np.zeros((30, 90), np.uint8))
    buffer.add(1, 1.0, np.ones((30, 90), np.uint8), False)
    before = (buffer.cursor, buffer.written, len(buffer), buffer.frames.copy())
    with pytest.raises(DQNHelpersError, match=r"expected a frame of shape \(30, 90\), got \(90, 30\)"):
        buffer.add(0, 1.0, np.ones((90, 30), np.uint8), False)
    assert (buffer.cursor, buffer.written, len(buffer)) == before[:3] and np.array_equal(buffer.frames, before[3])
    buffer.add(0, 1.0, np.full((30, 90), 2, np.uint8), False)  # still usable
    assert len(buffer) == 2


@pytest.mark.parametrize("action", [np.float32(1), 1.0, np.float64(0)])
def test_a_float_action_gets_the_hint_to_return_an_int(action):
    env = make_env("CartPole-v1", render_mode=None)
    env.reset(seed=0)
    from dqn_helpers.env import check_action

    with pytest.raises(InvalidActionError, match=r"Actions are integers: return int\("):
        check_action(env, action)


TINY = dict(env_id="CartPole-v0", total_steps=900, learning_starts=200, buffer_size=2_000, target_update_every=100,
            eval_every=300, eval_episodes=2, final_eval_episodes=2, eps_decay_steps=500, hidden=32, device="cpu")


@pytest.fixture
def small_disk(tmp_path):
    """A real 2 MB file system (tmpfs), where the machine allows mounting one."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_is_reported_with_the_space_needed_and_the_previous_checkpoint_kept(small_disk):
    trainer = RecipeConfig(**(TINY | {"buffer_size": 20_000})).build()
    trainer.run()
    (small_disk / "run.pt").write_bytes(b"the previous checkpoint")
    with pytest.raises(CheckpointError, match=r"no space left on .*: \d+ MB needed, \d+ MB free"):
        save_run(trainer, small_disk / "run.pt")
    assert (small_disk / "run.pt").read_bytes() == b"the previous checkpoint"
    assert not (small_disk / "run.pt.tmp").exists()


def test_a_corrupt_run_file_says_how_to_resume_from_the_previous_one_or_start_over(tmp_path):
    from dqn_helpers.checkpoint import load_run

    trainer = RecipeConfig(**TINY).build()
    trainer.run(until_step=300)
    save_run(trainer, tmp_path / "run.pt")
    trainer.run(until_step=600)
    save_run(trainer, tmp_path / "run.pt")
    (tmp_path / "run.pt").write_bytes((tmp_path / "run.pt").read_bytes()[:5000])  # cut short
    with pytest.raises(CheckpointError, match=r"corrupt.*mv .*run\.pt\.prev .*run\.pt.*--no-resume") as error:
        load_run(tmp_path / "run.pt", RecipeConfig(**TINY).build())
    assert "Traceback" not in str(error.value)
    previous = (tmp_path / "run.pt.prev").read_bytes()
    (tmp_path / "run.pt.prev").write_bytes(previous[:3000])  # both damaged: no hint towards the .prev
    with pytest.raises(CheckpointError) as error:
        load_run(tmp_path / "run.pt", RecipeConfig(**TINY).build())
    assert "is damaged too" in str(error.value) and "mv " not in str(error.value), str(error.value)
    (tmp_path / "run.pt.prev").write_bytes(previous)
    (tmp_path / "run.pt.prev").replace(tmp_path / "run.pt")
    assert load_run(tmp_path / "run.pt", resumed := RecipeConfig(**TINY).build()) == []
    assert resumed.step_count == 300


def test_a_second_run_into_a_folder_in_use_is_refused_naming_the_first(tmp_path):
    out = tmp_path / "busy"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from pathlib import Path; "
                               "from dqn_helpers.lock import folder_lock\n"
                               f"with folder_lock(Path({str(out)!r})):\n"
                               "    print('locked', flush=True); time.sleep(60)"],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        refused(cli("--out", str(out)), "another run is writing to", f"pid {holder.pid}", "started")
    finally:
        holder.kill()
        holder.wait()


def test_without_a_network_wandb_falls_back_to_offline_within_seconds(monkeypatch, capsys):
    from dqn_helpers.tracking import resolve_mode

    monkeypatch.setenv("WANDB_API_KEY", "x" * 40)
    monkeypatch.setenv("WANDB_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    started = time.monotonic()
    assert resolve_mode("auto") == "offline" and resolve_mode("online") == "offline"
    assert time.monotonic() - started < 10
    assert "cannot reach http://127.0.0.1:9" in capsys.readouterr().err


def test_a_resumed_run_continues_the_same_wandb_run(tmp_path, monkeypatch):
    from dqn_helpers.tracking import start_tracking

    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    first = start_tracking("offline", {"a": 1}, tmp_path / "run", name="run")
    first_id = first.id
    first.finish()
    again = start_tracking("offline", {"a": 1}, tmp_path / "run", name="run", resuming=True)
    assert again.id == first_id
    again.finish()
    fresh = start_tracking("offline", {"a": 1}, tmp_path / "run", name="run")
    assert fresh.id != first_id
    fresh.finish()


def test_a_resume_may_change_the_budget_but_not_what_shaped_the_past(tmp_path):
    from dqn_helpers.checkpoint import load_run
    from dqn_helpers.loop import ConfigMismatch

    trainer = RecipeConfig(**TINY).build()
    trainer.run(until_step=300)
    save_run(trainer, tmp_path / "run.pt")
    longer = RecipeConfig(**(TINY | {"total_steps": 1_200, "steps_after_solved": None})).build()
    assert load_run(tmp_path / "run.pt", longer) == ["total_steps: 900 → 1200", "steps_after_solved: 50000 → None"]
    longer.run()
    assert longer.step_count == 1_200 and longer.train_seconds > 0
    with pytest.raises(ConfigMismatch, match="gamma: 0.99 → 0.9.*--no-resume"):
        load_run(tmp_path / "run.pt", RecipeConfig(**(TINY | {"gamma": 0.9})).build())


def test_runs_are_also_saved_by_time_not_only_by_steps(tmp_path, monkeypatch):
    from dqn_helpers import runner

    saves = []
    monkeypatch.setattr(runner, "save_run", lambda trainer, path: saves.append(trainer.step_count))
    trainer = RecipeConfig(**TINY).build()
    assert runner.train_with_checkpoints(trainer, tmp_path / "run.pt", checkpoint_every=None,
                                         checkpoint_minutes=0.2 / 60)
    assert len(saves) >= 2 and saves == sorted(saves) and saves[-1] < 900


@pytest.mark.parametrize("setting", ["strides=(9,9,9)", "frame_size=(5,5)"])
def test_a_frame_too_small_for_the_network_is_refused_before_training(tmp_path, setting):
    done = subprocess.run([sys.executable, "-m", "dqn_helpers", "train", "--preset", "solved", "--env", "CartPole-v0",
                           "--steps", "100", "--wandb", "disabled", "--out", str(tmp_path / "run"), "--set", setting],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "too small for the recipe's convolutions" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "run" / "run.pt").exists()


@pytest.mark.parametrize(("preset_name", "settings", "message"), [
    ("solved", {"lr": float("inf")}, "lr: must be at most 10"),
    ("solved", {"lr": float("nan")}, "lr: must be in (0, 10]"),
    ("solved", {"eval_episodes": 10**9}, "eval_episodes: must be at most 100,000"),
    ("solved", {"final_eval_episodes": 10**9}, "final_eval_episodes: must be at most 100,000"),
    ("solved", {"hidden": 10**7}, "hidden: must be at most 65,536"),
    ("solved", {"frame_size": (5000, 5000)}, "frame_size: every entry must be at most 1,024"),
    ("solved", {"buffer_size": 10**9, "frame_size": (1024, 1024)}, "buffer_size: the replay memory would need"),
    ("solved", {"batch_size": 64, "buffer_size": 50, "learning_starts": 64}, "must be at most buffer_size (50)"),
    ("solved", {"seed": -1}, "seed: must be at least 0"),
    ("solved", {"grad_clip_norm": float("inf")}, "grad_clip_norm: must be at most"),
    ("solved", {"env_id": ""}, "cannot show ''"),
    ("slides", {"memory_size": 10**8}, "memory_size: the replay memory would need"),
    ("slides", {"batch_size": 500, "memory_size": 100}, "must be at most memory_size (100)"),
    ("slides", {"eps_decay": float("inf")}, "eps_decay: must be at most"),
], ids=lambda v: str(v)[:40])
def test_settings_beyond_any_sensible_run_are_refused_before_anything_is_allocated(preset_name, settings, message):
    started = time.monotonic()
    with pytest.raises(DQNHelpersError) as refusal:
        preset(preset_name, **settings)
    assert message in str(refusal.value) and len(str(refusal.value).splitlines()) == 1, str(refusal.value)
    assert time.monotonic() - started < 5  # nothing was allocated


@pytest.mark.parametrize(("args", "message"), [
    (["--threads", "100000"], "must be at most"),
    (["--env", ""], "cannot show ''"),
    (["--env", "CartPole-v1 "], "cannot show 'CartPole-v1 '"),
    (["--set", "env_id=CartPole-v9"], "cannot show CartPole-v9"),
    (["--seed", "3", "--set", "seed=5"], "--seed and --set seed=... both set seed"),
    (["--steps", "9", "--set", "total_steps=5"], "--steps and --set total_steps=... both set total_steps"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_cli_settings_without_bounds_or_given_twice_are_refused(tmp_path, args, message):
    refused(cli("--out", str(tmp_path / "r"), *args), message)
    assert not (tmp_path / "r").exists()


def test_odd_folders_are_refused_in_one_line(tmp_path):
    refused(cli("--out", ""), "--out is empty")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / ".lock").mkdir()
    refused(cli("--out", str(tmp_path / "locked")), "cannot use the lock file")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    refused(cli("--out", str(tmp_path / "dangling")), "which does not exist")


def test_a_server_that_accepts_and_never_answers_means_offline_within_seconds(monkeypatch, capsys):
    import socket

    from dqn_helpers.tracking import resolve_mode

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections are accepted by the kernel; nothing ever answers
    try:
        monkeypatch.setenv("WANDB_API_KEY", "x" * 40)
        monkeypatch.setenv("WANDB_BASE_URL", f"http://127.0.0.1:{silent.getsockname()[1]}")
        started = time.monotonic()
        assert resolve_mode("online") == "offline"
        assert time.monotonic() - started < 10
        assert "no answer within" in capsys.readouterr().err
    finally:
        silent.close()


def test_the_key_wandb_login_saves_is_found_for_the_server_the_installed_wandb_uses(tmp_path, monkeypatch):
    from wandb.sdk.lib.wbauth import write_netrc_auth

    from dqn_helpers.tracking import has_wandb_key, resolve_mode, wandb_server

    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.delenv("WANDB_BASE_URL", raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / ".netrc"))
    assert not has_wandb_key()
    write_netrc_auth(host=wandb_server(), api_key="k" * 40)  # what `wandb login` does
    assert has_wandb_key()
    monkeypatch.setattr("dqn_helpers.tracking.unreachable_reason", lambda: None)
    assert resolve_mode("auto") == "online"


def test_a_wandb_run_the_server_will_not_start_is_tracked_offline(tmp_path, monkeypatch, capsys):
    import wandb

    from dqn_helpers.tracking import start_tracking

    real_init = wandb.init

    def init(*args, mode=None, **kwargs):
        if mode == "online":
            raise wandb.errors.CommError("Run initialization has timed out after 30.0 sec.")
        return real_init(*args, mode=mode, **kwargs)

    monkeypatch.setattr(wandb, "init", init)
    monkeypatch.setenv("WANDB_API_KEY", "x" * 40)
    monkeypatch.setattr("dqn_helpers.tracking.unreachable_reason", lambda: None)
    run = start_tracking("auto", {"a": 1}, tmp_path / "run", name="run")
    try:
        assert run.settings.mode == "offline"
        assert "logging offline instead" in capsys.readouterr().err
    finally:
        run.finish()


@pytest.mark.parametrize("stdout", ["/dev/full", "closed"])
def test_a_console_that_cannot_be_written_does_not_stop_the_run(tmp_path, stdout):
    import os

    command = [sys.executable, "-m", "dqn_helpers", "train", "--env", "CartPole-v0", "--steps", "200", "--set",
               "learning_starts=64", "--set", "final_eval_episodes=1", "--set", "eval_every=0", "--no-video",
               "--wandb", "disabled", "--device", "cpu", "--out", str(tmp_path / "r")]
    with open(os.devnull if stdout == "closed" else stdout, "w") as sink:
        done = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL if stdout == "closed" else sink,
                              stderr=subprocess.PIPE, text=True, timeout=300,
                              preexec_fn=(lambda: os.close(1)) if stdout == "closed" else None)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert (tmp_path / "r" / "summary.json").exists()


def test_a_long_evaluation_stops_within_seconds_of_a_signal_and_is_made_again_on_resume(tmp_path):
    import os
    import threading

    config = dict(TINY, eval_every=100, eval_episodes=100_000, total_steps=300)
    trainer = RecipeConfig(**config).build()
    sent: list[float] = []

    def interrupt_once_the_evaluation_runs() -> None:
        while trainer.step_count < 100:
            time.sleep(0.05)
        time.sleep(1.0)
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt_once_the_evaluation_runs, daemon=True).start()
    assert trainer.run() is False
    assert time.monotonic() - sent[0] < 5
    assert trainer.step_count == 100 and trainer.evaluation_due and not trainer.history.evals
    save_run(trainer, tmp_path / "run.pt")
    from dqn_helpers.checkpoint import load_run

    resumed = RecipeConfig(**config).build()
    load_run(tmp_path / "run.pt", resumed)
    assert resumed.evaluation_due


def test_an_evaluation_stopped_by_a_signal_gives_the_same_run_as_one_never_stopped(tmp_path, monkeypatch):
    from contextlib import contextmanager

    from dqn_helpers import loop
    from dqn_helpers.checkpoint import load_run

    config = dict(TINY, eval_every=100, eval_episodes=3, total_steps=300)
    straight = RecipeConfig(**config).build()
    straight.run()
    stopped = RecipeConfig(**config).build()

    @contextmanager
    def stop_during_the_first_evaluation(shield=False):
        yield lambda: stopped.step_count >= 100

    monkeypatch.setattr(loop, "deferred_interrupt", stop_during_the_first_evaluation)
    assert stopped.run() is False and stopped.step_count == 100 and not stopped.history.evals
    save_run(stopped, tmp_path / "run.pt")
    monkeypatch.undo()
    resumed = RecipeConfig(**config).build()
    load_run(tmp_path / "run.pt", resumed)
    resumed.run()
    assert [e.step for e in resumed.history.evals] == [e.step for e in straight.history.evals] == [100, 200, 300]
    assert [e.mean for e in resumed.history.evals] == [e.mean for e in straight.history.evals]
    for name, tensor in straight.agent.online.state_dict().items():
        assert torch.equal(tensor, resumed.agent.online.state_dict()[name]), name


def test_a_csv_that_cannot_be_written_mid_run_does_not_stop_the_run(tmp_path, monkeypatch, capsys):
    from dqn_helpers import observers
    from dqn_helpers.runner import train_run

    real_append, failures = observers.CsvLog._append, []

    def append_until_the_disk_fills(self, name, row):
        if name == "episodes.csv" and len(failures) < 1 and row[0] > 300:
            failures.append(row)
            handle, _ = self.files[name]
            monkeypatch.setattr(handle, "flush", lambda: (_ for _ in ()).throw(OSError(28, "No space left")))
        return real_append(self, name, row)

    monkeypatch.setattr(observers.CsvLog, "_append", append_until_the_disk_fills)
    trainer = RecipeConfig(**dict(TINY, total_steps=600)).build()
    result = train_run(trainer, tmp_path / "r", wandb_mode="disabled", progress=False, video=False)
    assert result.completed and failures
    assert "could not be written (No space left)" in capsys.readouterr().err
    rows = (tmp_path / "r" / "episodes.csv").read_text().splitlines()
    assert len(rows) == 1 + len(trainer.history.episodes)  # written again, whole, at the end


def test_a_signal_during_a_long_step_is_acknowledged_within_seconds_then_saved_after_the_step(monkeypatch, capsys):
    import os
    import threading

    trainer = RecipeConfig(**TINY).build()
    learn = trainer.agent.learn

    def slow_learn(step):
        if step == 50:
            time.sleep(4)  # one update that crawls
        return learn(step)

    monkeypatch.setattr(trainer.agent, "learn", slow_learn)
    sent: list[float] = []

    def interrupt_during_the_slow_step() -> None:
        while trainer.step_count < 50:
            time.sleep(0.01)
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt_during_the_slow_step, daemon=True).start()
    assert trainer.run() is False
    assert trainer.step_count == 50  # the step finished: the state is whole and can be saved
    assert "Stop requested" in capsys.readouterr().err
