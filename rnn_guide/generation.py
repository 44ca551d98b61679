"""Text generation and scoring with a trained character model (Step 5).

Each function takes a model with ``d2l``, ``params``, ``vocab`` and ``preprocessed``
(an :class:`~rnn_guide.language_model.RNNLM`) and runs the model's forward pass
(:func:`~rnn_guide.lm_math.lm_forward`) from the zero state. The scores come back
to NumPy, where sampling and scoring use one host-side ``log_softmax``.

Generation never writes ``<unk>``: it stands for "a character not in the vocabulary"
and is not a character itself, so its score is set to ``-inf`` before the argmax or
the draw.

A deep model (d2l 10.3) generates like a one-layer one: each layer carries its own state
from character to character. A bidirectional model (d2l 10.4) cannot generate: its
backward direction read, during training, the characters *after* each position, the one it
was asked to predict among them, so its low training perplexity is partly copying. When it
writes left to right, those characters do not exist yet. :func:`predict` still runs it (the
backward direction carries its state on as a forward one would, which it was never trained
to do) and warns once per call, so a notebook can show the text next to the perplexity.
"""

import warnings

import numpy as np

from . import _validation as check
from ._lm_params import flat_params
from .data import UNK, preprocess
from .errors import RNNGuideError
from .limits import MAX_NUM_CHARS
from .lm_math import lm_forward, log_softmax, perplexity
from .refusal import refusable

BIDIRECTIONAL_WARNING = (
    "predict: this model is bidirectional. In training its backward direction read the characters "
    "after each position, including the one it had to predict, so its training perplexity is low "
    "partly by copying; when writing left to right those characters do not exist yet, so the text "
    "it writes is poor. Use a unidirectional model (bidirectional=False) to generate text."
)


def _read(model, ids):
    """Scores after each character of ``ids`` (from the zero state) and the last state."""
    d2l = model.d2l
    O, H = lm_forward(d2l, model.params, d2l.tensor(np.asarray(ids)[:, None]), model.begin_state(1))
    return d2l.numpy(O).astype(np.float64), H  # (len(ids), vocab_size)


def _check_prefix(prefix):
    if not isinstance(prefix, str) or not prefix:
        raise RNNGuideError(f"prefix must be a non-empty string, received {check.shown(prefix)}")


def _prepare_prefix(model, prefix):
    """The prefix as the model reads it, with a warning when little or nothing useful is left."""
    text = preprocess(prefix) if model.preprocessed else prefix
    if not text:
        raise RNNGuideError(f"prefix {prefix!r} is empty after preprocessing")
    if text != prefix and not text.strip():
        warnings.warn(
            f"prefix {check.shown(prefix)} became {text!r} after preprocessing (the book's text keeps "
            "only letters, and every run of other characters becomes one space)",
            stacklevel=4,
        )
    unknown = model.vocab.unknown_chars(text)
    if unknown:
        warnings.warn(f"prefix characters {unknown} are not in the vocabulary; read as '<unk>'", stacklevel=4)
    return text


def _diverged(model):
    """The error for scores that are not finite, naming the parameter at fault."""
    arrays = {name: model.d2l.numpy(p).astype(np.float64) for name, p in flat_params(model.params).items()}
    broken = [name for name, a in arrays.items() if not np.isfinite(a).all()]
    peaks = {name: float(np.abs(a).max(initial=0.0)) for name, a in arrays.items()}
    if broken:
        culprit = f"parameters {broken} hold NaN or inf"
    else:
        name = max(peaks, key=peaks.get)
        culprit = f"the largest parameter, {name}, reaches {peaks[name]:.3g} in magnitude"
    return RNNGuideError(
        "predict: the model's scores are not finite (NaN or inf), so no character can be chosen: "
        f"{culprit}; the parameters have diverged (train again with clip=1 or a smaller lr)"
    )


def _next_char(logits, temperature, rng, unk):
    """The index of the next character: the argmax, or a draw from ``softmax(logits / temperature)``."""
    if unk is not None:  # <unk> is not a character: never write it
        logits = logits.copy()
        logits[unk] = -np.inf
    if temperature is None:
        return int(np.argmax(logits))
    p = np.exp(log_softmax(logits / temperature))
    return int(rng.choice(len(p), p=p / p.sum()))


