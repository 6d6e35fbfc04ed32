"""What one update of the recipe costs on this machine, and what four alternatives to it cost.

    python benchmarks/update_cost.py [--set KEY=VALUE ...]

Goal 1 of issue 12 (20x the slides' loop) turns on the update: 70-85% of a recipe step. This
prints, for the recipe (with ``--set`` changes, as ``speed.py`` takes them), the milliseconds of
one update (``RecipeAgent.optimize``: sampling, three forward passes, a backward pass, Adam) run
eagerly, with both networks compiled by ``torch.compile`` (and what compiling cost) and under
bfloat16 autocast (this CPU's AVX-512 BF16 units; the weights stay float32); a forward
and backward pass over a batch with oneDNN's convolutions and with torch's own; and the input's
conversion to float in channels-last order done in one copy or converted first, then reordered.
Timings only, nothing is written; ``benchmarks/EXPERIMENTS.md`` quotes them.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import torch
import torch._inductor.config

from dqn_helpers.__main__ import parse_sets
from dqn_helpers.errors import DQNHelpersError
from dqn_helpers.presets import preset


def milliseconds(work: Callable[[], object], repeats: int = 200, warmup: int = 20) -> float:
    for _ in range(warmup):
        work()
    start = time.perf_counter()
    for _ in range(repeats):
        work()
    return (time.perf_counter() - start) / repeats * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    try:  # a bad --set is refused in one line, before any timing
        config = preset("solved", "CartPole-v1", eval_every=0, device="cpu", **parse_sets(args.set))
    except DQNHelpersError as error:
        parser.error(str(error))
    trainer = config.build()
    trainer.run(until_step=config.learning_starts + 200)  # a memory to sample from, Adam's state made
    agent = trainer.agent
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; the recipe"
          f"{' with ' + ', '.join(args.set) if args.set else ''}")

    eager = milliseconds(agent.optimize)
    online, target = agent.online, agent.target
    torch._inductor.config.force_disable_caches = True  # time a first compile, as a student's first run pays it
    agent.online, agent.target = torch.compile(online), torch.compile(target)
    start = time.perf_counter()
    agent.optimize()
    compile_seconds = time.perf_counter() - start
    compiled = milliseconds(agent.optimize)
    agent.online, agent.target = online, target

    def in_bfloat16() -> None:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            agent.optimize()

    bfloat16 = milliseconds(in_bfloat16)
    print(f"one update: eager {eager:.2f} ms; both networks compiled {compiled:.2f} ms, "
          f"after {compile_seconds:.1f} s of compiling; under bfloat16 autocast {bfloat16:.2f} ms")

    batch = agent.memory.sample(config.batch_size, config.gamma, config.n_step)
    states = torch.from_numpy(batch.states)

    def forward_backward() -> None:
        online.zero_grad(set_to_none=True)
        online(states).sum().backward()

    with_onednn = milliseconds(forward_backward)
    torch.backends.mkldnn.enabled = False  # torch's own convolutions (mkldnn.flags() would also warn about TF32)
    without = milliseconds(forward_backward)
    torch.backends.mkldnn.enabled = True
    print(f"forward + backward, batch of {len(states)}: oneDNN convolutions {with_onednn:.2f} ms, "
          f"torch's own {without:.2f} ms")

    x = states.flatten(1, -3)

    def in_one_copy() -> torch.Tensor:  # as PixelDQN.forward did it before
        return x.to(torch.float32, memory_format=torch.channels_last, copy=True)

    def converted_then_reordered() -> torch.Tensor:  # as PixelDQN.forward does it
        return x.to(torch.float32).contiguous(memory_format=torch.channels_last)

    one_copy, two_steps = milliseconds(in_one_copy), milliseconds(converted_then_reordered)
    same = torch.equal(in_one_copy(), converted_then_reordered())
    print(f"input {tuple(x.shape)} uint8 to float, channels-last: one copy {one_copy * 1e3:.0f} us, "
          f"converted then reordered {two_steps * 1e3:.0f} us ({'same' if same else 'DIFFERENT'} values)")


if __name__ == "__main__":
    main()
