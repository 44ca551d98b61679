"""Hostile inputs to rnn_guide.checks: a wrong answer never passes, a grader's mistake is named.

Each row is ``(id, call, match, error)`` as in test_hostile_inputs.py: ``call`` must raise exactly
``error`` and the regex ``match`` must be found in the message. A student's wrong answer raises
``CheckFailed``; a grader's bad ``expected``, ``atol`` or ``rtol`` raises ``RNNGuideError``.
``PLAIN_ROWS`` take no argument. ``FRAMEWORK_ROWS`` take a backend and run on every backend under
test: a bfloat16, complex, sparse or ragged tensor of that framework, or the nearest thing it has
(NumPy has no bfloat16, so float16; MXNet has no complex dtype, so a Python complex).
"""

import importlib

import numpy as np
import pytest
from hostile import NAN, raises_as_the_row_says, row

from rnn_guide import checks
from rnn_guide.checks import CheckFailed

BIG = list(range(10**6))  # an answer with a million entries
ONE_LINE = r"[^\n]{0,300}$"  # the end of a message of one line under the cap


class KeyErrorOnEq:
    def __eq__(self, other):
        raise KeyError("from the answer's __eq__")


class EqualToEverything:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class TupleEqualToEverything(tuple):
    def __eq__(self, other):
        return True

    __hash__ = tuple.__hash__


def fail_with(message):
    """What rnn_guide.questions does with a student's error: a CheckFailed with its text."""
    raise CheckFailed(message)