@refusable("rnn_guide.generation.predict")
def predict(model, prefix, num_chars, temperature=None, seed=None):
    """Continue ``prefix`` by ``num_chars`` characters.

    The model first reads the prefix (warm-up), then writes one character at a
    time, feeding each back in. With ``temperature=None`` it takes the most likely
    character (greedy, as the book); with a temperature it samples from
    ``softmax(O / temperature)`` using a NumPy generator seeded with ``seed`` (repeatable).
    ``<unk>`` is never written. A deep model writes like a one-layer one.

    A bidirectional model warns (a UserWarning, once per call) and still writes: its backward
    direction learned from the characters that follow each position, the one to predict among
    them, and while writing left to right those do not exist yet, so the text is poor however
    low its training perplexity (the warning's message says this). d2l 10.4 shows the same.

    The prefix goes through the training text's preprocessing (for the book:
    lower-case, non-letters to spaces). A prefix with no letters ("123") becomes
    a space, with a warning that says so. Characters still not in the vocabulary
    are read as ``<unk>``, with a warning that names them.

    Args:
        prefix: a non-empty str.
        num_chars: how many characters to add, an integer from 0 to
            :data:`rnn_guide.limits.MAX_NUM_CHARS` (100,000, about 25 pages of text).
        temperature: None (greedy) or a finite number >= 1e-3 (lower values leave the range
            of floats, and at 1e-3 a draw is practically the greedy choice).
        seed: seed of the sampling, an integer in [0, 2**32 - 1], or None for a fresh one.

    Returns:
        The prefix as the model read it, followed by the new characters.

    Raises:
        RNNGuideError: a bad argument (``num_chars`` above ``MAX_NUM_CHARS`` among them, refused
            before any work), or scores that are not finite (a diverged model; the message names
            the parameter at fault).
    """
    _check_prefix(prefix)
    num_chars = check.non_negative_int(num_chars, "num_chars", "predict")
    if num_chars > MAX_NUM_CHARS:
        raise RNNGuideError(
            f"predict: num_chars must be at most {MAX_NUM_CHARS:,} (rnn_guide.limits.MAX_NUM_CHARS), "
            f"received {num_chars:,}; for longer text call predict again on the end of its output"
        )
    if temperature is not None:
        temperature = check.temperature(temperature, "predict")
    seed = check.seed(seed, "predict", allow_none=True)
    text = _prepare_prefix(model, prefix)
    if getattr(model, "bidirectional", False):
        warnings.warn(BIDIRECTIONAL_WARNING, stacklevel=3)
    unk = model.vocab.token_to_idx.get(UNK)
    if num_chars and len(model.vocab) - (unk is not None) < 1:
        raise RNNGuideError(f"predict: the vocabulary has no character besides {UNK!r} to write")
    d2l, rng = model.d2l, np.random.default_rng(seed)
    O, H = _read(model, model.vocab.encode(text))
    new = []
    for _ in range(num_chars):
        if not np.all(np.isfinite(O[-1])):
            raise _diverged(model)
        nxt = _next_char(O[-1], temperature, rng, unk)
        new.append(nxt)
        O, H = lm_forward(d2l, model.params, d2l.tensor(np.array([[nxt]])), H)
        O = d2l.numpy(O).astype(np.float64)
    return text + model.vocab.decode(new)


def score(model, text, start=1, positions=None):
    """Read ``text`` from the zero state and score each next-character prediction.

    Position ``t`` is predicted from all of ``text[:t]``: the state carries
    everything read so far. ``text`` is used as given (already preprocessed, like ``data.text``).

    Args:
        start: score positions ``start, start + 1, ...`` (at least 1).
        positions: score only these positions instead (each at least 1).

    Returns:
        ``{'perplexity': float, 'accuracy': float}`` over the scored positions.

    Raises:
        RNNGuideError: ``text`` is not a str or has fewer than 2 characters (one to read, one to
            predict), or a position lies outside ``[1, len(text) - 1]``.
    """
    ids = np.asarray(model.vocab.encode(check.text(text, "text", "score")))
    if len(ids) < 2:
        raise RNNGuideError(
            f"score: text is too short to score, it needs at least 2 characters (one to read, one to "
            f"predict), received {check.shown(text)} ({len(ids)} character{'s' * (len(ids) != 1)})"
        )
    start = check.positive_int(start, "start", "score")
    if positions is not None:
        positions = np.asarray(check.int_sequence(positions, "positions", "score"), dtype=int)
    positions = np.arange(start, len(ids)) if positions is None else positions
    if positions.size == 0 or positions.min() < 1 or positions.max() >= len(ids):
        raise RNNGuideError(
            f"positions to score must lie in [1, {len(ids) - 1}] for a text of {len(ids)} characters, "
            f"received start={start!r}, positions={None if positions.size == 0 else positions.tolist()}"
        )
    logits = _read(model, ids[:-1])[0][positions - 1]  # row t - 1 predicts character t
    targets = ids[positions]
    nll = -log_softmax(logits)[np.arange(len(targets)), targets].mean()
    return {"perplexity": perplexity(nll), "accuracy": float((logits.argmax(axis=1) == targets).mean())}


def next_char_probabilities(model, prefix):
    """P(next character | prefix) as a NumPy array over the vocabulary (prefix used as given)."""
    _check_prefix(prefix)
    return np.exp(log_softmax(_read(model, model.vocab.encode(prefix))[0][-1]))
