"""Properties of rnn_guide.checks, on every backend: a check passes exactly when the answer is right.

``close`` must pass if and only if every entry is within ``atol + rtol * |expected|`` of the
expected one, and ``shape`` if and only if the shapes are equal as tuples of ints. The answers are
tensors of the backend under test (the ``backend`` fixture), in float16, float32 and float64 where
the backend has them, so the oracle is computed on the numbers the tensor really stores (read back
with ``backend.numpy``), not on the float64 values they were made from.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from rnn_guide import checks

PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

TOLERANCES = st.sampled_from([0.0, 1e-6, 1e-4, 1e-2, 0.5])
ENTRIES = st.floats(-100.0, 100.0, allow_nan=False, allow_infinity=False)
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


def float_dtypes(backend):
    """The float dtypes a backend stores as asked: JAX keeps float64 only with x64 switched on."""
    return ["float16", "float32"] if backend.name == "jax" else ["float16", "float32", "float64"]


def passes(call):
    """True when the check passes, False when it raises CheckFailed (anything else is an error)."""
    try:
        call()
    except checks.CheckFailed:
        return False
    return True


def _perturbation(data, expected, atol, rtol):
    """A change of each entry: none, tiny, large, or a multiple of the tolerance (near its edge)."""
    edge = atol + rtol * np.abs(expected)
    factor = data.draw(
        hnp.arrays(np.float64, expected.shape, elements=st.sampled_from([0.0, 0.5, 0.99, 1.0, 1.01, 2.0]))
    )
    sign = data.draw(hnp.arrays(np.float64, expected.shape, elements=st.sampled_from([-1.0, 1.0])))
    noise = data.draw(hnp.arrays(np.float64, expected.shape, elements=st.floats(-1e-3, 1e-3)))
    large = data.draw(
        hnp.arrays(np.float64, expected.shape, elements=st.sampled_from([0.0, 0.0, 0.0, 3.0, -50.0]))
    )
    return sign * factor * edge + noise * data.draw(st.sampled_from([0.0, 1.0])) + large


@PROPERTY
@given(data=st.data())
def test_close_passes_if_and_only_if_every_entry_is_within_tolerance(backend, data):
    expected = data.draw(hnp.arrays(np.float64, SHAPES, elements=ENTRIES))
    atol, rtol = data.draw(TOLERANCES), data.draw(TOLERANCES)
    dtype = data.draw(st.sampled_from(float_dtypes(backend)))
    answer = backend.tensor(expected + _perturbation(data, expected, atol, rtol), dtype=dtype)
    answer = backend.reshape(answer, expected.shape)  # backend.tensor makes a 0-d array 1-d on PyTorch
    stored = backend.numpy(answer).astype(np.float64)  # what the tensor holds, after rounding to dtype
    within = bool(np.all(np.abs(stored - expected) <= atol + rtol * np.abs(expected)))
    assert passes(lambda: checks.close("H", answer, expected, atol=atol, rtol=rtol)) is within


@PROPERTY
@given(data=st.data())
def test_close_never_passes_an_answer_of_another_shape(backend, data):
    expected = data.draw(hnp.arrays(np.float64, SHAPES, elements=ENTRIES))
    shape = data.draw(SHAPES.filter(lambda s: s != expected.shape))
    numbers = np.resize(expected, shape)  # the expected numbers, repeated or cut to another shape
    answer = backend.reshape(backend.tensor(numbers), shape)
    assert not passes(lambda: checks.close("H", answer, expected, atol=1.0, rtol=1.0))


DIMS = st.lists(st.integers(0, 4), min_size=0, max_size=4).map(tuple)
#: entries of a shape that are not whole numbers: never a pass, whatever their value
NOT_DIMS = st.one_of(st.floats(0, 4), st.booleans(), st.text(max_size=2), st.none())


@PROPERTY
@given(want=DIMS, got=DIMS, as_tensor=st.booleans())
def test_shape_passes_if_and_only_if_the_shapes_are_equal(backend, want, got, as_tensor):
    # reshaped, because backend.zeros(()) is 1-d on PyTorch
    answer = backend.reshape(backend.zeros(got), got) if as_tensor else got
    assert passes(lambda: checks.shape("H", answer, want)) is (got == want)


@PROPERTY
@given(want=DIMS.filter(len), data=st.data())
def test_shape_never_passes_dimensions_that_are_not_whole_numbers(backend, want, data):
    """Floats, bools, strings, None and a float tensor of the backend: even 2.0 is not the dimension 2."""
    position = data.draw(st.integers(0, len(want) - 1))
    float_tensor = st.integers(0, 4).map(lambda n: backend.tensor(np.array(n, np.float32)))
    entry = data.draw(st.one_of(NOT_DIMS, float_tensor))
    answer = want[:position] + (entry,) + want[position + 1 :]
    with pytest.raises(
        checks.CheckFailed, match=r"^H should be (a shape of whole numbers|a tensor or a shape)"
    ):
        checks.shape("H", answer, want)


@PROPERTY
@given(
    want=DIMS, kinds=st.lists(st.sampled_from([int, np.int32, np.int64, np.uint8]), min_size=4, max_size=4)
)
def test_shape_reads_whole_numbers_of_any_integer_type(backend, want, kinds):
    answer = tuple(kind(n) for n, kind in zip(want, kinds))
    checks.shape("H", answer, want)
    checks.shape("H", backend.reshape(backend.zeros(want), want), answer)  # expected in NumPy ints too
