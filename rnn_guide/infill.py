"""A task for a bidirectional network (notebook 9, d2l 10.4): fill in a hidden character.

A language model predicts the next character from the ones before it: only the left side is
known. Filling in a gap is another task: in a window of ``num_steps`` characters of *The Time
Machine* the middle one is hidden (shown as ``<unk>``, a token the preprocessed text never holds)
and both sides are known. ``"the time trav<unk>ller"`` asks for the ``e``.

The model reads the window with a stack of one cell (:func:`rnn_guide.stacked.run_stack`) and
scores the hidden character from the top layer's state at the middle step ``m``::

    O = H_m W_hq + b_q          H_m: (batch_size, num_directions * num_hiddens)

Read forward only, ``H_m`` has seen the characters left of the gap. Read both ways, it is
``[->H_m | <-H_m]``, and the backward half has read the characters right of the gap: the part of
the window a left-to-right model cannot use. :func:`train_infill` trains one such model and tests
it on windows from the end of the book, which training never reads.
"""

import time
from dataclasses import dataclass, field

import numpy as np

from . import _validation as check
from . import limits
from ._cells import cell_of, get_cell
from .backends import get_backend
from .data import TimeMachine
from .errors import RNNGuideError
from .lm_math import cross_entropy
from .stacked import flatten_stack, init_stacked_params, run_stack, unflatten_stack
from .training import check_step_losses, sgd_update

TEST_CHARS = 20_000  #: the last characters of the book, kept for test windows only
TEST_SIZE = 2_048  #: test windows per run
MAX_STEPS = 100_000  #: training steps at most (the defaults take a few hundred)


def infill_batch(corpus, rng, batch_size, num_steps, mask, test=False):
    """Windows of ``corpus`` with the middle character hidden.

    Args:
        corpus: the book as token ids, a 1-d int array (``TimeMachine().corpus``), longer than
            :data:`TEST_CHARS` plus a window.
        rng: a NumPy generator; the windows' starts are drawn from it.
        batch_size: windows per batch.
        num_steps: characters per window, odd, so that the gap has ``num_steps // 2`` on each side.
        mask: the id shown in place of the hidden character (``vocab.unk``).
        test: False for windows inside the training part of the book, True for the last
            :data:`TEST_CHARS` characters.

    Returns:
        ``(X, Y)``: int64 arrays of shapes (num_steps, batch_size), time-major as the model reads
        them, and (batch_size,), the hidden characters.
    """
    where = "infill_batch"
    rng = check.generator(rng, "rng", where)
    batch_size = limits.check_batch_size(check.positive_int(batch_size, "batch_size", where), where)
    num_steps = _window(num_steps, where)
    mask = check.non_negative_int(mask, "mask", where)
    test = check.boolean(test, "test", where)
    corpus = np.asarray(corpus)
    if corpus.ndim != 1 or corpus.dtype.kind not in "iu" or len(corpus) < TEST_CHARS + 2 * num_steps:
        raise RNNGuideError(
            f"{where}: corpus must be a 1-d array of token ids longer than {TEST_CHARS + 2 * num_steps:,} "
            f"(TimeMachine().corpus), received {corpus.dtype} of shape {corpus.shape}"
        )
    low, high = (len(corpus) - TEST_CHARS, len(corpus)) if test else (0, len(corpus) - TEST_CHARS)
    starts = rng.integers(low, high - num_steps + 1, batch_size)
    X = np.asarray(corpus)[starts[None, :] + np.arange(num_steps)[:, None]].astype(np.int64)
    m = num_steps // 2
    Y = X[m].copy()
    X[m] = mask
    return X, Y