# fmt: off
PLAIN_ROWS = [
    # ---- wrong answers that used to pass
    row("shape of a string", lambda: checks.shape("H", "23", (2, 3)),
        r"^H should be a tensor or a shape like \(2, 3\); got str '23'$", CheckFailed),
    row("shape of floats", lambda: checks.shape("H", (2.7, 3.2), (2, 3)),
        r"^H should be a shape of whole numbers; got float 2\.7 at position 0$", CheckFailed),
    row("shape of a bool", lambda: checks.shape("H", (True, 3), (1, 3)),
        r"^H should be a shape of whole numbers; got True at position 0$", CheckFailed),
    row("shape of int-valued floats", lambda: checks.shape("H", (2.0, 3.0), (2, 3)),
        r"got float 2\.0 at position 0$", CheckFailed),
    row("number of np.bool_", lambda: checks.number("n", np.bool_(True), 1.0),
        r"^n should be numbers, not bools; got a bool", CheckFailed),
    row("number of True", lambda: checks.number("n", True, 1.0),
        r"^n should be a number or a tensor; got bool True$", CheckFailed),
    row("close of bools", lambda: checks.close("H", np.array([True, False]), np.array([1.0, 0.0])),
        r"^H should be numbers, not bools; got a ndarray of shape \(2,\) of dtype bool$", CheckFailed),
    row("equal True for 1", lambda: checks.equal("V", True, 1),
        r"^V should be of type int; got a bool$", CheckFailed),
    row("equal 1 for True", lambda: checks.equal("flag", 1, True),
        r"^flag should be of type bool; got a int$", CheckFailed),
    row("equal, __eq__ always True", lambda: checks.equal("V", EqualToEverything(), 28),
        r"^V should be of type int; got a EqualToEverything$", CheckFailed),
    row("equal, a tuple whose __eq__ is always True",
        lambda: checks.equal("s", TupleEqualToEverything((3, 4)), (4, 3)),
        r"^s is \(3, 4\), not the expected value$", CheckFailed),
    row("equal, int arrays exact beyond float64",
        lambda: checks.equal("ids", np.array([2**60]), np.array([2**60 + 1])),
        r"^ids is wrong at index \(0,\), not the expected value$", CheckFailed),
    row("close answer None", lambda: checks.close("H", None, np.zeros(2)),
        r"^H should be a number or a tensor; got None$", CheckFailed),
    row("close answer holds None", lambda: checks.close("H", [1.0, None], np.zeros(2)),
        r"^H should be a number or a tensor; got list \[1\.0, None\]$", CheckFailed),
    row("equal None for 3", lambda: checks.equal("V", None, 3), r"^V should be of type int; got a NoneType$",
        CheckFailed),
    row("equal, __eq__ raises KeyError", lambda: checks.equal("V", KeyErrorOnEq(), 28),
        r"^V should be of type int; got a KeyErrorOnEq$", CheckFailed),
    row("equal, expected's type, __eq__ raises", lambda: checks.equal("V", KeyErrorOnEq(), KeyErrorOnEq()),
        r"^V is <.*KeyErrorOnEq object.*>, not the expected value$", CheckFailed),
    row("equal arrays differ", lambda: checks.equal("ids", np.array([1, 2]), np.array([1, 3])),
        r"^ids is wrong at index \(1,\), not the expected value$", CheckFailed),
    row("equal arrays of other shapes", lambda: checks.equal("ids", np.array([1, 2]), np.array([[1, 2]])),
        r"^ids has shape \(2,\); expected shape \(1, 2\)$", CheckFailed),
    row("equal, bools for numbers", lambda: checks.equal("m", np.array([True]), np.array([1])),
        r"^m holds bools; expected numbers$", CheckFailed),
    row("equal nan for a number", lambda: checks.equal("x", NAN, 1.0), r"^x is nan, not the expected value$",
        CheckFailed),
    row("close, a number where NaN is expected",
        lambda: checks.close("H", np.array([1.0, 2.0]), np.array([1.0, NAN]), equal_nan=True),
        r"^H has a number at index \(1,\) that is not the expected value$", CheckFailed),
    row("number, a number for NaN", lambda: checks.number("x", 3.5, NAN, equal_nan=True),
        r"^x is 3\.5, not the expected value$", CheckFailed),
    row("close ragged list", lambda: checks.close("H", [[1.0, 2.0], [3.0]], np.ones((2, 2))),
        r"^H should be a tensor with one shape; got a ragged list \(rows of unequal length\)$", CheckFailed),
    row("close 10**400", lambda: checks.close("H", 10**400, 1.0),
        r"^H should be numbers that fit in a float64; got int 1000", CheckFailed),
    row("number 10**400", lambda: checks.number("n", 10**400, 1.0),
        r"^n should be numbers that fit in a float64; got int 1000", CheckFailed),
    row("number [1, 10**400]", lambda: checks.number("n", [1, 10**400], 1.0),
        r"^n should be numbers that fit in a float64; got list \[1, 1000", CheckFailed),
    row("equal 10**400", lambda: checks.equal("V", 10**400, 28),
        r"^V is 1000\d+\.\.\.\d+, not the expected value$", CheckFailed),
    row("equal 10**5000 (too long to print)", lambda: checks.equal("V", 10**5000, 28),
        r"^V is <int that cannot be printed>, not the expected value$", CheckFailed),
    row("close complex number", lambda: checks.close("H", 1 + 2j, 1.0),
        r"^H should be real numbers; got complex numbers \(dtype complex128\)$", CheckFailed),
    # ---- a million entries: one short line
    row("shape of a million dims", lambda: checks.shape("H", BIG, (2, 3)),
        r"^H should be a shape of at most 64 dimensions; got list \[0, 1, 2, 3, 4, 5, \.\.\.\]$",
        CheckFailed),
    row("equal a million items", lambda: checks.equal("ids", BIG, [1, 2]), r"^ids is \[0, 1, 2, " + ONE_LINE,
        CheckFailed),
    row("close a million entries", lambda: checks.close("H", np.arange(1e6), np.zeros(10**6)),
        r"^H is off by up to 1e\+06 at index \(999999,\)$", CheckFailed),
    row("number a million entries", lambda: checks.number("n", BIG, 1.0),
        r"^n should be one number; got a tensor of shape \(1000000,\)$", CheckFailed),
    row("a long string answer", lambda: checks.close("H", "x" * 10**6, np.zeros(3)),
        r"^H should be a number or a tensor; got str 'xxx" + ONE_LINE, CheckFailed),
    row("a long message", lambda: fail_with("f() raised " + "x" * 10**6),
        r"^f\(\) raised x{200,}\.\.\.$", CheckFailed),
    row("a message of many lines", lambda: fail_with("line one\nline two"),
        r"^line one line two$", CheckFailed),
    # ---- the grader's mistakes
    row("close atol=-1", lambda: checks.close("H", np.zeros(2), np.zeros(2), atol=-1),
        r"^checks\.close: atol must be a finite number >= 0; received -1$"),
    row("close rtol=-0.5", lambda: checks.close("H", np.zeros(2), np.zeros(2), rtol=-0.5),
        r"^checks\.close: rtol must be a finite number >= 0; received -0\.5$"),
    row("close atol=nan", lambda: checks.close("H", np.zeros(2), np.ones(2), atol=NAN),
        r"^checks\.close: atol must be a finite number >= 0; received nan$"),
    row("close atol=inf", lambda: checks.close("H", np.zeros(2), np.ones(2), atol=float("inf")),
        r"received inf$"),
    row("close atol=True", lambda: checks.close("H", np.zeros(2), np.ones(2), atol=True),
        r"^checks\.close: atol must be a finite number >= 0; received bool True$"),
    row("close atol='1e-5'", lambda: checks.close("H", np.zeros(2), np.ones(2), atol="1e-5"),
        r"^checks\.close: atol must be a finite number >= 0; received str '1e-5'$"),
    row("number rtol=nan", lambda: checks.number("n", 1.0, 2.0, rtol=NAN),
        r"^checks\.number: rtol must be a finite number >= 0; received nan$"),
    row("close expected NaN", lambda: checks.close("H", np.zeros(2), np.array([0.0, NAN])),
        r"^checks\.close: expected must be finite numbers \(NaN only with equal_nan=True\); "
        r"received nan at index \(1,\)$"),
    row("close expected inf", lambda: checks.close("H", np.zeros(2), np.array([0.0, np.inf]), equal_nan=True),
        r"received inf at index \(1,\)$"),
    row("number expected NaN", lambda: checks.number("n", 5.0, NAN),
        r"^checks\.number: expected must be finite numbers \(NaN only with equal_nan=True\); received nan$"),
    row("number expected two numbers", lambda: checks.number("n", 5.0, [1.0, 2.0]),
        r"^checks\.number: expected must be one number; received an array of shape \(2,\)$"),
    row("number expected True", lambda: checks.number("n", 1.0, True),
        r"^checks\.number: expected must be a number or a tensor; received bool True$"),
    row("close expected None", lambda: checks.close("H", np.zeros(2), None),
        r"^checks\.close: expected must be a number or a tensor; received None$"),
    row("close expected '2,3'", lambda: checks.close("H", np.zeros(2), "2,3"),
        r"^checks\.close: expected must be a number or a tensor; received str '2,3'$"),
    row("close expected complex", lambda: checks.close("H", np.zeros(2), np.array([1j, 2])),
        r"^checks\.close: expected must be real numbers; received complex numbers \(dtype complex128\)$"),
    row("shape expected '2,3'", lambda: checks.shape("H", (2, 3), "2,3"),
        r"^checks\.shape: expected must be a shape: a tuple of whole numbers >= 0; received '2,3'$"),
    row("shape expected None", lambda: checks.shape("H", (2, 3), None),
        r"^checks\.shape: expected .*; received None$"),
    row("shape expected floats", lambda: checks.shape("H", (2, 3), (2.0, 3)), r"received \(2\.0, 3\)$"),
    row("shape expected bool", lambda: checks.shape("H", (1, 3), (True, 3)), r"received \(True, 3\)$"),
    row("shape expected negative", lambda: checks.shape("H", (2, 3), (-1, 3)), r"received \(-1, 3\)$"),
    row("shape expected a tensor", lambda: checks.shape("H", (2, 3), np.zeros((2, 3))),
        r"^checks\.shape: expected must be a shape.*; received array\("),
    row("equal expected NaN", lambda: checks.equal("x", NAN, NAN),
        r"^checks\.equal: expected must be free of NaN unless equal_nan=True \(NaN equals nothing\); "
        r"received nan$"),
    row("equal expected array holding NaN",
        lambda: checks.equal("x", np.array([1.0, NAN]), np.array([1.0, NAN])),
        r"^checks\.equal: expected must be free of NaN .*; received array\(\[ ?1\., +nan\]\)$"),
    row("equal expected an array of strings", lambda: checks.equal("x", np.array(["a"]), np.array(["a"])),
        r"^checks\.equal: expected must be numbers or bools; received ndarray of dtype <U1"),
]
# fmt: on


