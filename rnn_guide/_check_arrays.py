"""How :mod:`rnn_guide.checks` reads an answer: numbers as a NumPy array, a shape as ints.

Private to ``checks``. Each reader either returns plain NumPy data or raises :class:`Unreadable`,
which carries what was wanted and what was received; ``checks`` turns it into a student's
``CheckFailed`` or, for a grader's argument, an ``RNNGuideError``. The readers accept a tensor of
any framework and any dtype: bfloat16 (which NumPy lacks) is widened to float32, while complex,
sparse and ragged tensors are refused with a name for what they are.
"""

import itertools
import operator
import reprlib
import warnings

import numpy as np

from .backends import backend_of
from .backends.tensors import dtype_name, tensor_framework
from .errors import RNNGuideError

#: the most dimensions a shape may have (NumPy 2 allows 64)
MAX_DIMS = 64

_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = 60
_REPR.maxlist = _REPR.maxtuple = 6
_REPR.maxlevel = 3


class Unreadable(Exception):
    """A value that is not what a check can read.

    Args:
        want: what the check needs, e.g. ``"real numbers"``.
        got: what it received, e.g. ``"complex numbers (dtype complex64)"``.
    """

    def __init__(self, want, got):
        super().__init__(f"should be {want}; got {got}")
        self.want, self.got = want, got


def misuse(check, argument, want, got):
    """The grader's error: ``checks.close: atol must be a finite number >= 0; received -1``."""
    return RNNGuideError(f"checks.{check}: {argument} must be {want}; received {got}")


def index_text(index):
    """`` at index (1, 2)``: where in an array a message points."""
    return f" at index {tuple(int(i) for i in index)}"


def short(value):
    """A repr of ``value`` of at most about 60 characters, for a message; it never raises."""
    try:
        text = " ".join(line.strip() for line in _REPR.repr(value).splitlines())  # one line
    except Exception:  # noqa: BLE001 - a student's __repr__ may raise anything; so may str(10**5000)
        return f"<{type(value).__name__} that cannot be printed>"
    return text if len(text) <= 60 else text[:57] + "..."


def _got(value):
    """The received value for a message: its type and a short repr (``str '23'``), or ``None``."""
    return "None" if value is None else f"{type(value).__name__} {short(value)}"


def is_tensor(value):
    """True for an array or tensor of a framework (NumPy's scalars such as ``np.int64(3)`` excluded)."""
    return (
        tensor_framework(value) is not None and hasattr(value, "dtype") and not isinstance(value, np.generic)
    )


def _layout_problem(value, sparse_too=True):
    """Unreadable for a value with no single dense shape (ragged; sparse where ``sparse_too``), else None."""
    name = type(value).__name__
    kind = f"{type(value).__module__}.{name} {getattr(value, 'layout', '') if is_tensor(value) else ''}"
    if sparse_too and "sparse" in kind.lower():  # torch's layouts, tf.SparseTensor, jax, MXNet and SciPy
        return Unreadable("a dense tensor", f"a sparse {name} (make it dense first)")
    nested = getattr(value, "is_nested", False) is True  # a torch nested tensor
    ragged_list = isinstance(value, (list, tuple)) and _nested_shape(value) is None
    if "ragged" in kind.lower() or nested or ragged_list:
        return Unreadable("a tensor with one shape", f"a ragged {name} (rows of unequal length)")
    return None


def _nested_shape(value, depth=0):
    """The shape of nested lists and tuples (anything else inside is an entry); None if ragged."""
    if depth > MAX_DIMS:
        return None
    if not isinstance(value, (list, tuple)):
        return ()
    shapes = {_nested_shape(item, depth + 1) for item in value}
    if None in shapes or len(shapes) > 1:
        return None
    return (len(value),) + (shapes.pop() if shapes else ())