def infill_logits(d2l, params, X):
    """Scores of the hidden character, (batch_size, vocab_size), from ``X`` (num_steps, batch_size).

    ``params`` is ``(stack, W_hq, b_q)``: the :class:`~rnn_guide.stacked.StackParams` of the
    layers, with ``V`` inputs (layer 0 picks rows of its ``W_x?``, as the language model does),
    and the output layer, ``W_hq`` (num_directions * num_hiddens, V) and ``b_q`` (V,).
    """
    stack, W_hq, b_q = params
    cell = cell_of(stack.layers[0][0])
    H_all, _ = run_stack(d2l, cell, stack, X, rows_of=True)  # (num_steps, batch_size, K * h)
    H_m = H_all[d2l.shape(X)[0] // 2]  # the top layer's state at the gap
    return d2l.matmul(H_m, W_hq) + b_q


@dataclass
class InfillRun:
    """One model trained on the infilling task by :func:`train_infill`."""

    cell: str  #: the cell trained, ``'rnn'``, ``'gru'`` or ``'lstm'``
    bidirectional: bool  #: whether the stack reads both ways
    params: tuple  #: the trained ``(StackParams, W_hq, b_q)``
    losses: list  #: the training loss of every update
    test_X: np.ndarray  #: the test windows with the gap masked, shape (num_steps, TEST_SIZE)
    test_Y: np.ndarray  #: their hidden characters, shape (TEST_SIZE,)
    predicted: np.ndarray  #: the model's choice for each gap, shape (TEST_SIZE,)
    seconds: float  #: training time in seconds
    settings: dict = field(default_factory=dict)  #: its training settings (steps, lr, ...)

    @property
    def accuracy(self):
        """The share of test windows whose hidden character the model names."""
        return float(np.mean(self.predicted == self.test_Y))


def train_infill(
    d2l,
    cell="gru",
    bidirectional=False,
    num_steps=11,
    num_hiddens=64,
    num_layers=1,
    steps=400,
    batch_size=128,
    lr=2.0,
    clip=1.0,
    sigma=0.3,
    seed=0,
):
    """Train a (bi)directional stack on the infilling task with SGD and clipping; test it.

    The defaults (windows of 11, one layer of 64 GRU units, 400 updates of 128 windows, lr 2,
    clipping at 1, ``sigma`` 0.3) take 1 to 3 seconds per model on a quiet 2-core CPU in
    PyTorch, TensorFlow and JAX, and 9 to 16 in MXNet. With them the forward GRU names 43% of
    the hidden characters of the test windows and the bidirectional one 58% in each of the four
    frameworks (0.428 and 0.576 to 0.582). At lr 4 the runs learn as well, but float32 rounding
    sends the frameworks apart within 20 updates; at lr 2 their losses stay within 1e-4 of each
    other over the 400 (measured in PyTorch and JAX).
    Batches come from NumPy's generator seeded with ``seed``, the test windows
    (:data:`TEST_SIZE` of them, from the last :data:`TEST_CHARS` characters) from one seeded
    with ``seed + 1``, and the weights from :func:`~rnn_guide.stacked.init_stacked_params` and
    NumPy: every framework trains the same model on the same batches, up to float32 rounding.

    Args:
        d2l: a backend object or a framework name with autograd (not NumPy).
        cell: ``'rnn'``, ``'gru'`` or ``'lstm'``.
        bidirectional: False to read the window forward only, True to read it both ways.
        num_steps: characters per window, an odd integer from 3 to 1,001.
        num_hiddens: the size of each layer's (and direction's) state.
        num_layers: the number of layers.
        steps: the training updates.
        batch_size: windows per update.
        lr: the learning rate.
        clip: the gradient norm clipped to.
        sigma: standard deviation of the initial weights (biases start at zero).
        seed: an integer in [0, 2**32 - 2].

    Returns:
        An :class:`InfillRun`.

    Raises:
        RNNGuideError: an argument is not what is described above (the message names it).
        TrainingDivergedError: a step's loss became NaN, infinite or too large for its perplexity
            to be a float; the message names the step and ``lr``, ``.history`` holds the losses
            of the steps before it.
    """
    where = "train_infill"
    kind = get_cell(cell, where)
    bidirectional = check.boolean(bidirectional, "bidirectional", where)
    num_steps = _window(num_steps, where)
    num_hiddens = limits.check_num_hiddens(check.positive_int(num_hiddens, "num_hiddens", where), where)
    num_layers = check.positive_int(num_layers, "num_layers", where)
    if num_layers > 8:
        raise RNNGuideError(f"{where}: num_layers must be at most 8, received {num_layers}")
    steps = check.positive_int(steps, "steps", where)
    if steps > MAX_STEPS:
        raise RNNGuideError(f"{where}: steps must be at most {MAX_STEPS:,}, received {steps}")
    batch_size = limits.check_batch_size(check.positive_int(batch_size, "batch_size", where), where)
    lr = check.positive_number(lr, "lr", where, "a learning rate such as 2")
    clip = check.clip_threshold(clip, "clip", where)
    sigma = check.positive_number(sigma, "sigma", where, "the weights' standard deviation, e.g. 0.3")
    seed = check.seed(seed, where)
    if seed == check.MAX_SEED:
        raise RNNGuideError(
            f"{where}: seed must be at most 2**32 - 2 (seed + 1 draws the test), received {seed}"
        )
    d2l = get_backend(d2l)
    if d2l.name == "numpy":
        raise RNNGuideError(
            f"{where}: needs a framework's autograd (pytorch, tensorflow, jax or mxnet), received numpy"
        )

    data = TimeMachine()
    V, mask = len(data.vocab), data.vocab.unk
    stack = init_stacked_params(kind, V, num_hiddens, num_layers, d2l, bidirectional, seed, sigma)
    K = 2 if bidirectional else 1
    out = np.random.default_rng(seed).normal(0.0, sigma, (K * num_hiddens, V)).astype(np.float32)
    params = (*flatten_stack(stack), d2l.tensor(out), d2l.zeros((V,)))  # one flat tuple of tensors
    key = f"infill_step:{kind.name}:{K}:{num_layers}"
    step = d2l.compiled(key, lambda: _infill_step(d2l, stack))
    lr_t, clip_t = (d2l.tensor(np.float32(v)) for v in (lr, clip))  # tensors: one compilation for all
    rng, losses = np.random.default_rng(seed), []
    start = time.perf_counter()
    for _ in range(steps):
        X, Y = infill_batch(data.corpus, rng, batch_size, num_steps, mask)
        params, loss = step(params, d2l.tensor(X), d2l.tensor(Y), lr_t, clip_t)
        losses.append(loss)
    losses = [float(d2l.numpy(loss)) for loss in losses]  # read once, at the end
    seconds = time.perf_counter() - start
    check_step_losses(losses, "train_infill", f"{kind.name} model", lr, clip, 2)

    trained = (unflatten_stack(stack, params[:-2]), *params[-2:])
    test_X, test_Y = infill_batch(
        data.corpus, np.random.default_rng(seed + 1), TEST_SIZE, num_steps, mask, True
    )
    logits = infill_logits(d2l, trained, d2l.tensor(test_X))
    predicted = d2l.numpy(d2l.argmax(logits, axis=-1)).astype(np.int64)
    settings = {
        "num_steps": num_steps,
        "num_hiddens": num_hiddens,
        "num_layers": num_layers,
        "steps": steps,
        "batch_size": batch_size,
        "lr": lr,
        "clip": clip,
        "sigma": sigma,
        "seed": seed,
    }
    return InfillRun(kind.name, bidirectional, trained, losses, test_X, test_Y, predicted, seconds, settings)


def _window(num_steps, where):
    """``num_steps`` if it is an odd integer from 3 to 1001, else the error that says so."""
    num_steps = check.positive_int(num_steps, "num_steps", where)
    if num_steps % 2 == 0 or not 3 <= num_steps <= 1001:
        raise RNNGuideError(
            f"{where}: num_steps must be an odd integer from 3 to 1001, so that the hidden character "
            f"has as many characters on each side, received {num_steps}"
        )
    return num_steps


def _infill_step(d2l, template):
    """``step(params, X, Y, lr, clip) -> (params, loss)``; ``params`` is the stack's tensors
    (:func:`~rnn_guide.stacked.flatten_stack`), then ``W_hq`` and ``b_q``: one flat tuple."""

    def loss_of(params, X, Y):
        logits = infill_logits(d2l, (unflatten_stack(template, params[:-2]), *params[-2:]), X)
        return cross_entropy(d2l, logits, Y), None

    grad_fn = d2l.value_and_grad(loss_of)

    def step(params, X, Y, lr, clip):
        loss, _, grads = grad_fn(params, X, Y)
        return sgd_update(d2l, params, grads, lr, clip), loss

    return step
