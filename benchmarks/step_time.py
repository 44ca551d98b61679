"""Time rnn_guide's training step alone, for A/B comparisons of adapter changes.

    python -m benchmarks.step_time mxnet [--cell gru] [--passes 6] [--batch-size 1024 ...]

Compiles (or warms up) the step on nine batches of the book's settings (batch 1024, 32 steps,
32 hidden units, lr 1, clip 1), then times ``passes`` passes over the same nine batches and prints
the fastest and the median milliseconds per step, wall clock and process CPU time, and the last
loss (so two variants can be checked to compute the same thing). On a shared machine compare the
fastest pass of interleaved runs: ``for v in A B A B; do ...; done``.
"""

import argparse
import time

import numpy as np

import rnn_guide
from rnn_guide.data import TimeMachine
from rnn_guide.language_model import RNNLM
from rnn_guide.training import train_step

BATCHES = 9


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("framework")
    parser.add_argument("--passes", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--num-steps", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--cell", choices=("rnn", "gru", "lstm"), default="rnn")
    args = parser.parse_args(argv)
    for name in ("passes", "batch_size", "num_steps", "hidden"):
        value = getattr(args, name)
        if value < 1:
            parser.error(f"--{name.replace('_', '-')} must be a positive integer, received {value}")
    d2l = rnn_guide.use(args.framework)
    data = TimeMachine(batch_size=args.batch_size, num_steps=args.num_steps)
    model = RNNLM(data.vocab, args.hidden, framework=d2l, cell=args.cell)
    step, lr, clip = train_step(d2l, cell=args.cell), d2l.tensor(np.float32(1.0)), d2l.tensor(np.float32(1.0))
    batches = [(d2l.tensor(X.T), d2l.tensor(Y.T)) for X, Y in data.train_batches(np.random.default_rng(0))]
    batches = batches[:BATCHES]
    H, params = model.begin_state(args.batch_size), model.params
    for X, Y in batches:  # compile / warm up
        params, loss, _ = step(params, X, Y, H, lr, clip)
    d2l.numpy(loss)
    wall, cpu = [], []
    for _ in range(args.passes):
        start, start_cpu = time.perf_counter(), time.process_time()
        for X, Y in batches:
            params, loss, _ = step(params, X, Y, H, lr, clip)
        d2l.numpy(loss)  # wait for asynchronous frameworks
        wall.append((time.perf_counter() - start) / len(batches) * 1e3)
        cpu.append((time.process_time() - start_cpu) / len(batches) * 1e3)
    wall.sort()
    cpu.sort()
    last_loss = float(d2l.numpy(loss))
    print(
        f"{d2l.name} {args.cell}: ms per step, wall fastest {wall[0]:.1f} median {wall[len(wall) // 2]:.1f}; "
        f"CPU fastest {cpu[0]:.1f} median {cpu[len(cpu) // 2]:.1f}; last loss {last_loss:.4f}"
    )
    return last_loss


if __name__ == "__main__":
    main()
