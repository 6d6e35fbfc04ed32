"""``python -m dqn_helpers train ...``: train an agent from pixels and write its outputs.

Example: ``python -m dqn_helpers train --preset solved --env CartPole-v1 --seed 0 --out runs/v1-s0``.
Interrupt with Ctrl-C: the run is saved; the same command resumes it.
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

import torch

from dqn_helpers.errors import DQNHelpersError
from dqn_helpers.presets import PRESETS, preset
from dqn_helpers.runner import CHECKPOINT_EVERY, train_run
from dqn_helpers.tracking import MODES


def count(minimum: int) -> Callable[[str], int]:
    """An argparse type: an integer of at least ``minimum``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value
    return parse


def threads(text: str) -> int:
    """An argparse type: a number of threads from 1 to this machine's CPUs (more only slows every step)."""
    value = count(1)(text)
    cpus = os.cpu_count() or 1
    if value > cpus:
        raise argparse.ArgumentTypeError(f"must be at most {cpus} (the CPUs of this machine), got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dqn_helpers", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train an agent; writes curve, best policy, summary, video")
    train.add_argument("--preset", choices=PRESETS, default="solved")
    train.add_argument("--env", default=None,
                       help="CartPole-v0 or CartPole-v1 (default: the preset's, v1 for solved and v0 for slides)")
    train.add_argument("--seed", type=int, default=None, help="random seed (default 0)")
    train.add_argument("--steps", type=count(1), default=None,
                       help="step budget (default: 100k for v0, 300k for v1; the slides: 50 episodes)")
    train.add_argument("--episodes", type=count(1), default=None,
                       help="episode budget (the slides: 50; the recipe: none)")
    train.add_argument("--device", default="auto", help="auto (cuda, then mps, then cpu), cpu, cuda, cuda:N, mps")
    train.add_argument("--out", required=True, help="output folder; an interrupted run there is resumed")
    train.add_argument("--wandb", choices=MODES, default="auto",
                       help="auto: online if you ran `wandb login`, else offline (never prompts)")
    train.add_argument("--no-video", action="store_true", help="skip the MP4 of the trained agent")
    train.add_argument("--no-resume", action="store_true", help="start over even if --out holds a run")
    train.add_argument("--overwrite", action="store_true", help="replace the outputs of a finished run in --out")
    train.add_argument("--after-solved", type=int, default=None,
                       help="steps to keep training once solved, keeping the best network (default 50k); "
                            "-1 trains the whole budget")
    train.add_argument("--checkpoint-every", type=count(0), default=CHECKPOINT_EVERY,
                       help="also save the resumable run every N steps (0: only when interrupted)")
    train.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                       help="override any setting of the preset, e.g. --set n_step=1 --set lr=5e-4")
    train.add_argument("--threads", type=threads, default=None,
                       help="torch CPU threads, at most this machine's CPUs (default: torch's)")
    return parser


def parse_sets(items: list[str]) -> dict[str, Any]:
    """``--set key=value`` pairs: Python literals where they parse, plain strings otherwise."""
    overrides, malformed = {}, [item for item in items if "=" not in item or not item.partition("=")[0].strip()]
    if malformed:
        raise DQNHelpersError("\n".join(f"--set {item}: expected KEY=VALUE, e.g. --set n_step=1" for item in malformed))
    for item in items:
        key, _, value = item.partition("=")
        try:
            overrides[key.strip()] = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            overrides[key.strip()] = value.strip()  # a plain string, e.g. --set renderer=gymnasium
    return overrides


def overrides_from(args: argparse.Namespace) -> dict[str, Any]:
    """The preset's overrides from the options and ``--set``; a setting given both ways is refused."""
    options: dict[str, tuple[str, Any]] = {"seed": ("--seed", args.seed),
                                           "device": ("--device", None if args.device == "auto" else args.device),
                                           "total_steps": ("--steps", args.steps),
                                           "num_episodes": ("--episodes", args.episodes),
                                           "env_id": ("--env", args.env)}
    if args.after_solved is not None:
        options["steps_after_solved"] = ("--after-solved", None if args.after_solved < 0 else args.after_solved)
    sets = parse_sets(args.set)
    clashes = [f"{flag} and --set {key}=... both set {key}: give it once"
               for key, (flag, value) in options.items()
               if key in sets and (value is not None or key == "steps_after_solved")]
    if clashes:
        raise DQNHelpersError("\n".join(clashes))
    overrides: dict[str, Any] = {"seed": 0 if args.seed is None else args.seed, "device": args.device, **sets}
    for key, (_, value) in options.items():
        if key not in ("seed", "device", "env_id") and (value is not None or key == "steps_after_solved"):
            overrides[key] = value
    return overrides


