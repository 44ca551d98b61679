"""How far back a cell remembers (notebook 8): ``||dH_T/dH_t||`` for any cell, and a recall task.

:func:`state_gradient_norms` measures, for a plain RNN, a GRU or an LSTM alike, how much of a
change in the state ``H_t`` still reaches ``H_T`` after ``T - t`` steps: the quantity whose decay
makes the plain RNN's gradients vanish. :func:`train_recall` trains a cell on a task that needs a
long memory: a sequence of blanks holds one letter somewhere, and after the last step the model
must name it. Both use the language model's own forward pass (:mod:`rnn_guide.lm_math`), so the
cells are the ones trained on *The Time Machine*, and both need a framework's autograd.
"""

import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from . import _validation as check
from ._cells import cell_of, get_cell, hidden_of, zero_state
from .backends import get_backend
from .cell import add_to_hidden, perturbed, run_cell, sequence_terms
from .data import Vocab
from .errors import RNNGuideError
from .gradients import spectral_norm
from .language_model import RNNLM
from .lm_math import cross_entropy, lm_forward
from .training import check_step_losses, sgd_update


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
        text: a non-empty ``str``. It is read as it is, without the book's preprocessing;
            characters not in the vocabulary are read as ``<unk>``, with a warning that names them.

    Returns:
        NumPy array (T + 1,): ``norms[k]`` is the spectral norm (largest singular value) of
        ``dH_T/dH_{T-k}``; ``norms[0] = 1``. float32, so values below about 1e-38 are 0.
    """
    if not isinstance(model, RNNLM):
        raise RNNGuideError(
            f"state_gradient_norms: model must be a rnn_guide.RNNLM, received {type(model).__name__}"
        )
    d2l, cell, h = model.d2l, get_cell(model.cell, "state_gradient_norms"), model.num_hiddens
    if d2l.name == "numpy":
        raise RNNGuideError(
            "state_gradient_norms: needs a framework's autograd (pytorch, tensorflow, jax or mxnet), "
            "received a NumPy model; for the plain RNN, gradients.window_gradient_norms works on NumPy"
        )
    if not isinstance(text, str) or not text:
        raise RNNGuideError(f"state_gradient_norms: text must be a non-empty str, received {text!r:.40}")
    unknown = model.vocab.unknown_chars(text)
    if unknown:
        warnings.warn(
            f"state_gradient_norms: text characters {unknown} are not in the vocabulary; read as '<unk>'",
            stacklevel=2,
        )
    ids = np.asarray(model.vocab.encode(text))
    X = d2l.one_hot(d2l.tensor(np.repeat(ids[:, None], h, axis=1)), len(model.vocab))  # (T, h, V)
    eye = d2l.tensor(np.eye(h, dtype=np.float32))

    def score(leaves, X):  # leaves[t]: a zero added to H_t, (h, h) each
        state = add_to_hidden(zero_state(d2l, cell, h, h), leaves[0])
        inputs = (*sequence_terms(d2l, cell, model.params, X), d2l.stack(leaves[1:], 0))
        _, state = run_cell(d2l, perturbed(cell), model.params, inputs, state)
        return d2l.reduce_sum(hidden_of(state) * eye), None  # copy i scores H_T[i]

    zeros = tuple(d2l.zeros((h, h)) for _ in range(len(ids) + 1))
    _, _, grads = d2l.value_and_grad(score)(zeros, X)
    J = [d2l.numpy(g).astype(np.float64) for g in grads]  # J[t] = dH_T/dH_t
    T = len(ids)
    return np.array([spectral_norm(J[T - k]) for k in range(T + 1)])


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

    cell: str  #: the cell trained, ``'rnn'``, ``'gru'`` or ``'lstm'``
    model: object  #: the trained RNNLM, on ``recall_vocab()``
    num_steps: int  #: the length of each sequence; distances run from 0 to num_steps - 1
    losses: list  #: the training loss of every update
    distance: np.ndarray  #: the distance of each test sequence, shape (test_size,)
    correct: np.ndarray  #: whether the model named each test sequence's letter, shape (test_size,)
    seconds: float  #: training time in seconds
    settings: dict = field(default_factory=dict)  #: its training settings (steps, batch_size, lr, ...)

    @property
    def accuracy(self):
        """The share of test sequences whose letter the model names; guessing gets 1/4."""
        return float(np.mean(self.correct))

    def accuracy_by_distance(self, edges):
        """Accuracy of the test sequences whose distance is in ``[edges[i], edges[i + 1])``, per i.

        Args:
            edges: at least two strictly increasing integers, e.g. ``[0, 5, 10, 20, 40]``.

        Returns:
            A list of ``len(edges) - 1`` floats in [0, 1].

        Raises:
            RNNGuideError: the edges do not increase strictly, or an interval holds no test
                sequence (its accuracy would be 0 / 0); the distances run from 0 to ``num_steps - 1``.
        """
        where = "accuracy_by_distance"
        edges = check.int_sequence(edges, "edges", where)
        if len(edges) < 2:
            raise RNNGuideError(f"{where}: edges must hold at least two integers, received {edges}")
        for low, high in zip(edges, edges[1:]):
            if low >= high:
                raise RNNGuideError(
                    f"{where}: edges must increase strictly, received {edges} ({high} follows {low})"
                )
        accuracies = []
        for low, high in zip(edges, edges[1:]):
            inside = (self.distance >= low) & (self.distance < high)
            if not inside.any():
                raise RNNGuideError(
                    f"{where}: no test sequence has a distance in [{low}, {high}), so its accuracy is "
                    f"undefined; the distances run from 0 to {self.num_steps - 1}"
                )
            accuracies.append(float(np.mean(self.correct[inside])))
        return accuracies


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

    Raises:
        TrainingDivergedError: a step's loss became NaN, infinite or too large for its perplexity
            to be a float (as in :func:`~rnn_guide.training.train`); the message names the first
            such step and ``lr``, and ``.history`` holds the losses of the steps before it.
    """
    d2l = get_backend(d2l)
    cell = get_cell(cell, "train_recall").name
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
    check_step_losses(losses, "train_recall", f"{cell} cell", lr, clip, 4)
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
    return d2l.matmul(hidden_of(state), params.W_hq) + params.b_q


def _recall_step(d2l):
    grad_fn = d2l.value_and_grad(lambda p, X, Y: (cross_entropy(d2l, _last_logits(d2l, p, X), Y), None))

    def step(params, X, Y, lr, clip):
        loss, _, grads = grad_fn(params, X, Y)
        return sgd_update(d2l, params, grads, lr, clip), loss

    return step