@pytest.mark.parametrize("r", PLAIN_ROWS, ids=[r.id for r in PLAIN_ROWS])
def test_plain_rows(r):
    raises_as_the_row_says(r, r.call)


# ------------------------------------------------ tensors of every framework, built with its own API
#: framework -> (module, constructor) that makes a tensor of any of its dtypes: constructor(array, dtype=...)
NATIVE = {
    "pytorch": ("torch", "tensor"),
    "tensorflow": ("tensorflow", "constant"),
    "jax": ("jax.numpy", "asarray"),
}


def native(d2l, array, dtype):
    """``array`` as a tensor of ``dtype`` (a name such as ``"bfloat16"``), made by the framework itself."""
    module_name, constructor = NATIVE[d2l.name]
    module = importlib.import_module(module_name)
    return getattr(module, constructor)(array, dtype=getattr(module, dtype))


def bfloat16(d2l, array):
    """``array`` as a bfloat16 tensor; float16 where the framework has no bfloat16 (NumPy, MXNet)."""
    return native(d2l, array, "bfloat16") if d2l.name in NATIVE else d2l.tensor(array, dtype="float16")


def complex64(d2l, array):
    """``array`` as a complex64 tensor; a Python complex number where the framework has none (MXNet)."""
    if d2l.name == "mxnet":
        return complex(np.ravel(array)[0], 1.0)
    return native(d2l, array, "complex64") if d2l.name in NATIVE else np.asarray(array, np.complex64)


