"""Notebook 1's coded questions: the shapes of an MLP's layers, and the whole network by hand."""

from .. import checks
from ..recurrence import mlp_hidden, output_layer
from .core import Question


def compare_shapes(label, received, expected, d2l, names=None):
    """Each of the ``expected`` shapes (a tuple of shapes) equals the one received at its place.

    The message names the wrong shape and repeats what was received, never what was expected.
    ``names`` says what each shape is the shape of (``("H", "O")``).
    """
    names = names or tuple(f"item {i}" for i in range(len(expected)))
    if not isinstance(received, (tuple, list)) or len(received) != len(expected):
        raise checks.CheckFailed(
            f"{label} should return {len(expected)} shapes ({', '.join(names)}); "
            f"got {checks.describe(received)}"
        )
    for i, (got, want) in enumerate(zip(received, expected)):
        if got is Ellipsis or got is None:
            raise checks.CheckFailed(f"{label}[{i}], the shape of {names[i]}, is not filled in yet")
        try:
            got = tuple(int(k) for k in got)
        except (TypeError, ValueError):
            raise checks.CheckFailed(
                f"{label}[{i}], the shape of {names[i]}, should be a tuple of whole numbers; "
                f"got {checks.describe(got)}"
            ) from None
        if len(got) != len(want):
            raise checks.CheckFailed(
                f"{label}[{i}], the shape of {names[i]}, has {len(got)} dimensions; it should have "
                f"{len(want)}"
            )
        if got != tuple(want):
            wrong = [k for k in range(len(want)) if got[k] != want[k]]
            raise checks.CheckFailed(
                f"{label}[{i}], the shape of {names[i]}, is {got}: dimension {wrong[0]} is not right "
                f"for these sizes"
            )


def _sizes_inputs(d2l, rng):
    n, d, h, q = (int(k) for k in rng.choice(range(2, 40), size=4, replace=False))
    return n, d, h, q


def _sizes_reference(d2l, n, d, h, q):
    return (n, h), (n, q)


def _probs_inputs(d2l, rng):
    n, d, h, q = (int(k) for k in rng.integers(2, 8, size=4))

    def draw(scale, *shape):
        return d2l.tensor(rng.normal(0.0, scale, size=shape).astype("float32"))

    return draw(1.0, n, d), draw(0.5, d, h), draw(0.1, h), draw(0.5, h, q), draw(0.1, q)


def _probs_reference(d2l, X, W_xh, b_h, W_hq, b_q):
    return d2l.softmax(output_layer(mlp_hidden(X, W_xh, b_h), W_hq, b_q), axis=1)


QUESTIONS = (
    Question(
        name="q1_shapes",
        answer="shapes_mine",
        inputs=_sizes_inputs,
        reference=_sizes_reference,
        compare=lambda label, received, expected, d2l: compare_shapes(
            label, received, expected, d2l, names=("H", "O")
        ),
        difficulty="easy",
        minutes=3,
    ),
    Question(
        name="q1_mlp_probs",
        answer="mlp_probs_mine",
        inputs=_probs_inputs,
        reference=_probs_reference,
        refuse=("rnn_guide.mlp_hidden", "rnn_guide.output_layer", "d2l.softmax", "d2l.log_softmax"),
        difficulty="medium",
        minutes=10,
    ),
)
