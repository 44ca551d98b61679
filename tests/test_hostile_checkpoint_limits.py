"""Hostile checkpoints, huge requests and careless saves: one row per finding of issue 25.

Each row is ``(id, call, match, error)`` as in tests/hostile.py: ``call(ctx)`` must raise exactly
``error`` and the regex ``match`` names the bad value and the limit, key or path. The rows run on
every backend under test. The tests after the table check what must work instead (NumPy
integers in settings, weights just inside the bound, the shipped models with a hostile
``XDG_CACHE_HOME``) and that ``rnn-guide generate`` answers a hostile file in one short line.
"""

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
import safetensors.numpy
from hostile import INF, NAN, Ctx, raises_as_the_row_says, row

import rnn_guide
from rnn_guide import RNNLM, RNNGuideError, pretrained
from rnn_guide._cli import main
from rnn_guide._files import nested_deeper_than
from rnn_guide.checkpoint import largest_weight
from rnn_guide.limits import MAX_JSON_DEPTH, MAX_NUM_CHARS, MAX_TOKEN_CHARS, MAX_VOCAB_SIZE

VOCAB = [" ", "<unk>", "a", "b"]
V, H = len(VOCAB), 2
META = {"cell": "rnn", "num_hiddens": H, "preprocessed": True, "framework": "numpy"}


def nested(depth):
    """JSON text of ``depth`` lists, one inside the other: ``[[...[1]...]]``."""
    return "[" * depth + "1" + "]" * depth


def checkpoint_bytes(vocab=None, meta=None, **tensor_changes):
    """A small good checkpoint with the given ``vocab``/``meta`` (JSON text or value) or tensors."""
    rng = np.random.default_rng(0)
    shapes = {"W_xh": (V, H), "W_hh": (H, H), "b_h": (H,), "W_hq": (H, V), "b_q": (V,)}
    tensors = {k: rng.normal(size=s).astype(np.float32) for k, s in shapes.items()}
    metadata = {"format_version": "2", "vocab": json.dumps(VOCAB), "meta": json.dumps(META)}
    for key, value in [("vocab", vocab), ("meta", meta)]:
        if value is not None:
            metadata[key] = value if isinstance(value, str) else json.dumps(value)
    return safetensors.numpy.save({**tensors, **tensor_changes}, metadata=metadata)


# id -> the arguments of checkpoint_bytes; each file is loaded by a row and given to `rnn-guide generate`
FILES = {
    "token-1MB": {"vocab": [" ", "<unk>", "a", "b" * 10**6]},
    "token-65": {"vocab": [" ", "<unk>", "x" * (MAX_TOKEN_CHARS + 1), "b"]},
    "vocab-65537": {"vocab": [f"t{i}" for i in range(MAX_VOCAB_SIZE + 1)]},
    "meta-deep": {"meta": nested(100_000)},
    "vocab-deep": {"vocab": nested(100_000)},
    "meta-unclosed": {"meta": "[" * 100_000},
    "meta-setting-17": {"meta": {**META, "s": json.loads(nested(MAX_JSON_DEPTH))}},
    "huge-W_hh": {"W_hh": np.full((H, H), 3e38, np.float32)},
    "huge-b_q": {"b_q": np.full(V, -1e38, np.float32)},
}


def load(c, name):
    path = c.tmp / f"{name}.safetensors"
    path.write_bytes(checkpoint_bytes(**FILES[name]))
    return RNNLM.load(path, c.d2l)


@contextlib.contextmanager
def unreadable_to_us(path):
    """Make ``path`` unreadable to this process: mode 000, and as root a drop to the user nobody.

    Root reads a mode-000 file anyway, so as root the block runs with the effective user id of
    nobody (put back after it); where that is not allowed, the test is skipped and says why.
    """
    if os.name != "posix":
        pytest.skip("file modes as on POSIX")
    path.chmod(0o000)
    if os.geteuid() != 0:
        yield
        return
    try:
        os.seteuid(65534)  # nobody
    except PermissionError:
        pytest.skip("running as root without the right to change the effective user; mode 000 is readable")
    try:
        yield
    finally:
        os.seteuid(0)


def load_unreadable(c):
    folder = Path(tempfile.mkdtemp(prefix="rnn_guide_"))  # under /tmp: nobody may pass a 0o711 folder
    try:
        folder.chmod(0o711)
        path = folder / "m.safetensors"
        path.write_bytes(checkpoint_bytes())
        with unreadable_to_us(path):
            return RNNLM.load(path, c.d2l)
    finally:
        shutil.rmtree(folder)


