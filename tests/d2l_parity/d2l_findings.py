"""What the d2l parity tests found: the real d2l 1.0.3 against rnn_guide, one row per finding.

Each row is one line of the README table "d2l 1.0.3 vs rnn_guide". A cell says what
d2l 1.0.3 does in one backend and is a claim that ``test_d2l_parity.py`` checks in
that backend's tox env (``d2l-pytorch``, ...):

- ``SAME``: d2l gives the same values, dtype and shape as rnn_guide on the same inputs;
- ``MISSING``: d2l has no such name;
- ``DEFINED``: d2l has the name and rnn_guide does not;
- ``NA``: nothing to say for this backend (not checked);
- any other text: a difference, checked by the row's own check in ``test_d2l_parity.py``.

``scripts/render_d2l_table.py`` renders these rows as the README table, and
``tests/test_d2l_table.py`` fails when the README's copy is out of date. This module
imports nothing, so the table renders anywhere.
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


_AS_OURS = "`True` for most draws, as rnn_guide on the same inputs; same values to rounding"


def _code(names):
    return ", ".join(f"`{n}`" for n in names)


#: rnn_guide helpers that are not tensor helpers (attributes of the backend object)
OURS_NOT_HELPERS = ("name", "module_name", "extra", "xp", "device")

SAME_OPS = (
    "matmul",
    "concat",
    "stack",
    "reshape",
    "tanh",
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
    "clip_by_global_norm",
    "seed",
    "shape",
    "is_tensor",
    "stop_gradient",
    "value_and_grad",
    "jit",
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
    "sigmoid",
    "reduce_mean",
    "astype",
    "transpose",
    "expand_dims",
    "repeat",
    "int32",
    "int64",
    "nn_Module",
)

ROWS = (
    # ------------------------------------------------------------- tensor helpers
    Row(
        "same_ops",
        _code(SAME_OPS) + " (with an explicit `axis`)",
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
        _code(OURS_ONLY),
        OURS_ONLY,
        everywhere(MISSING),
        "defined on every backend with one signature",
    ),
    Row(
        "d2l_only",
        _code(D2L_ONLY_EVERYWHERE),
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
    # ----------------------------------------------------------- the recurrence
    Row(
        "rnn_scratch",
        "`RNNScratch` forward pass",
        (),
        everywhere(SAME),
        "`rnn_forward(X, None, W_xh, W_hh, b_h)`: the same hidden states, to float32 rounding, "
        "on the same parameters",
    ),
    Row(
        "book_check",
        "the book's concatenation check, `d2l.norm(result1 - result2).item() < 1e-6`",
        (),
        everywhere("AttributeError: no `d2l.norm`"),
        "prints `True` on every backend, with its seeded draws",
    ),
    Row(
        "concat_check",
        "the same check with the framework's own norm, on the inputs d2l drew",
        (),
        cells(
            f"with `torch.norm`: {_AS_OURS}",
            f"with `tf.norm(...).numpy()` (TF tensors have no `.item()`): {_AS_OURS}",
            f"with `jnp.linalg.norm`: {_AS_OURS}",
            f"with `np.linalg.norm`: {_AS_OURS}",
        ),
        "the book's line as written: `d2l.norm(...).item()` works on every backend",
    ),
    Row(
        "concat_threshold",
        "its threshold, `1e-6`",
        (),
        everywhere("prints `False` for some draws, from float32 rounding alone"),
        "`rnn_guide.concat_check` scales its tolerance to the dtype and sizes and passes them",
    ),
    # ---------------------------------------------------------- The Time Machine
    Row(
        "tm_text",
        "`TimeMachine`: preprocessing and vocabulary",
        (),
        everywhere(SAME),
        "the same text, and the same 28 tokens in the same order with the same indices and counts",
    ),
    Row(
        "tm_windows",
        "`TimeMachine(batch_size=1024, num_steps=32)`: windows and batches",
        (),
        everywhere(SAME),
        "the same 10,000 training and 5,000 validation windows of 33 characters, in 10 and 5 batches; "
        "validation in order, training shuffled by a seeded NumPy generator",
    ),
    Row(
        "tm_dtype",
        "`TimeMachine` batches",
        (),
        cells("int64 tensors", "int32 tensors", "int32 NumPy arrays", "float32 arrays"),
        "int64 NumPy arrays on every backend; the model converts them",
    ),
    Row(
        "tm_folder",
        "where `TimeMachine` finds the text",
        (),
        everywhere("`../data`, relative to the working directory (no argument); downloaded over `http://`"),
        "`$RNN_GUIDE_DATA_DIR`, else `~/.cache/rnn_guide`; downloaded over `https://` first",
    ),
    Row(
        "download_sha1",
        "`download(url, folder, sha1_hash)`",
        (),
        everywhere("keeps a download whose sha1 is wrong, without a word"),
        "refuses a file whose sha1 is wrong and says where to put the right one",
    ),
    # ------------------------------------------------------------- installation
    Row(
        "pins",
        "`pip install d2l==1.0.3`",
        (),
        everywhere(
            "pins numpy==1.23.5, pandas==2.0.3, matplotlib==3.7.2, scipy==1.10.1, jupyter==1.0.0: "
            "install it with `--no-deps`"
        ),
        "numpy is the only dependency; each framework comes with its extra",
    ),
    Row(
        "imports",
        "`from d2l import <fw>` imports, besides pandas, requests, IPython and matplotlib",
        (),
        cells(
            "torchvision, PIL, scipy",
            "nothing more",
            "flax, optax, tensorflow, tensorflow_datasets",
            "nothing more",
        ),
        "`import rnn_guide` imports numpy only; `use(fw)` imports that framework",
    ),
    Row(
        "keras",
        "`from d2l import tensorflow`: models",
        (),
        cells(
            NA,
            "Keras 2 code: under Keras 3 `RNNScratch` has no trainable variables; "
            "needs `tf-keras` and `TF_USE_LEGACY_KERAS=1`",
            NA,
            NA,
        ),
        "no Keras: works with Keras 3",
    ),
    Row(
        "set_np",
        "`from d2l import mxnet`",
        (),
        cells(NA, NA, NA, "does not call `npx.set_np()` (the book's notebooks do)"),
        "the MXNet backend calls `npx.set_np()` when it is created",
    ),
)
