"""What unrolling JAX's loop over time costs in compilation and buys per step, for each cell.

    python -m benchmarks.compile_time [--cells rnn,gru,lstm] [--unrolls 1,2,4,8,32] [--repeats 3]

Every cell's loop over time is ``d2l.scan`` (``rnn_guide.cell.run_cell``), which the JAX backend
runs as ``jax.lax.scan(..., unroll=cell.unroll)`` inside a step compiled by ``d2l.jit``: the program
holds ``unroll`` copies of the step and loops over the time steps in blocks of that many. More
copies give XLA more to fuse across steps and cost more compilation. For each cell and unroll factor
this script compiles the complete training step (loss, gradients, clipping, update, at the book's
sizes) through the library's own ``lm_forward``, and prints the compile time (median of fresh
compilations) and the steady step time, so each Cell record's ``unroll`` is chosen with numbers.
"""

import argparse
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np

import rnn_guide
from rnn_guide import _cells
from rnn_guide.lm_math import cross_entropy, lm_forward
from rnn_guide.training import sgd_update


def make_step(d2l):
    def loss(params, X, Y, H):
        O, H = lm_forward(d2l, params, X, H)
        return cross_entropy(d2l, O, Y), H

    grad = jax.value_and_grad(loss, has_aux=True)

    def step(params, X, Y, H, lr, clip):
        (value, H), grads = grad(params, X, Y, H)
        return sgd_update(d2l, params, grads, lr, clip), value, H

    return step


def measure(d2l, cell, unroll, args):
    """(median compile seconds, median step seconds, loss after the timed steps) for one variant."""
    data = rnn_guide.TimeMachine(batch_size=args.batch_size, num_steps=args.num_steps)
    model = rnn_guide.RNNLM(data.vocab, args.hidden, d2l, cell=cell)
    X, Y = next(data.train_batches(np.random.default_rng(0)))
    inputs = (model.params, jnp.asarray(X.T), jnp.asarray(Y.T), model.begin_state(X.shape[0]))
    lr, clip = jnp.float32(1.0), jnp.float32(1.0)
    # the registry's record, with this unroll, for the duration (lm_forward finds the record there)
    saved = _cells.CELLS[cell]
    _cells.CELLS[cell] = saved._replace(unroll=unroll)
    try:
        compile_times = []
        for _ in range(args.repeats):  # a new jit object each time: nothing cached in memory
            start = time.perf_counter()
            compiled = d2l.jit(make_step(d2l)).lower(*inputs, lr, clip).compile()  # as training does
            compile_times.append(time.perf_counter() - start)
    finally:
        _cells.CELLS[cell] = saved
    params, step_times = inputs[0], []
    for _ in range(args.steps):
        start = time.perf_counter()
        params, value, _ = compiled(params, *inputs[1:], lr, clip)
        value.block_until_ready()
        step_times.append(time.perf_counter() - start)
    return statistics.median(compile_times), statistics.median(step_times[2:]), float(value)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", default="rnn,gru,lstm", help="comma-separated cells")
    parser.add_argument("--unrolls", default="1,2,4,8,32", help="comma-separated unroll factors")
    parser.add_argument("--num-steps", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3, help="fresh compilations per variant")
    parser.add_argument("--steps", type=int, default=30, help="timed training steps per variant")
    args = parser.parse_args(argv)
    d2l = rnn_guide.use("jax")
    print("the records' own: " + ", ".join(f"{name} {c.unroll}" for name, c in _cells.CELLS.items()))
    for cell in args.cells.split(","):
        for unroll in (int(u) for u in args.unrolls.split(",")):
            compile_s, step_s, last = measure(d2l, cell, unroll, args)
            print(
                f"{cell:>4} unroll {unroll:>2}: compile {compile_s:.2f} s, step {step_s * 1e3:.1f} ms, "
                f"loss after {last:.4f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