def predict_with_huge_weights(c):
    """A model (in memory, not from a file) whose scores overflow: H is about 1, W_hq is 1e38."""
    p, vocab_size = c.model.params, len(c.data.vocab)
    c.model.params = p._replace(
        b_h=c.d2l.tensor(np.full(8, 10.0, np.float32)),
        W_hq=c.d2l.tensor(np.full((8, vocab_size), 1e38, np.float32)),
    )
    with np.errstate(over="ignore"):  # NumPy warns of the overflow that the row is about
        return c.predict()


def load_missing_with_cache_home(c):
    with mock.patch.dict(os.environ, {"XDG_CACHE_HOME": "/etc/passwd"}):
        return RNNLM.load(c.tmp / "missing.safetensors", c.d2l)


NO_CACHE_ADVICE = r"^(?!.*(?:/etc/passwd|put a copy))"
LIMIT = r"\(rnn_guide\.limits\.{}\)"

# fmt: off
ROWS = [
    # ---- hostile checkpoint files: refused while loading, naming the file, the key and the limit
    row("vocab token of 1 MB", lambda c: load(c, "token-1MB"),
        r"token-1MB\.safetensors: vocab\[3\] has 1,000,000 characters, expected at most 64 "
        + LIMIT.format("MAX_TOKEN_CHARS") + r", received 'bbbb.*\(1000002 characters\)$"),
    row("vocab token of 65 characters", lambda c: load(c, "token-65"),
        r"vocab\[2\] has 65 characters, expected at most 64 " + LIMIT.format("MAX_TOKEN_CHARS")),
    row("vocab of 65,537 tokens", lambda c: load(c, "vocab-65537"),
        r"vocab holds 65,537 tokens, expected at most 65,536 " + LIMIT.format("MAX_VOCAB_SIZE")),
    row("meta of 100,000 nested lists", lambda c: load(c, "meta-deep"),
        r"meta-deep\.safetensors: meta nests lists and objects more than 16 deep "
        + LIMIT.format("MAX_JSON_DEPTH") + r", received '\[\[\["),
    row("vocab of 100,000 nested lists", lambda c: load(c, "vocab-deep"),
        r"vocab nests lists and objects more than 16 deep " + LIMIT.format("MAX_JSON_DEPTH")),
    row("meta of 100,000 unclosed lists", lambda c: load(c, "meta-unclosed"),
        r"meta nests lists and objects more than 16 deep " + LIMIT.format("MAX_JSON_DEPTH")),
    row("meta setting 17 deep", lambda c: load(c, "meta-setting-17"),
        r"meta nests lists and objects more than 16 deep"),
    row("huge finite W_hh in a file", lambda c: load(c, "huge-W_hh"),
        r"checkpoint .*huge-W_hh\.safetensors: parameter W_hh holds a value of magnitude 3e\+38, "
        r"expected at most 2\.43e\+37"),
    row("huge finite b_q in a file", lambda c: load(c, "huge-b_q"),
        r"huge-b_q\.safetensors: parameter b_q holds a value of magnitude 1e\+38"),
    row("checkpoint without read permission", load_unreadable,
        r"^cannot read /.*m\.safetensors: permission denied$"),
    row("XDG_CACHE_HOME=/etc/passwd, missing checkpoint", load_missing_with_cache_home,
        NO_CACHE_ADVICE + r"no checkpoint at .*missing\.safetensors: the file does not exist$"),
    # ---- generation and scoring
    row("predict 10**9 characters", lambda c: c.predict(num_chars=10**9),
        r"predict: num_chars must be at most 100,000 " + LIMIT.format("MAX_NUM_CHARS")
        + r", received 1,000,000,000"),
    row("predict MAX_NUM_CHARS + 1", lambda c: c.predict(num_chars=MAX_NUM_CHARS + 1),
        r"num_chars must be at most 100,000 .*received 100,001"),
    row("predict with huge finite weights", predict_with_huge_weights,
        r"scores are not finite \(NaN or inf\).*the largest parameter, W_hq, reaches 1e\+38"),
    row("score one character", lambda c: c.model.score("a"),
        r"score: text is too short to score, it needs at least 2 characters .*received 'a' \(1 character\)"),
    row("score empty text", lambda c: c.model.score(""),
        r"text is too short to score.*received '' \(0 characters\)"),
    # ---- saving: a refused setting is named by its key
    row("save lr=nan", lambda c: c.model.save(c.tmp / "m.safetensors", lr=NAN),
        r"cannot save: meta\['lr'\] must be a finite number, received nan$"),
    row("save epochs=inf", lambda c: c.model.save(c.tmp / "m.safetensors", epochs=INF),
        r"meta\['epochs'\] must be a finite number, received inf"),
    row("save a NaN inside a list", lambda c: c.model.save(c.tmp / "m", s=[1.0, {"lr": np.float32("nan")}]),
        r"meta\['s'\]\[1\]\['lr'\] must be a finite number, received nan"),
    row("save a callback", lambda c: c.model.save(c.tmp / "m", callback=print),
        r"meta\['callback'\] must be a JSON value, received <built-in function print>"),
    row("pretrained.save to None", lambda c: pretrained.save(c.model, {"epochs": 1}, None),
        r"pretrained\.save: destination must be a file path .*received None"),
]
# fmt: on


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_row(row, backend, tmp_path):
    raises_as_the_row_says(row, lambda: row.call(Ctx(backend, tmp_path)))
    assert not (tmp_path / "m.safetensors").exists() and not (tmp_path / "m").exists()