def sparse(d2l, array):
    """``array`` as a sparse matrix of the framework (SciPy's for NumPy, where SciPy is installed)."""
    if d2l.name == "numpy":
        reason = "NumPy has no sparse arrays, and SciPy is absent"
        return pytest.importorskip("scipy.sparse", reason=reason).csr_matrix(array)
    if d2l.name == "mxnet":
        return importlib.import_module("mxnet").nd.array(array).tostype("csr")
    dense = d2l.tensor(array)
    if d2l.name == "pytorch":
        return dense.to_sparse()
    if d2l.name == "tensorflow":
        return importlib.import_module("tensorflow").sparse.from_dense(dense)
    return importlib.import_module("jax.experimental.sparse").BCOO.fromdense(dense)


def ragged(d2l, rows):
    """Rows of unequal length as the framework's ragged tensor; nested lists where it has none."""
    if d2l.name == "pytorch":
        torch = importlib.import_module("torch")
        return torch.nested.nested_tensor([torch.tensor(r) for r in rows])
    if d2l.name == "tensorflow":
        return importlib.import_module("tensorflow").ragged.constant(rows)
    return rows


EYE = np.eye(2, dtype=np.float32)
ROWS = [[1.0, 2.0], [3.0]]
TYPE = r"[A-Za-z_]+"  # a framework's tensor class: Tensor, EagerTensor, ArrayImpl, ndarray...

