#!/usr/bin/env bash
# Issue 25, item 1: the recipe's own runs on CartPole-v0, seeds 0-2, to show next to the slides'
# recipe at the same budget (benchmarks/slides_long.sh) in lesson 06: the same CLI, the same
# budget of 100,000 environment steps (the recipe stops 50,000 steps after it is solved).
# Usage: benchmarks/recipe_v0.sh SEED...   (one thread each; a few minutes per seed on a CPU)
set -euo pipefail
cd "$(dirname "$0")/.."
for seed in "$@"; do
  python -m dqn_helpers train --preset solved --env CartPole-v0 --seed "$seed" --steps 100000 --threads 1 \
    --no-video --wandb disabled --out "runs/recipe-v0-100k-s$seed"
done
