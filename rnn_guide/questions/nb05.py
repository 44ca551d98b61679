"""Notebook 5's coded questions: the windows of a text, perplexity over a data set, generation.

Each question draws a fresh problem from the seed (sizes included). The two generation questions
build a small character model with random, large weights and make every choice of the reference
unambiguous (a clear winner for the argmax, each pre-drawn uniform far from the cumulative
probabilities it is compared with), so the student's float32 computation in any framework and
the float64 reference pick the same characters and can be compared index for index.
"""

import functools
import math

import numpy as np

from .. import checks
from ..backends import backend_of
from ..backends.tensors import tensor_framework
from ..data import Vocab
from ..language_model import RNNLM
from ..lm_math import log_softmax
from ..recurrence import RNNParams
from .core import Question, compare_close

# A choice counts as clear when the float64 reference wins by more than this: float32 logits and
# probabilities are off by about 1e-6 in any framework, a thousand times less.
MARGIN = 1e-3


# ---------------------------------------------------------------- q5_windows
def _windows_inputs(d2l, rng):
    V, num_steps = int(rng.integers(5, 29)), int(rng.integers(3, 10))
    length = int(rng.integers(3 * num_steps + 10, 120))
    corpus = rng.integers(0, V, size=length)
    starts = rng.integers(0, length - num_steps, size=int(rng.integers(2, 7)))
    starts[-1] = length - num_steps - 1  # the last window that fits: its target ends the corpus
    return corpus, num_steps, starts


def _windows_reference(d2l, corpus, num_steps, starts):
    w = np.asarray(corpus)[np.asarray(starts)[:, None] + np.arange(num_steps + 1)]
    return w[:, :-1], w[:, 1:]  # (len(starts), num_steps) each


# character ids are integers: equal when within 0.5, whatever dtype the answer has
_same_ids = functools.partial(compare_close, atol=0.5, rtol=0.0)


# ------------------------------------------------------------- q5_perplexity
def _batch_losses(logits, targets):
    """Per batch: (summed negative log-likelihood, number of predictions), in float64."""
    return [(-float(log_softmax(O)[np.arange(len(y)), y].sum()), len(y)) for O, y in zip(logits, targets)]