def test_the_table_covers_every_file_and_ids_are_unique():
    assert len({r.id for r in ROWS}) == len(ROWS)
    assert all(r.error is RNNGuideError for r in ROWS)


@pytest.mark.parametrize("name", list(FILES))
def test_a_hostile_file_is_one_short_line_from_generate(backend, tmp_path, capsys, name):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(checkpoint_bytes(**FILES[name]))
    assert main(["generate", "--checkpoint", str(path), "-f", backend.name]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("rnn-guide: error: ") and err.count("\n") == 1, err[:300]
    assert len(err) < 500, f"{len(err)} characters"


# ------------------------------------------------------------------ what must work
def test_numpy_numbers_in_settings_are_saved_as_plain_json(backend, tmp_path):
    model = Ctx(backend, tmp_path).model
    path = model.save(tmp_path / "m.safetensors", epochs=np.int64(5), lr=np.float32(0.5), clip=np.bool_(True))
    meta = RNNLM.load(path, backend).meta
    assert (meta["epochs"], meta["lr"], meta["clip"]) == (5, 0.5, True)
    assert (type(meta["epochs"]), type(meta["clip"])) == (int, bool)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_weights_just_inside_the_bound_load_and_generate(backend, tmp_path, cell):
    """The worst case for overflow: every parameter at the bound, every state at 1."""
    vocab = Ctx(backend, tmp_path).data.vocab
    model = RNNLM(vocab, 8, backend, cell=cell)
    bound = np.float32(largest_weight(len(vocab), 8) * 0.999)
    model.params = type(model.params)(
        *(backend.tensor(np.full(backend.shape(p), bound)) for p in model.params)
    )
    again = RNNLM.load(model.save(tmp_path / "m.safetensors"), backend)
    assert len(again.predict("the", 5)) == 8


def test_the_shipped_models_load_whatever_xdg_cache_home_says(backend, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", "/etc/passwd")
    assert len(pretrained.load("rnn", backend).predict("time", 3)) == 7


def test_no_module_builds_advice_from_a_cache_folder():
    """The download cache was removed: nothing in the package reads XDG_CACHE_HOME any more."""
    package = Path(rnn_guide.__file__).parent
    for source in package.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "XDG_CACHE_HOME" not in text and "put a copy" not in text, source


@pytest.mark.parametrize(
    "text, limit, deeper",
    [
        ("1", 0, False),
        ("[1]", 0, True),
        ('{"a": [1]}', 1, True),
        ('{"a": [1]}', 2, False),
        ('["[[[[", "\\"[[[["]', 1, False),  # brackets inside strings, escaped quotes
        ("[[],[[]]]", 2, True),
        ("[[],[[]]]", 3, False),
        ("[" * 100_000, 16, True),  # unclosed: a parser would still recurse
        (nested(16), 16, False),
        (nested(17), 16, True),
        ('"' + "[" * 100, 0, False),  # an unterminated string runs to the end
    ],
)
def test_nesting_is_measured_as_a_parser_recurses(text, limit, deeper):
    assert nested_deeper_than(text, limit) is deeper
