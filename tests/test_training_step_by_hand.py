"""Notebook 5's training step, written out by hand, is the step ``rnn_guide.train`` takes.

The notebook computes the loss of one minibatch from the logits (log-softmax, the targets'
log-probabilities picked by a one-hot mask, their negative mean), its gradient with
``d2l.value_and_grad``, clipping by global norm ``g <- g * min(1, theta / ||g||)`` and the update
``p <- p - lr * g``; then it runs ``train`` for one step on the same batch from the same parameters.
The same code is written here and compared in every framework, with a threshold that leaves the
gradient alone and one that clips it, with the compiled step and the eager one.
"""

import math

import numpy as np
import pytest

import rnn_guide
from rnn_guide.lm_math import cross_entropy, lm_forward

TOL = 1e-5


@pytest.fixture(scope="module")
def one_batch():
    """Data whose training split is one batch, so one epoch of ``train`` is one step on it."""
    return rnn_guide.TimeMachine(batch_size=64, num_steps=8, num_train=64, num_val=0)


def loss_by_hand(d2l, params, X, Y, H):
    """Mean cross-entropy of time-major X (T, b) and flattened targets Y (T * b,): the notebook's."""
    V = d2l.shape(params.W_hq)[1]
    O, H_T = lm_forward(d2l, params, X, H)  # (T * b, V)
    picked = d2l.reduce_sum(d2l.log_softmax(O) * d2l.one_hot(Y, V), axis=1)  # (T * b,)
    return -d2l.reduce_sum(picked) / d2l.shape(picked)[0], H_T


def step_by_hand(d2l, params, X_batch, Y_batch, H, lr, theta):
    """One SGD step with clipping by global norm, as notebook 5 writes it: (loss, params, scale)."""
    X, Y = d2l.tensor(X_batch.T), d2l.reshape(d2l.tensor(Y_batch.T), (Y_batch.size,))
    loss, _, grads = d2l.value_and_grad(lambda p, X, Y, H: loss_by_hand(d2l, p, X, Y, H))(params, X, Y, H)
    grad_norm = float(d2l.numpy(sum(d2l.reduce_sum(g * g) for g in grads))) ** 0.5
    scale = min(1.0, theta / grad_norm)
    new = rnn_guide.RNNParams(*(p - lr * (g * scale) for p, g in zip(params, grads)))
    return float(d2l.numpy(loss)), new, scale


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "eager"])
@pytest.mark.parametrize(
    ("lr", "theta", "clipped"),
    [(1.0, 1.0, False), (0.5, 0.1, True)],
    ids=["book-settings", "clipped"],
)
def test_step_by_hand_is_trains_step(framework, one_batch, lr, theta, clipped, compiled):
    d2l = rnn_guide.get_backend(framework)
    model = rnn_guide.RNNLM(one_batch.vocab, num_hiddens=16, framework=d2l, seed=3, sigma=0.1)
    X_batch, Y_batch = next(one_batch.train_batches())  # the batch train(seed=0) sees first
    start = model.params
    loss, params, scale = step_by_hand(d2l, start, X_batch, Y_batch, model.begin_state(64), lr, theta)
    assert (scale < 1.0) == clipped, f"the clipping threshold {theta} gave the scale {scale}"

    history = rnn_guide.train(
        model,
        one_batch,
        epochs=1,
        lr=lr,
        clip=theta,
        seed=0,
        validate=False,
        progress=False,
        compiled=compiled,
    )
    assert history.batches == [1]
    assert abs(math.log(history.train_perplexity[0]) - loss) < TOL
    for name, mine, trained, before in zip(rnn_guide.RNNParams._fields, params, model.params, start):
        mine, trained, before = (d2l.numpy(p) for p in (mine, trained, before))
        assert np.abs(trained - before).max() > 10 * TOL, f"{name} did not move in the step"
        gap = np.abs(mine - trained).max()
        assert gap < TOL, f"{name} after the step differs from train's by {gap:.3g}"


def test_loss_by_hand_is_the_library_cross_entropy(backend, one_batch):
    """The notebook's loss (and the question's, on some rows) is lm_math.cross_entropy."""
    model = rnn_guide.RNNLM(one_batch.vocab, num_hiddens=16, framework=backend, seed=3, sigma=0.5)
    X_batch, Y_batch = next(one_batch.train_batches())
    X, Y = backend.tensor(X_batch.T), backend.tensor(Y_batch.T)
    H = model.begin_state(X_batch.shape[0])
    mine, _ = loss_by_hand(backend, model.params, X, backend.reshape(Y, (Y_batch.size,)), H)
    O, _ = lm_forward(backend, model.params, X, H)
    library = cross_entropy(backend, O, Y)
    assert abs(float(backend.numpy(mine)) - float(backend.numpy(library))) < TOL
    assert abs(float(backend.numpy(mine)) - model.loss(X_batch, Y_batch)) < TOL
