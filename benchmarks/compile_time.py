"""What the unrolled loop over time costs JAX to compile, against a ``lax.scan`` of the same step.

    python -m benchmarks.compile_time [--num-steps 32] [--repeats 3]

``rnn_guide.lm_math.lm_forward`` is a plain Python loop over the time steps; under ``jax.jit``
it is unrolled, so the compiled program holds ``num_steps`` copies of the step. The variant
here runs the same step through ``jax.lax.scan`` (what JAX's own RNN code does), which keeps
one copy. Both are complete training steps (loss, gradients, clipping, update) at the book's
sizes; the script prints the compile time of each (median of fresh compilations) and the
steady step time, so the choice between them is made with numbers (benchmarks/README.md).
"""

import argparse
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np

import rnn_guide
from rnn_guide.lm_math import cross_entropy, lm_forward
from rnn_guide.training import sgd_update


def scan_forward(d2l, params, X, H):
    """``lm_forward`` with the loop over time as ``jax.lax.scan``."""
    W_xh, W_hh, b_h, W_hq, b_q = params

    def step(H, X_t):
        H = jnp.tanh(W_xh[X_t] + H @ W_hh + b_h)
        return H, H

    H, states = jax.lax.scan(step, H, X)  # states: (num_steps, batch_size, num_hiddens)
    return jnp.reshape(states, (-1, states.shape[-1])) @ W_hq + b_q, H


def make_step(d2l, forward):
    def loss(params, X, Y, H):
        O, H = forward(d2l, params, X, H)
        return cross_entropy(d2l, O, Y), H

    grad = jax.value_and_grad(loss, has_aux=True)

    def step(params, X, Y, H, lr, clip):
        (value, H), grads = grad(params, X, Y, H)
        return sgd_update(d2l, params, grads, lr, clip), value, H

    return step


def measure(d2l, forward, args):
    data = rnn_guide.TimeMachine(batch_size=args.batch_size, num_steps=args.num_steps)
    model = rnn_guide.RNNLM(data.vocab, args.hidden, d2l)
    X, Y = next(data.train_batches(np.random.default_rng(0)))
    inputs = (model.params, jnp.asarray(X.T), jnp.asarray(Y.T), model.begin_state(X.shape[0]))
    lr, clip = jnp.float32(1.0), jnp.float32(1.0)
    compile_times = []
    for _ in range(args.repeats):  # a new jit object each time: nothing cached in memory
        start = time.perf_counter()
        compiled = jax.jit(make_step(d2l, forward)).lower(*inputs, lr, clip).compile()
        compile_times.append(time.perf_counter() - start)
    params, step_times = inputs[0], []
    for _ in range(args.steps):
        start = time.perf_counter()
        params, value, _ = compiled(params, *inputs[1:], lr, clip)
        value.block_until_ready()
        step_times.append(time.perf_counter() - start)
    return statistics.median(compile_times), statistics.median(step_times[2:]), float(value)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--num-steps", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3, help="fresh compilations per variant")
    parser.add_argument("--steps", type=int, default=30, help="timed training steps per variant")
    args = parser.parse_args(argv)
    d2l = rnn_guide.use("jax")
    for label, forward in (("unrolled (lm_forward)", lm_forward), ("lax.scan", scan_forward)):
        compile_s, step_s, last = measure(d2l, forward, args)
        print(f"{label:>22}: compile {compile_s:.2f} s, step {step_s * 1e3:.1f} ms, loss after {last:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
