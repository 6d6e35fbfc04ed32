#!/usr/bin/env bash
# Issue 25, item 1: the slides' recipe exactly as written, at the recipe's budget (100,000 env steps),
# on the recipe's seeds. Usage: benchmarks/slides_long.sh SEED...
# Resumable: each run saves every 5,000 steps (and on Ctrl-C); the same command resumes it.
# Slow on a CPU: the slides' loop runs 15 to 20 steps a second on the course's 2-core machine
# (about 1.5 hours per seed, alone); run one seed per core at most.
set -euo pipefail
cd "$(dirname "$0")/.."
for seed in "$@"; do
  python -m dqn_helpers train --preset slides --env CartPole-v0 --seed "$seed" \
    --episodes 1000000 --steps 100000 --threads 1 --no-video --wandb disabled \
    --checkpoint-every 5000 --out "runs/slides-100k-s$seed"
done
