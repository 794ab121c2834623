"""Benchmark of the optimizer core (not part of `make test`; run `make bench`).

Prints, in one run (medians over repeats):
  1. one 2000-step Adam trajectory on Rosenbrock through `optim_core.run`;
  2. a batch of 10,000 starts x 2000 steps through one `run` call;
  3. the same work as a plain per-step Python loop (timed on a sample of starts, per trajectory);
and the ratio of (3) to (2) per trajectory. Target: >= 50x.

Then the tuning scene's learning-rate sweep (issue 13): 4 optimizers x 25 rates x 64 starts x
1000 steps, with the rates as a batch axis (one call per optimizer) against one call per rate,
in the same run. Target: the batched sweep in under 3 s.

Then the network scene's sweep (issue 25): a 64-32-10 tanh network on the digits, 4 optimizers
x 25 rates x 3 seeds x 300 steps (300 trainings, one batched call per optimizer, two optimizers
at a time in threads). Target: at most 10 s on 2 cores.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from optim_core import adam, run
from optim_core.surfaces import get
from optim_core.sweep import log_rates, lr_sweep, random_starts

ROSEN = get("rosenbrock")


def loop_adam(start, steps, lr=0.1, b1=0.9, b2=0.999, eps=1e-8):
    """The per-step Python loop a notebook would write (numpy on 2-vectors)."""
    p = np.array(start, dtype=float)
    m = np.zeros(2)
    v = np.zeros(2)
    path = [p.copy()]
    for t in range(1, steps + 1):
        g = ROSEN.gradient(p)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p = p - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        path.append(p.copy())
    return np.array(path)


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--loop-sample", type=int, default=20, help="starts timed with the loop")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    starts = np.column_stack([rng.uniform(-2, 2, args.batch), rng.uniform(-1, 3, args.batch)])
    opt = adam(0.1)

    single = median_time(lambda: run(opt, ROSEN, (-1.5, -1.0), args.steps), args.repeats)
    batch = median_time(lambda: run(opt, ROSEN, starts, args.steps), args.repeats)
    loop = median_time(lambda: [loop_adam(s, args.steps) for s in starts[: args.loop_sample]],
                       args.repeats)
    per_batch = batch / args.batch
    per_loop = loop / args.loop_sample
    print(f"one {args.steps}-step Adam trajectory (run):       {single * 1e3:9.2f} ms")
    print(f"batch of {args.batch} x {args.steps} steps (one run call): {batch:9.2f} s "
          f"= {per_batch * 1e3:.3f} ms per trajectory")
    print(f"plain Python loop, per trajectory:               {per_loop * 1e3:9.2f} ms "
          f"(median of {args.repeats} x {args.loop_sample} starts)")
    print(f"batch vs loop, per trajectory:                   {per_loop / per_batch:9.1f}x "
          f"(target >= 50x)")

    sweep_starts = random_starts(ROSEN.domain, 64, seed=0)
    rates = log_rates(1e-5, 10, 25)
    names = ("sgd", "momentum", "rmsprop", "adam")

    def batched():
        return [lr_sweep(n, rates, sweep_starts, ROSEN, 1000) for n in names]

    def per_rate():
        return [lr_sweep(n, [lr], sweep_starts, ROSEN, 1000) for n in names for lr in rates]

    swept = median_time(batched, args.repeats)
    looped = median_time(per_rate, args.repeats)
    runs = len(names) * len(rates) * len(sweep_starts)
    print(f"lr sweep, {runs} runs x 1000 steps, rates as a batch axis: {swept:6.2f} s "
          f"(target < 3 s)")
    print(f"the same, one call per learning rate:                 {looped:6.2f} s "
          f"({looped / swept:.1f}x slower)")
    bench_network(args.repeats)


def bench_network(repeats: int) -> None:
    from optim_core import network

    rates = log_rates(1e-5, 10, 25)
    jobs = [(n, {}) for n in ("sgd", "momentum", "rmsprop", "adam")]

    def sweep():
        network._TRAINED.clear()  # time the training, not the cache
        return network.train_all(jobs, rates, [0, 1, 2], network.Setup())

    took = median_time(sweep, repeats)
    print(f"network sweep, 4 optimizers x 25 rates x 3 seeds x 300 steps: {took:6.2f} s "
          f"(target <= 10 s)")


if __name__ == "__main__":
    main()
