"""A compiled step is built once per backend and reused across train() calls, models and learning rates."""

import numpy as np
import pytest

import rnn_guide
from rnn_guide.data import TimeMachine
from rnn_guide.language_model import RNNLM
from rnn_guide.training import batch_tensors, gradient_fn, train, train_step

# How each compiling framework counts what it compiled; PyTorch and MXNet run the step eagerly.
COMPILATIONS = {
    "jax": lambda fn: fn._cache_size(),  # one entry per compiled input signature
    "tensorflow": lambda fn: fn.experimental_get_tracing_count(),  # one per trace
}


def test_second_train_call_compiles_nothing(framework, fresh_backends):
    d2l = rnn_guide.get_backend(framework)  # a new backend object: nothing compiled by other tests
    data = TimeMachine(batch_size=64, num_steps=8, num_train=200, num_val=100)  # batches of 64 and 8
    train(RNNLM(data.vocab, 8, d2l, seed=0), data, epochs=1, progress=False)
    step, evaluate = train_step(d2l), d2l.compiled("eval_step:rnn", None)  # built by the first call
    count = COMPILATIONS.get(framework, lambda fn: 0)
    before = count(step), count(evaluate)
    if framework in COMPILATIONS:  # smaller last batches are padded: one shape to compile for each
        assert before == (1, 1)
    # another model, another learning rate and clipping threshold, more epochs: the same shapes
    train(RNNLM(data.vocab, 8, d2l, seed=1), data, epochs=3, lr=0.5, clip=2.0, progress=False)
    train(RNNLM(data.vocab, 8, d2l, seed=2), data, epochs=1, lr=2.0, clip=None, progress=False)
    assert train_step(d2l) is step and d2l.compiled("eval_step:rnn", None) is evaluate
    assert (count(step), count(evaluate)) == before


def test_a_padded_batch_has_the_loss_and_gradient_of_the_batch_itself(framework):
    backend = rnn_guide.get_backend(framework)  # NumPy never pads: its hand-written BPTT has no weights
    rng = np.random.default_rng(0)
    X, Y = rng.integers(0, 28, size=(2, 5, 7))  # 5 rows of 7 steps
    model = RNNLM(rnn_guide.Vocab("abcdefghijklmnopqrstuvwxyz "), 6, backend, sigma=0.3)
    grad = gradient_fn(backend)
    loss, _, grads = grad(model.params, *batch_tensors(backend, X, Y)[:2], model.begin_state(5))
    Xp, Yp, weights = batch_tensors(backend, X, Y, rows=8)
    assert backend.shape(Xp) == (7, 8) and float(backend.numpy(weights).sum()) == 5 * 7
    padded_loss, _, padded = grad(model.params, Xp, Yp, model.begin_state(8), weights)
    np.testing.assert_allclose(backend.numpy(padded_loss), backend.numpy(loss), rtol=1e-6)
    for a, b in zip(padded, grads):
        np.testing.assert_allclose(backend.numpy(a), backend.numpy(b), rtol=1e-5, atol=1e-8)


def test_perplexity_pads_a_smaller_last_batch_to_one_shape(framework, fresh_backends):
    """model.perplexity compiles one step for batches of 64 and 36 rows, and padding changes nothing."""
    d2l = rnn_guide.get_backend(framework)
    data = TimeMachine(batch_size=64, num_steps=8, num_train=200, num_val=100)  # val: 64 + 36 rows
    got = RNNLM(data.vocab, 8, d2l, seed=0).perplexity(data.val_batches())
    want = RNNLM(data.vocab, 8, "numpy", seed=0).perplexity(data.val_batches())
    assert got == pytest.approx(want, rel=1e-5)
    if framework in COMPILATIONS:
        assert COMPILATIONS[framework](d2l.compiled("eval_step:rnn", None)) == 1
    else:
        assert not d2l.compiles  # eager: nothing to pad for