class TolerantStream(io.TextIOBase):
    """A console stream whose failure (stdout sent to a full disk, a closed terminal) never stops a run.

    The first failed write sends the descriptor to ``os.devnull``, so the interpreter's last flush
    succeeds too, and the text goes to ``fallback`` (stderr) if that still works."""

    def __init__(self, stream: Any, fallback: Any = None) -> None:
        self.stream, self.fallback, self.failed = stream, fallback, False

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # tqdm draws its bar with Unicode blocks only if the stream says UTF-8
        return getattr(self.stream, "encoding", None) or "utf-8"

    def fileno(self) -> int:
        return self.stream.fileno()

    def write(self, text: str) -> int:
        if not self.failed:
            try:
                self.stream.write(text)
                self.stream.flush()
                return len(text)
            except (OSError, ValueError):
                self.failed = True
                self._silence()
        if self.fallback is not None:
            try:
                self.fallback.write(text)
                self.fallback.flush()
            except (OSError, ValueError):
                self.fallback = None
        return len(text)

    def flush(self) -> None:
        if not self.failed:
            try:
                self.stream.flush()
            except (OSError, ValueError):
                self.failed = True
                self._silence()

    def isatty(self) -> bool:
        try:
            return not self.failed and self.stream.isatty()
        except (OSError, ValueError):
            return False

    def _silence(self) -> None:
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self.stream.fileno())
            os.close(null)
        except (OSError, ValueError, AttributeError):
            pass


def main(argv: list[str] | None = None) -> int:
    streams = sys.stdout, sys.stderr
    if sys.stdout is not None and not isinstance(sys.stdout, TolerantStream):
        sys.stdout = TolerantStream(sys.stdout, sys.stderr)
    if sys.stderr is not None and not isinstance(sys.stderr, TolerantStream):
        sys.stderr = TolerantStream(sys.stderr)
    try:
        return train_command(build_parser().parse_args(argv))
    finally:
        sys.stdout, sys.stderr = streams


def train_command(args: argparse.Namespace) -> int:
    """``train``: build the preset's run, train it into ``--out``, print its result."""
    if args.threads:
        torch.set_num_threads(args.threads)
    signal.signal(signal.SIGTERM, stop_like_ctrl_c)  # Colab, Docker, Slurm and `kill` send SIGTERM
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, stop_like_ctrl_c)  # the terminal was closed
    try:
        overrides = overrides_from(args)
        config = preset(args.preset, overrides.pop("env_id", args.env), **overrides)
        result = train_run(config.build(), args.out, wandb_mode=args.wandb, video=not args.no_video,
                           resume=not args.no_resume, checkpoint_every=args.checkpoint_every or None,
                           overwrite=args.overwrite)
    except (DQNHelpersError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # a second Ctrl-C, or one outside the training loop
        print(f"\nStopped at once. The run resumes from its last save in {args.out} (if any): run the same "
              "command again.", file=sys.stderr)
        return 130
    if not result.completed:
        return 130
    s = result.summary
    solved = "not solved" if s["solved_at_step"] is None else f"solved at step {s['solved_at_step']:,}"
    if s["seconds_to_solve"] is not None:
        solved += f" after {s['seconds_to_solve'] / 60:.1f} min"
    print(f"{s['env_id']} seed {s['seed']}: greedy mean over {s['final_episodes']} episodes "
          f"{s['final_mean']:.1f} (threshold {s['threshold']:g}; the network as training left it: "
          f"{s['live_final_mean']:.1f}), {solved}, {s['steps_per_second']} steps/s. Outputs in {result.out_dir}/")
    return 0


def stop_like_ctrl_c(_signum: int, _frame: Any) -> None:
    """SIGTERM outside the training loop (which defers it) stops the run the way Ctrl-C does."""
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
