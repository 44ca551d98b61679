"""How far back a cell remembers (notebook 8): ``||dH_T/dH_t||`` for any cell, and a recall task.

:func:`state_gradient_norms` measures, for a plain RNN, a GRU or an LSTM alike, how much of a
change in the state ``H_t`` still reaches ``H_T`` after ``T - t`` steps: the quantity whose decay
makes the plain RNN's gradients vanish. :func:`train_recall` trains a cell on a task that needs a
long memory: a sequence of blanks holds one letter somewhere, and after the last step the model
must name it. Both use the language model's own forward pass (:mod:`rnn_guide.lm_math`), so the
cells are the ones trained on *The Time Machine*, and both need a framework's autograd.
"""

import time
from dataclasses import dataclass, field

import numpy as np

from . import validation as check
from .backends import get_backend
from .data import Vocab
from .errors import RNNGuideError
from .gated import gru_step, lstm_step
from .gradients import spectral_norm
from .language_model import RNNLM
from .lm_math import cell_of, check_cell, cross_entropy, lm_forward, zero_state
from .recurrence import rnn_step
from .training import sgd_update


# --------------------------------------------------- the gradient against distance
def state_gradient_norms(model, text):
    """``||dH_T/dH_t||`` against the distance ``k = T - t`` while ``model`` reads ``text``.

    The model starts from the zero state and reads the characters of ``text`` (T = ``len(text)``)
    with its own cell. Autograd computes every ``dH_T/dH_t`` at once: the batch holds
    ``num_hiddens`` copies of the text, copy ``i`` is scored by ``H_T[i]``, and a zero added to
    each state ``H_t`` receives row ``i`` of ``dH_T/dH_t``. For the LSTM, ``H_t`` is perturbed and
    ``C_t`` is not; the change still reaches ``H_T`` through the memory cells of later steps.

    Args:
        model: an :class:`~rnn_guide.language_model.RNNLM` of any cell, on a framework (not NumPy).
        text: a non-empty ``str``.

    Returns:
        NumPy array (T + 1,): ``norms[k]`` is the spectral norm (largest singular value) of
        ``dH_T/dH_{T-k}``; ``norms[0] = 1``. float32, so values below about 1e-38 are 0.
    """
    d2l, cell, h = model.d2l, model.cell, model.num_hiddens
    if d2l.name == "numpy":
        raise RNNGuideError(
            "state_gradient_norms: needs a framework's autograd (pytorch, tensorflow, jax or mxnet), "
            "received a NumPy model; for the plain RNN, gradients.window_gradient_norms works on NumPy"
        )
    if not isinstance(text, str) or not text:
        raise RNNGuideError(f"state_gradient_norms: text must be a non-empty str, received {text!r:.40}")
    ids = np.asarray(model.vocab.encode(text))
    X = d2l.one_hot(d2l.tensor(np.repeat(ids[:, None], h, axis=1)), len(model.vocab))  # (T, h, V)
    eye = d2l.tensor(np.eye(h, dtype=np.float32))

    def score(leaves, X):  # leaves[t]: a zero added to H_t, (h, h) each
        state = _add_to_h(zero_state(d2l, cell, h, h), leaves[0])
        for t in range(len(ids)):
            state = _add_to_h(_step(d2l, model.params, cell, X[t], state), leaves[t + 1])
        return d2l.reduce_sum(_h(state) * eye), None  # copy i scores H_T[i]

    zeros = tuple(d2l.zeros((h, h)) for _ in range(len(ids) + 1))
    _, _, grads = d2l.value_and_grad(score)(zeros, X)
    J = [d2l.numpy(g).astype(np.float64) for g in grads]  # J[t] = dH_T/dH_t
    T = len(ids)
    return np.array([spectral_norm(J[T - k]) for k in range(T + 1)])


def _step(d2l, params, cell, X_t, state):
    """One step of ``cell`` on one-hot inputs X_t: the guide's own step functions."""
    if cell == "gru":
        return gru_step(X_t, state, params, backend=d2l)
    if cell == "lstm":
        return lstm_step(X_t, state, params, backend=d2l)
    return rnn_step(X_t, state, params.W_xh, params.W_hh, params.b_h, backend=d2l)


def _h(state):
    return state[0] if isinstance(state, tuple) else state


def _add_to_h(state, leaf):
    """The state with ``leaf`` added to H (the LSTM's C unchanged)."""
    return (state[0] + leaf, state[1]) if isinstance(state, tuple) else state + leaf


# ------------------------------------------------------------------ the recall task
RECALL_SYMBOLS = "abcd"  # the letters to remember
BLANK = "."


def recall_vocab():
    """The recall task's vocabulary: ``'.'`` (blank), ``'<unk>'`` and the letters ``a`` to ``d``."""
    return Vocab(RECALL_SYMBOLS + BLANK)


def recall_batch(rng, batch_size, num_steps, vocab=None):
    """One batch of the recall task.

    Each sequence is ``num_steps`` blanks with one letter at a random position; the target is
    that letter, to be named after the last step. The distance is how many steps the letter
    must be kept: ``num_steps - 1 - position`` (0 when it is the last input).

    Returns:
        ``(X, Y, distance)``: int64 NumPy arrays of shapes (num_steps, batch_size) (time-major,
        as the model takes them), (1, batch_size) and (batch_size,).
    """
    vocab = vocab or recall_vocab()
    letters = np.asarray(vocab.encode(RECALL_SYMBOLS))
    target = letters[rng.integers(0, len(letters), batch_size)]
    position = rng.integers(0, num_steps, batch_size)
    X = np.full((num_steps, batch_size), vocab[BLANK], dtype=np.int64)
    X[position, np.arange(batch_size)] = target
    return X, target[None, :].astype(np.int64), num_steps - 1 - position


