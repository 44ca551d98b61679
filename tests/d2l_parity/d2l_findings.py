"""What the d2l parity tests found: the real d2l 1.0.3 against rnn_guide, one row per finding.

Each row is one line of the table in docs/d2l.md, "rnn_guide next to the real d2l 1.0.3". A cell says what
d2l 1.0.3 does in one backend and is a claim that ``test_d2l_parity.py`` checks in
that backend's tox env (``d2l-pytorch``, ...); ``d2l_table`` says what the cell words
(``SAME``, ``MISSING``, ``DEFINED``, ``NA``) mean. The rows about d2l's tensor helpers
are in ``d2l_table`` too; the rows here are about behaviour: the recurrence, The Time
Machine and installing d2l. ``ROWS`` is all of them, in table order.

``scripts/render_d2l_table.py`` renders ``ROWS`` as that table, and
``tests/test_d2l_table.py`` fails when the copy in docs/d2l.md is out of date. This module
imports nothing outside the standard library, so the table renders anywhere.
"""

import importlib.util
from pathlib import Path


def _load_beside(name):
    """The module ``name`` from the file beside this one.

    ``scripts/render_d2l_table.py`` loads this file by its path, outside the ``d2l_parity``
    package, where a relative import fails; loading by path works there and in the tests.
    """
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_table = _load_beside("d2l_table")
Row, cells, everywhere, SAME, NA = _table.Row, _table.cells, _table.everywhere, _table.SAME, _table.NA
#: the columns, read by scripts/render_d2l_table.py
BACKENDS, HEADERS = _table.BACKENDS, _table.HEADERS

_AS_OURS = "`True` for most draws, as rnn_guide on the same inputs; same values to rounding"

ROWS = _table.HELPER_ROWS + (
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
        "inside the package, nothing downloaded; `$RNN_GUIDE_DATA_DIR` names a folder with another copy",
    ),
    Row(
        "download_sha1",
        "`download(url, folder, sha1_hash)`",
        (),
        everywhere("keeps a download whose sha1 is wrong, without a word"),
        "no download (the text ships in the package); a copy whose sha1 is wrong is refused, naming both",
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
