"""Property tests of the argument checks in :mod:`rnn_guide._validation` (Hypothesis).

Valid values come back as plain Python types (``int``, ``float``, ``tuple`` of ints, ``list``);
invalid ones (booleans, NaN, infinities, negatives, strings, floats where an int is due) raise
:class:`~rnn_guide.RNNGuideError` whose message names the argument and shows ``repr`` of the value.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_guide import RNNGuideError
from rnn_guide import _validation as check
from rnn_guide._tensor_checks import tensor_args
from rnn_guide.backends.tensors import dtype_name, tensor_framework

modest = settings(max_examples=100, deadline=None)  # enough to find a hole, quick enough for every env

BIG = 10**30  # large, yet short enough that the message shows the whole repr
ints = st.integers(-BIG, BIG)
numpy_ints = st.integers(-(2**31), 2**31 - 1).map(np.int64)
finite = st.floats(allow_nan=False, allow_infinity=False)
not_numbers = st.one_of(
    st.booleans(),
    st.none(),
    st.text(max_size=10),
    st.binary(max_size=10),
    st.lists(st.integers(-100, 100), max_size=3),
    st.just(np.bool_(True)),
)
non_finite = st.sampled_from([math.nan, math.inf, -math.inf, np.float32("nan"), np.float64("inf")])


def refused(checker, value, *args):
    with pytest.raises(RNNGuideError) as info:
        checker(value, *args)
    assert ascii(value) in str(info.value)  # messages show values with ascii(): escapes, never raw
    return str(info.value)


# ------------------------------------------------------------------ integers
@modest
@given(st.one_of(st.integers(1, BIG), st.integers(1, 2**31 - 1).map(np.int32)))
def test_positive_int_accepts_and_returns_a_python_int(value):
    result = check.positive_int(value, "n")
    assert type(result) is int and result == value


@modest
@given(st.one_of(st.integers(-BIG, 0), finite, non_finite, not_numbers))
def test_positive_int_refuses(value):
    assert "n must be a positive integer" in refused(check.positive_int, value, "n", "f")


@modest
@given(st.one_of(st.integers(0, BIG), numpy_ints.filter(lambda v: v >= 0)))
def test_non_negative_int_round_trips(value):
    result = check.non_negative_int(value, "n")
    assert type(result) is int and result == value


@modest
@given(st.one_of(st.integers(-BIG, -1), st.floats(), not_numbers))
def test_non_negative_int_refuses(value):
    refused(check.non_negative_int, value, "n")


@modest
@given(st.integers(0, check.MAX_SEED))
def test_seed_round_trips(value):
    assert check.seed(value) == value and type(check.seed(np.uint32(value))) is int


@modest
@given(st.one_of(st.integers(check.MAX_SEED + 1, BIG), st.integers(-BIG, -1), finite, not_numbers))
def test_seed_refuses(value):
    assert refused(check.seed, value, "f").startswith("f: seed must be")


# ------------------------------------------------------------------- numbers
positive = st.one_of(
    st.floats(min_value=0, exclude_min=True, allow_infinity=False),
    st.integers(1, BIG),
    st.floats(min_value=1e-30, max_value=1e30).map(np.float32),
)


@modest
@given(positive)
def test_positive_number_returns_the_same_float(value):
    result = check.positive_number(value, "lr")
    assert type(result) is float and result == float(value) and result > 0


@modest
@given(st.one_of(st.floats(max_value=0), st.integers(-BIG, 0), non_finite, not_numbers))
def test_positive_number_refuses(value):
    assert "lr must be a positive finite number" in refused(check.positive_number, value, "lr")


@modest
@given(st.integers(10**309, 10**320))  # ints too large for a float: refused, not OverflowError
def test_numbers_too_large_for_a_float_are_refused(value):
    for checker in (check.positive_number, check.finite_number, check.non_negative_number):
        with pytest.raises(RNNGuideError, match="must be"):
            checker(value, "x")


@modest
@given(st.one_of(finite, ints))
def test_finite_number_round_trips(value):
    assert check.finite_number(value, "mean") == float(value)


@modest
@given(st.one_of(non_finite, not_numbers))
def test_finite_number_refuses(value):
    refused(check.finite_number, value, "mean")


@modest
@given(st.floats(min_value=check.MIN_TEMPERATURE, allow_infinity=False))
def test_temperature_round_trips(value):
    assert check.temperature(value) == value


@modest
@given(st.one_of(st.floats(max_value=check.MIN_TEMPERATURE, exclude_max=True), non_finite, not_numbers))
def test_temperature_refuses(value):
    assert "temperature must be a finite number >= 0.001" in refused(check.temperature, value)


@modest
@given(positive)
def test_any_positive_clip_threshold_is_a_positive_finite_float32(value):
    theta = check.clip_threshold(value, "clip")
    assert type(theta) is float and 0 < np.float32(theta) < np.inf
    if float(np.finfo(np.float32).tiny) <= value <= float(np.finfo(np.float32).max):
        assert theta == float(value)  # inside float32's range nothing changes


@modest
@given(st.one_of(st.floats(max_value=0), non_finite, not_numbers))
def test_clip_threshold_refuses(value):
    refused(check.clip_threshold, value, "clip")


# -------------------------------------------------------- shapes, sequences
dims = st.integers(0, 64)


@modest
@given(st.one_of(st.lists(dims, max_size=4), st.lists(dims, max_size=4).map(tuple)))
def test_as_shape_round_trips(shape):
    result = check.as_shape(shape, "zeros")
    assert result == tuple(shape) and all(type(d) is int for d in result)


@modest
@given(dims)
def test_as_shape_of_an_int_is_a_one_tuple(n):
    assert check.as_shape(n, "zeros") == (n,) == check.as_shape(np.int64(n), "zeros")


bad_dim = st.one_of(st.integers(-BIG, -1), st.floats(), st.booleans(), st.text(max_size=3))


@modest
@given(st.lists(dims, max_size=3), bad_dim, st.lists(dims, max_size=3))
def test_as_shape_refuses_a_bad_dimension(before, bad, after):
    shape = (*before, bad, *after)
    refused(check.as_shape, shape, "zeros")


@modest
@given(st.one_of(st.floats(), st.text(max_size=5), st.none()))
def test_as_shape_refuses_what_is_no_shape(value):
    refused(check.as_shape, value, "zeros")


@modest
@given(
    st.integers(1, 50).flatmap(lambda n: st.tuples(st.just(n), st.lists(st.integers(0, n - 1), max_size=20)))
)
def test_int_sequence_round_trips(case):
    size, ids = case
    assert check.int_sequence(ids, "ids", "f", 0, size - 1) == ids
    assert check.int_sequence(np.asarray(ids, dtype=np.int64), "ids", "f", 0, size - 1) == ids


@modest
@given(st.lists(st.integers(0, 4), max_size=5), st.one_of(st.integers(5, BIG), st.integers(-BIG, -1)))
def test_int_sequence_refuses_an_id_out_of_range(ids, bad):
    message = refused(lambda v, *a: check.int_sequence([*ids, v], *a), bad, "ids", "f", 0, 4)
    assert f"at position {len(ids)}" in message


@modest
@given(st.one_of(st.floats(), st.text(max_size=3), st.booleans()))
def test_int_sequence_refuses_a_non_integer(bad):
    refused(lambda v, *a: check.int_sequence([0, v], *a), bad, "ids")


@modest
@given(st.one_of(st.booleans(), st.booleans().map(np.bool_)))
def test_boolean_round_trips(value):
    assert check.boolean(value, "raw") is bool(value)


@modest
@given(st.one_of(ints, st.text(max_size=5), st.none(), st.floats()))
def test_boolean_refuses(value):
    refused(check.boolean, value, "raw")


@modest
@given(st.text(max_size=20))
def test_text_round_trips(value):
    assert check.text(value, "text") is value


@modest
@given(st.one_of(st.binary(max_size=20), ints, st.none()))
def test_text_refuses(value):
    refused(check.text, value, "text")


# ------------------------------------------------------------------ tensors
float_dtypes = st.sampled_from(["float16", "float32", "float64"])
all_dtypes = st.sampled_from(["float16", "float32", "float64", "int32", "int64", "uint8"])


def args_of(dtypes):
    return {f"T{i}": np.zeros((2, 2), dtype) for i, dtype in enumerate(dtypes)}


@modest
@given(float_dtypes, st.integers(1, 4))
def test_tensors_of_one_floating_dtype_pass(dtype, n):
    assert tensor_args("f", args_of([dtype] * n), tensor_framework, dtype_name) == "numpy"


@modest
@given(st.lists(all_dtypes, min_size=2, max_size=4).filter(lambda d: len(set(d)) > 1))
def test_a_dtype_mismatch_names_both_arguments_and_dtypes(dtypes):
    with pytest.raises(RNNGuideError) as info:
        tensor_args("f", args_of(dtypes), tensor_framework, dtype_name)
    i = next(i for i, d in enumerate(dtypes) if d != dtypes[0])
    assert f"T{i} has dtype {dtypes[i]} but T0 has dtype {dtypes[0]}" in str(info.value)


@modest
@given(st.sampled_from(["int32", "int64", "uint8", "bool"]), st.integers(1, 3))
def test_tensors_that_are_not_floating_are_refused(dtype, n):
    with pytest.raises(RNNGuideError, match=f"the tensors have dtype {dtype}, expected a floating dtype"):
        tensor_args("f", args_of([dtype] * n), tensor_framework, dtype_name)


@modest
@given(st.one_of(st.lists(st.floats(), max_size=3), st.floats(), st.text(max_size=3), st.none()))
def test_what_is_not_a_tensor_is_named(value):
    tensors = {"W": np.zeros((2, 2), np.float32), "X": value}
    with pytest.raises(RNNGuideError, match=f"f: X must be a tensor .*received a {type(value).__name__}"):
        tensor_args("f", tensors, tensor_framework, dtype_name)