def _perplexity_inputs(d2l, rng):
    V, K, n = int(rng.integers(4, 13)), int(rng.integers(2, 5)), int(rng.integers(16, 41))
    sizes = [n] * (K - 1) + [int(rng.integers(3, n // 3 + 1))]  # a smaller last batch, as in the book
    while True:  # the batches must differ, so that averaging them the wrong way shows
        scales = rng.uniform(0.5, 4.0, size=K)
        logits = [rng.normal(0.0, s, size=(m, V)).astype(np.float32) for s, m in zip(scales, sizes)]
        targets = [rng.integers(0, V, size=m) for m in sizes]
        losses = _batch_losses(logits, targets)
        right = sum(s for s, _ in losses) / sum(m for _, m in losses)
        per_batch = [s / m for s, m in losses]
        wrong = (math.log(np.mean(np.exp(per_batch))), float(np.mean(per_batch)))
        if min(abs(w - right) for w in wrong) > 0.02:
            break
    return [d2l.tensor(O) for O in logits], [d2l.tensor(y) for y in targets]


def _perplexity_reference(d2l, logits, targets):
    losses = _batch_losses([d2l.numpy(O).astype(np.float64) for O in logits], [d2l.numpy(y) for y in targets])
    return math.exp(sum(s for s, _ in losses) / sum(m for _, m in losses))


# float32 log-softmax over a few hundred predictions is off by about 1e-6 relative; exp of it too
_same_perplexity = functools.partial(compare_close, atol=0.0, rtol=1e-4)


# ------------------------------------------------------- q5_greedy, q5_sample
def _draw_model(rng):
    """A small character model with random weights large enough to give clear preferences."""
    V, h = int(rng.integers(5, 13)), int(rng.integers(3, 9))
    letters = "abcdefghijklmnopqrstuvwxyz"[: V - 1]  # with '<unk>', V tokens

    def draw(sigma, *shape):
        return rng.normal(0.0, sigma, size=shape).astype(np.float32)

    W_hh = draw(1.2 / math.sqrt(h), h, h)
    params = RNNParams(draw(1.0, V, h), W_hh, draw(0.3, h), draw(1.5, h, V), draw(0.5, V))
    return Vocab(letters), params


def _step(params, i, H):
    """One step of the model in float64: the state after reading id ``i`` and the next logits."""
    W_xh, W_hh, b_h, W_hq, b_q = (np.asarray(p, np.float64) for p in params)
    H = np.tanh(W_xh[i] + H @ W_hh + b_h)
    return H @ W_hq + b_q, H


def _run(params, prefix_ids, num_chars, choose):
    """Read the prefix from the zero state, then write ``num_chars`` ids picked by ``choose(k, O)``."""
    H = np.zeros(np.shape(params.W_hh)[0])
    for i in prefix_ids:
        O, H = _step(params, i, H)
    new = []
    for k in range(num_chars):
        new.append(choose(k, O))
        O, H = _step(params, new[-1], H)
    return new


def _greedy_choice(k, O):
    top2 = np.sort(O)[-2:]
    return int(np.argmax(O)), float(top2[1] - top2[0])


def _sampled_choice(O, temperature, u):
    """The smallest index whose cumulative probability under softmax(O / temperature) exceeds u,
    and how far u is from the nearest cumulative probability."""
    cdf = np.cumsum(np.exp(log_softmax(O / temperature)))
    return int(np.searchsorted(cdf, u, side="right")), float(np.min(np.abs(cdf - u)))


def _greedy_inputs(d2l, rng):
    # redraw the model until every argmax has a clear winner, and the text does not just repeat one
    # character (so that an answer which never feeds its choice back in cannot pass)
    while True:
        vocab, params = _draw_model(rng)
        prefix = [int(i) for i in rng.integers(0, len(vocab), size=int(rng.integers(1, 6)))]
        num_chars, gaps = int(rng.integers(6, 16)), []
        ids = _run(params, prefix, num_chars, functools.partial(_noted_argmax, gaps))
        if min(gaps) > MARGIN and len(set(ids)) >= 3:
            return RNNLM(vocab, framework=d2l, params=params), prefix, num_chars


def _noted_argmax(gaps, k, O):
    """The argmax, noting in ``gaps`` by how much it wins."""
    i, gap = _greedy_choice(k, O)
    gaps.append(gap)
    return i


def _greedy_reference(d2l, model, prefix_ids, num_chars):
    params = RNNParams(*(d2l.numpy(p) for p in model.params))
    return _run(params, prefix_ids, num_chars, lambda k, O: _greedy_choice(k, O)[0])


def _sample_inputs(d2l, rng):
    vocab, params = _draw_model(rng)
    prefix = [int(i) for i in rng.integers(0, len(vocab), size=int(rng.integers(1, 6)))]
    num_chars = int(rng.integers(8, 16))
    temperature = float(rng.uniform(0.4, 0.7) if rng.random() < 0.5 else rng.uniform(1.5, 2.5))
    while True:  # until the temperature changes the text, so that ignoring it shows
        uniforms = rng.random(num_chars)
        drawn = _run(params, prefix, num_chars, functools.partial(_clear_draw, rng, temperature, uniforms))
        at_one = _run(params, prefix, num_chars, lambda k, O, u=uniforms: _sampled_choice(O, 1.0, u[k])[0])
        if drawn != at_one:
            return RNNLM(vocab, framework=d2l, params=params), prefix, num_chars, temperature, uniforms


def _clear_draw(rng, temperature, uniforms, k, O):
    """The k-th draw, with ``uniforms[k]`` drawn again while it is too close to call in float32."""
    i, distance = _sampled_choice(O, temperature, uniforms[k])
    while distance < MARGIN:
        uniforms[k] = rng.random()
        i, distance = _sampled_choice(O, temperature, uniforms[k])
    return i


def _sample_reference(d2l, model, prefix_ids, num_chars, temperature, uniforms):
    params = RNNParams(*(d2l.numpy(p) for p in model.params))
    return _run(params, prefix_ids, num_chars, lambda k, O: _sampled_choice(O, temperature, uniforms[k])[0])


def _same_sequence(label, received, expected, d2l):
    """The generated ids, compared position by position; the message says where they first differ."""
    try:
        framework = tensor_framework(received)
        ids = backend_of(received).numpy(received) if framework else np.asarray(received)
    except Exception:  # a list of tensors, of strings, ...: not one sequence of numbers
        ids = np.asarray(None)
    if ids.dtype.kind not in "iuf" or ids.ndim != 1:
        raise checks.CheckFailed(
            f"{label} should return the {len(expected)} new character ids as a list of ints; "
            f"got {checks.describe(received)}"
        )
    if len(ids) != len(expected):
        raise checks.CheckFailed(f"{label} returned {len(ids)} ids; expected {len(expected)} (num_chars)")
    wrong = np.flatnonzero(ids != np.asarray(expected))
    if wrong.size:
        raise checks.CheckFailed(
            f"{label} differs from the expected text at {wrong.size} of {len(expected)} positions, "
            f"first at position {int(wrong[0])}"
        )


GENERATION = ("rnn_guide.RNNLM.predict", "rnn_guide.generation.predict")

QUESTIONS = (
    Question(
        name="q5_windows",
        answer="windows_mine",
        inputs=_windows_inputs,
        reference=_windows_reference,
        compare=_same_ids,
        difficulty="easy",
        minutes=10,
    ),
    Question(
        name="q5_perplexity",
        answer="perplexity_mine",
        inputs=_perplexity_inputs,
        reference=_perplexity_reference,
        refuse=("rnn_guide.lm_math.cross_entropy", "rnn_guide.lm_math.perplexity"),
        compare=_same_perplexity,
        difficulty="medium",
        minutes=15,
    ),
    Question(
        name="q5_greedy",
        answer="greedy_mine",
        inputs=_greedy_inputs,
        reference=_greedy_reference,
        refuse=GENERATION,
        compare=_same_sequence,
        difficulty="easy",
        minutes=10,
    ),
    Question(
        name="q5_sample",
        answer="sample_mine",
        inputs=_sample_inputs,
        reference=_sample_reference,
        refuse=GENERATION,
        compare=_same_sequence,
        difficulty="medium",
        minutes=15,
    ),
)