def _tensor_array(value):
    """A tensor as a NumPy array; a dtype NumPy lacks (bfloat16, float8) comes back as float32."""
    backend = backend_of(value)
    try:
        array = backend.numpy(value)
    except (TypeError, ValueError):
        if callable(getattr(value, "float", None)):  # PyTorch refuses bfloat16 and float8: widen first
            array = backend.numpy(value.float())
        else:  # a 0-d bfloat16 TF tensor's __array__ gives a scalar, not an array; .numpy() gives it too
            array = np.asarray(value.numpy())
    if array.dtype.kind == "V" and "float" in array.dtype.name:  # ml_dtypes' bfloat16 (TF, JAX)
        array = array.astype(np.float32)
    return array


def read_array(value, allow_bool=False):
    """``value`` as a NumPy array of integers or floats (bools too where ``allow_bool``).

    Args:
        value: a tensor of any framework, a NumPy array or scalar, a Python number, or nested
            lists of numbers with rows of equal length.
        allow_bool: accept bools (for an exact comparison); a value check refuses them.

    Returns:
        A NumPy array of kind ``b`` (only where ``allow_bool``), ``i``, ``u`` or ``f``.

    Raises:
        Unreadable: ``value`` is not numbers, or numbers of a kind a check cannot compare.
    """
    numbers = "numbers or bools" if allow_bool else "a number or a tensor"
    if value is None or isinstance(value, (str, bytes)) or isinstance(value, bool) and not allow_bool:
        raise Unreadable(numbers, _got(value))
    problem = _layout_problem(value)
    if problem is not None:
        raise problem
    try:
        if is_tensor(value):
            array = _tensor_array(value)
        else:
            with warnings.catch_warnings():  # NumPy < 1.24 warns about a list of unequal tensors
                warnings.simplefilter("ignore")
                array = np.asarray(value)
    except Exception:  # noqa: BLE001 - whatever a framework or a student's __array__ raises
        tensor = f"a {type(value).__name__} of dtype {dtype_name(value)}" if is_tensor(value) else None
        raise Unreadable(numbers, tensor or _got(value)) from None
    if array.dtype.kind == "O":  # Python ints too large for int64, or objects of any kind
        if not all(kind(item) == "number" for item in array.flat):  # NumPy would turn None into NaN
            raise Unreadable(numbers, _got(value))
        try:
            array = array.astype(np.float64)
        except OverflowError:
            raise Unreadable("numbers that fit in a float64", _got(value)) from None
    if array.dtype.kind == "c":
        raise Unreadable("real numbers", f"complex numbers (dtype {array.dtype.name})")
    if array.dtype.kind == "b" and not allow_bool:
        raise Unreadable(
            "numbers, not bools", describe(value) + (" of dtype bool" if is_tensor(value) else "")
        )
    if array.dtype.kind not in "biuf":
        raise Unreadable(numbers, f"{type(value).__name__} of dtype {array.dtype} {short(value)}")
    return array


def read_shape(value, like=(2, 3)):
    """A shape as a tuple of ints: a tensor's shape, or the entries of a tuple, list, torch.Size...

    Args:
        value: a tensor (its shape is read), or a sequence of integers such as ``(2, 3)``,
            ``torch.Size([2, 3])`` or a TensorShape. Strings, bools, floats and unknown (None)
            dimensions are refused, never converted.
        like: a shape to show as an example in the message.

    Returns:
        A tuple of Python ints.

    Raises:
        Unreadable: ``value`` is not a shape.
    """
    want = f"a tensor or a shape like {like}"
    problem = _layout_problem(value, sparse_too=False)
    if problem is not None:
        raise problem
    if is_tensor(value):
        try:
            value = backend_of(value).shape(value)
        except Exception:  # noqa: BLE001 - e.g. a torch nested tensor has no sizes
            raise Unreadable(want, f"a {type(value).__name__} without a shape") from None
    if value is None or isinstance(value, (str, bytes, bool)) or is_tensor(value):
        raise Unreadable(want, _got(value))
    try:
        dims = list(itertools.islice(iter(value), MAX_DIMS + 1))
    except Exception:  # noqa: BLE001 - not iterable, or a student's __iter__ that raises
        raise Unreadable(want, _got(value)) from None
    if len(dims) > MAX_DIMS:
        raise Unreadable(f"a shape of at most {MAX_DIMS} dimensions", _got(value))
    for i, n in enumerate(dims):
        if isinstance(n, (bool, np.bool_)):
            raise Unreadable("a shape of whole numbers", f"{short(n)} at position {i}")
        try:
            dims[i] = operator.index(n)
        except Exception:  # noqa: BLE001 - a float, None, or a student's __index__ that raises
            raise Unreadable("a shape of whole numbers", f"{_got(n)} at position {i}") from None
    return tuple(dims)