@dataclass
class RecallRun:
    """One cell trained on the recall task by :func:`train_recall`."""

    cell: str
    model: object  # the trained RNNLM (on recall_vocab())
    num_steps: int
    losses: list  # training loss of every step
    distance: np.ndarray  # (test_size,): the distance of each test sequence
    correct: np.ndarray  # (test_size,): whether the model named its letter
    seconds: float  # training time
    settings: dict = field(default_factory=dict)

    @property
    def accuracy(self):
        """The share of test sequences whose letter the model names; guessing gets 1/4."""
        return float(np.mean(self.correct))

    def accuracy_by_distance(self, edges):
        """Accuracy of the test sequences whose distance is in ``[edges[i], edges[i + 1])``, per i."""
        bins = np.digitize(self.distance, edges) - 1
        return [float(np.mean(self.correct[bins == i])) for i in range(len(edges) - 1)]


def train_recall(
    d2l,
    cell,
    num_steps=40,
    steps=1000,
    batch_size=128,
    lr=4.0,
    clip=1.0,
    num_hiddens=32,
    sigma=0.2,
    seed=0,
):
    """Train a cell on the recall task with SGD and clipping; test it on 2,048 new sequences.

    The model is an :class:`~rnn_guide.language_model.RNNLM` on :func:`recall_vocab`, read out
    after the last step only: loss and prediction are ``H_T W_hq + b_q``. The weights start with
    standard deviation ``sigma``, larger than the language model's 0.01: at 0.01 a GRU's state
    halves at every step, and nothing 40 steps back is learned in a few hundred steps. The
    defaults (40 steps, 1,000 updates of 128 sequences, lr 4, ``sigma`` 0.2) teach the GRU and
    the LSTM the task in a few seconds; for the plain RNN, ``W_hh`` then has a spectral radius near
    1.1. A cell learns the task suddenly, after some hundreds of updates, and when depends on the
    seed and on float32 rounding, so the defaults leave a margin: with them the GRU and the LSTM
    learned it for every seed from 0 to 5 in PyTorch and in JAX (``scripts/recall_seeds.py``),
    where 600 updates of 256 sequences at lr 4 failed the GRU for two seeds of four.
    Batches come from NumPy's generator seeded with ``seed``, so every framework sees the same ones.

    Returns:
        A :class:`RecallRun`.
    """
    d2l = get_backend(d2l)
    cell = check_cell(cell, "train_recall")
    for value, label in ((num_steps, "num_steps"), (steps, "steps"), (batch_size, "batch_size")):
        check.positive_int(value, label, "train_recall")
    check.positive_int(num_hiddens, "num_hiddens", "train_recall")
    check.positive_number(lr, "lr", "train_recall", "a learning rate such as 4")
    clip = check.clip_threshold(clip, "clip", "train_recall")
    seed = check.seed(seed, "train_recall")
    if d2l.name == "numpy":
        raise RNNGuideError(
            "train_recall: needs a framework's autograd (pytorch, tensorflow, jax or mxnet), received numpy"
        )
    vocab = recall_vocab()
    model = RNNLM(vocab, num_hiddens, d2l, seed=seed, sigma=sigma, cell=cell)
    step = d2l.compiled(f"recall_step:{cell}", lambda: _recall_step(d2l))
    lr_t, clip_t = (d2l.tensor(np.float32(v)) for v in (lr, clip))  # tensors: one compilation for all
    rng, losses = np.random.default_rng(seed), []
    start = time.perf_counter()
    for _ in range(steps):
        X, Y, _ = recall_batch(rng, batch_size, num_steps, vocab)
        model.params, loss = step(model.params, d2l.tensor(X), d2l.tensor(Y), lr_t, clip_t)
        losses.append(loss)
    losses = [float(d2l.numpy(loss)) for loss in losses]  # read once, at the end
    seconds = time.perf_counter() - start
    X, Y, distance = recall_batch(np.random.default_rng(seed + 1), 2048, num_steps, vocab)
    logits = _last_logits(d2l, model.params, d2l.tensor(X))
    correct = d2l.numpy(d2l.argmax(logits, axis=-1)) == Y[0]
    settings = {
        "steps": steps,
        "batch_size": batch_size,
        "lr": lr,
        "clip": clip,
        "sigma": sigma,
        "seed": seed,
    }
    return RecallRun(cell, model, num_steps, losses, distance, correct, seconds, settings)


def _last_logits(d2l, params, X):
    """``H_T W_hq + b_q``: the scores after the last step, (batch_size, vocab_size)."""
    n = d2l.shape(X)[1]
    _, state = lm_forward(d2l, params, X, zero_state(d2l, cell_of(params), n, d2l.shape(params.W_hq)[0]))
    return d2l.matmul(_h(state), params.W_hq) + params.b_q


def _recall_step(d2l):
    grad_fn = d2l.value_and_grad(lambda p, X, Y: (cross_entropy(d2l, _last_logits(d2l, p, X), Y), None))

    def step(params, X, Y, lr, clip):
        loss, _, grads = grad_fn(params, X, Y)
        return sgd_update(d2l, params, grads, lr, clip), loss

    return step
