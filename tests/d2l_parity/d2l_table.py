"""The words of the table "d2l 1.0.3 vs rnn_guide", and its rows about d2l's tensor helpers.

A cell says what d2l 1.0.3 does in one backend (see ``d2l_findings``, which holds the other
rows and the whole table):

- ``SAME``: d2l gives the same values, dtype and shape as rnn_guide on the same inputs;
- ``MISSING``: d2l has no such name;
- ``DEFINED``: d2l has the name and rnn_guide does not;
- ``NA``: nothing to say for this backend (not checked);
- any other text: a difference, checked by the row's own check in ``test_d2l_parity.py``.

It imports only the standard library, so the table renders anywhere: ``d2l_findings`` loads
it, and ``scripts/render_d2l_table.py`` loads ``d2l_findings``. The tests import the words from here.
"""

from typing import NamedTuple

BACKENDS = ("pytorch", "tensorflow", "jax", "mxnet")
HEADERS = {"pytorch": "PyTorch", "tensorflow": "TensorFlow", "jax": "JAX", "mxnet": "MXNet"}

SAME = "same"
MISSING = "missing"
DEFINED = "defined"
NA = "–"
GENERIC = (SAME, MISSING, DEFINED, NA)


class Row(NamedTuple):
    key: str  # the row's id in the tests
    label: str  # first column (markdown)
    names: tuple  # the d2l names this row covers (empty for rows about behaviour)
    cells: dict  # backend -> what d2l 1.0.3 does there
    rnn_guide: str  # what rnn_guide does instead


def everywhere(text):
    return dict.fromkeys(BACKENDS, text)


def cells(pytorch, tensorflow, jax, mxnet):
    return {"pytorch": pytorch, "tensorflow": tensorflow, "jax": jax, "mxnet": mxnet}


def code(names):
    return ", ".join(f"`{n}`" for n in names)


#: rnn_guide helpers that are not tensor helpers (attributes of the backend object)
OURS_NOT_HELPERS = ("name", "module_name", "xp", "device", "compiles")

SAME_OPS = (
    "matmul",
    "concat",
    "stack",
    "reshape",
    "tanh",
    "sigmoid",
    "exp",
    "log",
    "zeros",
    "ones",
    "tensor",
    "numpy",
    "reduce_sum",
    "argmax",
    "float32",
)
OURS_ONLY = (
    "relu",
    "softmax",
    "log_softmax",
    "one_hot",
    "take_rows",
    "split",
    "scan",
    "clip_by_global_norm",
    "seed",
    "shape",
    "is_tensor",
    "stop_gradient",
    "value_and_grad",
    "jit",
    "compiled",
    "builtin_layer",
)
D2L_ONLY_EVERYWHERE = (
    "arange",
    "linspace",
    "eye",
    "meshgrid",
    "ones_like",
    "zeros_like",
    "abs",
    "sin",
    "sinh",
    "cos",
    "cosh",
    "reduce_mean",
    "astype",
    "transpose",
    "expand_dims",
    "repeat",
    "int32",
    "int64",
    "nn_Module",
)

#: the rows about names: d2l's tensor aliases and rnn_guide's helpers
HELPER_ROWS = (
    Row(
        "same_ops",
        code(SAME_OPS) + " (with an explicit `axis`)",
        SAME_OPS,
        everywhere(SAME),
        "the same dtypes and shapes, and the same values to float32 rounding, on the same inputs",
    ),
    Row(
        "norm",
        "`norm`",
        ("norm",),
        everywhere(MISSING),
        "`norm(x)`: Euclidean norm of all entries; `.item()` works on every backend. "
        "The book's concatenation check calls `d2l.norm`",
    ),
    Row(
        "randn",
        "`randn`",
        ("randn",),
        cells(
            "`torch.randn`: torch's global generator",
            MISSING,
            MISSING,
            "`np.random.randn`: MXNet's global generator",
        ),
        "`randn(*shape)` on every backend, drawn from the backend's seeded NumPy generator: "
        "the same numbers in every framework for the same seed",
    ),
    Row(
        "normal",
        "`normal`",
        ("normal",),
        cells(
            "`normal(mean, std, size)`; `normal((3, 4))` raises TypeError",
            "`normal(shape, mean, stddev)`",
            MISSING,
            "`normal(loc, scale, size)`; `normal((3, 4))` raises MXNetError",
        ),
        "`normal(shape, mean=0.0, std=1.0)` on every backend, seeded like `randn`",
    ),
    Row(
        "get_key",
        "`get_key`",
        ("get_key",),
        cells(
            MISSING,
            MISSING,
            "`PRNGKey(random.randint(0, 1e6))`: Python's unseeded `random`. The float bound warns "
            "on Python 3.11 and is a TypeError from 3.12, where `from d2l import jax` fails too "
            "(a default argument calls `get_key()`)",
            MISSING,
        ),
        "`get_key()` on every backend: JAX splits the key set by `d2l.seed(n)`, "
        "so draws repeat run after run",
    ),
    Row(
        "tensor_ints",
        "`tensor` of Python ints",
        (),
        cells(SAME, "int32", SAME, "float32"),
        "int64 (JAX: int32, as JAX has 64-bit types off)",
    ),
    Row(
        "tensor_float64",
        "`tensor` of a float64 NumPy array",
        (),
        cells("keeps float64", "keeps float64", SAME, "keeps float64"),
        "float32, the default dtype everywhere",
    ),
    Row(
        "argmax_default",
        "`argmax(x)` without `axis`",
        (),
        cells(
            "index into the flattened tensor",
            "axis 0",
            "index into the flattened array",
            "index into the flattened array",
        ),
        "the last axis (`axis=-1`)",
    ),
    Row(
        "ours_only",
        code(OURS_ONLY),
        OURS_ONLY,
        everywhere(MISSING),
        "defined on every backend with one signature",
    ),
    Row(
        "d2l_only",
        code(D2L_ONLY_EVERYWHERE),
        D2L_ONLY_EVERYWHERE,
        everywhere(DEFINED),
        "not defined: call the framework (`torch.arange`, `tf.range`, `jnp.arange`, `np.arange`)",
    ),
    Row(
        "d2l_only_some",
        "`batch_matmul`, `rand`, `size`",
        ("batch_matmul", "rand", "size"),
        cells(DEFINED, DEFINED, MISSING, DEFINED),
        "not defined: call the framework",
    ),
    Row(
        "d2l_only_swapaxes",
        "`swapaxes`, `to`",
        ("swapaxes", "to"),
        cells(DEFINED, MISSING, DEFINED, DEFINED),
        "not defined: call the framework",
    ),
    Row(
        "d2l_only_get_seed",
        "`get_seed`",
        ("get_seed",),
        cells(MISSING, MISSING, DEFINED, MISSING),
        "not defined: `d2l.seed(n)` sets the seed",
    ),
)