# fmt: off
FRAMEWORK_ROWS = [
    row("close, a wrong bfloat16 answer",
        lambda d2l: checks.close("H", bfloat16(d2l, [1.0, 2.5]), [1.0, 2.0]),
        r"^H is off by up to 0\.5 \(25% relative\) at index \(1,\)$", CheckFailed),
    row("number, a wrong bfloat16 answer", lambda d2l: checks.number("n", bfloat16(d2l, 3.0), 2.0),
        r"^n is 3, off by 50% relative$", CheckFailed),
    row("close, complex answer", lambda d2l: checks.close("H", complex64(d2l, [1.0, 2.0]), [1.0, 2.0]),
        r"^H should be real numbers; got complex numbers \(dtype complex(64|128)\)$", CheckFailed),
    row("number, complex answer", lambda d2l: checks.number("n", complex64(d2l, [1.0]), 1.0),
        r"^n should be real numbers; got complex numbers", CheckFailed),
    row("close, sparse answer", lambda d2l: checks.close("H", sparse(d2l, EYE), EYE),
        rf"^H should be a dense tensor; got a sparse {TYPE} \(make it dense first\)$", CheckFailed),
    row("equal, sparse answer", lambda d2l: checks.equal("H", sparse(d2l, EYE), EYE),
        rf"^H should be a dense tensor; got a sparse {TYPE}", CheckFailed),
    row("close, ragged answer", lambda d2l: checks.close("H", ragged(d2l, ROWS), np.ones((2, 2))),
        rf"^H should be a tensor with one shape; got a ragged {TYPE} \(rows of unequal length\)$",
        CheckFailed),
    row("shape, ragged answer", lambda d2l: checks.shape("H", ragged(d2l, ROWS), (2, 2)),
        rf"^H should be a tensor with one shape; got a ragged {TYPE} \(rows of unequal length\)$",
        CheckFailed),
    row("close, bool tensor", lambda d2l: checks.close("H", d2l.tensor(np.array([True])), [1.0]),
        rf"^H should be numbers, not bools; got a {TYPE} of shape \(1,\) of dtype bool$", CheckFailed),
    row("equal, tensors differ",
        lambda d2l: checks.equal("ids", d2l.tensor(np.array([1, 2])), d2l.tensor(np.array([1, 3]))),
        r"^ids is wrong at index \(1,\), not the expected value$", CheckFailed),
    row("equal, a tensor for a count", lambda d2l: checks.equal("V", d2l.zeros((3,)), 28),
        rf"^V should be of type int; got a {TYPE} of shape \(3,\)$", CheckFailed),
    row("close, expected a complex tensor", lambda d2l: checks.close("H", EYE, complex64(d2l, EYE)),
        r"^checks\.close: expected must be real numbers; received complex numbers"),
    row("close, expected a tensor holding NaN", lambda d2l: checks.close("H", EYE, d2l.tensor(EYE * np.nan)),
        r"^checks\.close: expected must be finite numbers \(NaN only with equal_nan=True\); "
        r"received nan at index \(0, 0\)$"),
]
# fmt: on


@pytest.mark.parametrize("r", FRAMEWORK_ROWS, ids=[r.id for r in FRAMEWORK_ROWS])
def test_framework_rows(r, backend):
    raises_as_the_row_says(r, lambda: r.call(backend))


def test_right_answers_of_every_framework_dtype_pass(backend):
    """What the rows refuse is the wrong answer, never the dtype: the right ones pass."""
    checks.close("H", bfloat16(backend, [1.0, 2.5]), [1.0, 2.5])
    checks.number("n", bfloat16(backend, 3.0), 3.0)
    checks.shape("H", bfloat16(backend, np.zeros((2, 3))), (2, 3))
    checks.equal("ids", backend.tensor(np.array([1, 2])), np.array([1, 2]))
    checks.equal("ids", [1, 2], backend.tensor(np.array([1, 2])))
    checks.equal("mask", backend.tensor(np.array([True, False])), np.array([True, False]))
    checks.equal(
        "V", backend.reshape(backend.tensor(np.array(28)), ()), 28
    )  # 0-d (PyTorch's tensor() is 1-d)
    checks.close("H", backend.tensor(np.array([1.0, np.nan])), [1.0, np.nan], equal_nan=True)
    checks.equal("x", backend.tensor(np.array([np.nan])), np.array([np.nan]), equal_nan=True)