def describe(value):
    """A short description of ``value`` for a message: its type and shape, never its numbers."""
    type_name = type(value).__name__
    if is_tensor(value):
        try:
            return f"a {type_name} of shape {read_shape(value)}"
        except Unreadable:
            return f"a {type_name}"
    if isinstance(value, (tuple, list)):
        return f"a {type_name} of {len(value)} items"
    return f"a {type_name}"


def kind(value):
    """``'bool'``, ``'number'`` (int or float of Python or NumPy) or None for anything else."""
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return "number"
    return None


def same_type(value, expected):
    """Numbers with numbers, bools with bools, and otherwise an instance of the expected type."""
    if kind(expected) is not None:
        return kind(value) == kind(expected)
    return isinstance(value, type(expected))


def holds_nan(expected):
    """True when ``expected`` is NaN, or a tensor, tuple or list holding one."""
    if isinstance(expected, (list, tuple)):
        return any(holds_nan(item) for item in expected)
    if is_tensor(expected) or kind(expected) == "number":
        try:
            return bool(np.isnan(read_array(expected, allow_bool=True).astype(np.float64)).any())
        except (Unreadable, OverflowError):
            return False
    return False


def as_arrays(value, expected):
    """Whether ``equal`` compares these as arrays: a tensor expected, or a tensor for a number or bool."""
    return is_tensor(expected) or (is_tensor(value) and kind(expected) is not None)


def same(value, expected, equal_nan):
    """Whether ``value`` equals ``expected`` by the rules of ``checks.equal``; tuples item by item."""
    if as_arrays(value, expected):
        return array_problem(value, expected, equal_nan) is None
    if not same_type(value, expected):
        return False
    if kind(expected) == "number":  # exact: Python compares an int with a float without rounding
        received, want = (x.item() if isinstance(x, np.generic) else x for x in (value, expected))
        return received == want or (equal_nan and received != received and want != want)
    if isinstance(expected, (list, tuple)):
        return len(value) == len(expected) and all(same(v, e, equal_nan) for v, e in zip(value, expected))
    try:  # the expected type's ==, so that an answer whose __eq__ says yes to everything cannot pass
        result = type(expected).__eq__(expected, value)
    except Exception:  # noqa: BLE001 - the answer may make the comparison raise anything
        return False
    return isinstance(result, (bool, np.bool_)) and bool(result)


def array_problem(value, expected, equal_nan):
    """What makes tensor ``value`` differ from ``expected`` (shape, bools or numbers, entries), or None."""
    try:
        want = read_array(expected, allow_bool=True)
    except Unreadable as err:
        raise misuse("equal", "expected", err.want, err.got) from None
    try:
        received = read_array(value, allow_bool=True)
    except Unreadable as err:
        return str(err)
    if not is_tensor(expected) and received.shape != ():
        return f"should be of type {type(expected).__name__}; got {describe(value)}"
    if received.shape != want.shape:
        return f"has shape {received.shape}; expected shape {want.shape}"
    if (received.dtype.kind == "b") != (want.dtype.kind == "b"):
        return (
            "holds bools; expected numbers" if received.dtype.kind == "b" else "holds numbers; expected bools"
        )
    pairs = zip(received.astype(object).ravel(), want.astype(object).ravel())  # Python ints: exact
    equal = np.array([a == e or (equal_nan and a != a and e != e) for a, e in pairs], dtype=bool)
    if equal.all():
        return None
    if received.ndim == 0:
        return f"is {short(received.item())}, not the expected value"
    where = index_text(np.unravel_index(int(np.argmin(equal)), received.shape))
    return f"is wrong{where}, not the expected value"
