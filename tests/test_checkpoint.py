"""Checkpoints: safetensors files with checked metadata, written atomically to exactly the path given."""

import json

import numpy as np
import pytest
import safetensors.numpy

from rnn_guide import RNNLM, RNNGuideError
from rnn_guide import checkpoint as ckpt
from rnn_guide.data import Vocab

VOCAB = Vocab("abc ").idx_to_token  # [' ', '<unk>', 'a', 'b', 'c']
V, H = len(VOCAB), 3
META = {"preprocessed": True, "lr": 1.0}


def params(seed=0):
    rng = np.random.default_rng(seed)
    shapes = {"W_xh": (V, H), "W_hh": (H, H), "b_h": (H,), "W_hq": (H, V), "b_q": (V,)}
    return {k: rng.normal(size=s).astype(np.float32) for k, s in shapes.items()}


def test_roundtrip_to_exactly_the_path_given(tmp_path):
    p = params()
    path = ckpt.save_checkpoint(tmp_path / "m", p, VOCAB, META)
    assert path == tmp_path / "m" and [f.name for f in tmp_path.iterdir()] == ["m"]  # no suffix added
    loaded = ckpt.load_checkpoint(path)
    assert loaded["vocab"] == VOCAB and loaded["format_version"] == 2
    assert loaded["meta"] == {"cell": "rnn", "num_hiddens": H, **META}
    for name in ckpt.PARAM_NAMES:
        np.testing.assert_array_equal(loaded["params"][name], p[name])
        assert loaded["params"][name].dtype == np.float32


def test_the_file_is_plain_safetensors(tmp_path):
    path = ckpt.save_checkpoint(tmp_path / "m.safetensors", params(), VOCAB, META)
    tensors = safetensors.numpy.load_file(path)  # any safetensors reader opens it
    assert sorted(tensors) == sorted(ckpt.PARAM_NAMES)
    assert all(t.dtype == np.float32 for t in tensors.values())
    with safetensors.safe_open(str(path), framework="numpy") as f:
        metadata = f.metadata()
    assert set(metadata) == {"format_version", "vocab", "meta"} and metadata["format_version"] == "2"
    assert json.loads(metadata["vocab"]) == VOCAB
    assert json.loads(metadata["meta"])["preprocessed"] is True


def test_interrupted_save_leaves_the_old_file(tmp_path, monkeypatch):
    path = ckpt.save_checkpoint(tmp_path / "m.safetensors", params(0), VOCAB, {**META, "version": "old"})

    def crash(fd):
        raise KeyboardInterrupt  # the student pressed stop while the new file was being written

    monkeypatch.setattr(ckpt.os, "fsync", crash)
    with pytest.raises(KeyboardInterrupt):
        ckpt.save_checkpoint(path, params(1), VOCAB, {**META, "version": "new"})
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]  # no partial file left
    assert ckpt.load_checkpoint(path)["meta"]["version"] == "old"


def test_a_failed_write_is_a_clear_error_and_leaves_nothing(tmp_path, monkeypatch):
    def disk_full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ckpt.os, "replace", disk_full)
    with pytest.raises(RNNGuideError, match=r"cannot save to .*m.safetensors: No space left on device"):
        ckpt.save_checkpoint(tmp_path / "m.safetensors", params(), VOCAB, META)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda p, v, m: p.pop("b_q"), r"parameters \['b_q'\] are missing"),
        (lambda p, v, m: p.update(b_q=np.array(["x"] * V)), "parameter b_q must be real numbers"),
        (lambda p, v, m: p.update(W_hh=np.float32(1)), r"W_hh has shape \(\)"),
        (lambda p, v, m: p["W_hq"].__setitem__(0, np.nan), "W_hq must hold finite numbers"),
        (lambda p, v, m: v.remove("<unk>"), "vocab must contain '<unk>'"),
        (lambda p, v, m: v.__setitem__(2, "\x1b[2J"), r"vocab\[2\] must be printable.*received '\\x1b\[2J'"),
        (lambda p, v, m: m.pop("preprocessed"), "meta has no 'preprocessed'"),
        (lambda p, v, m: m.update(preprocessed="no"), "'preprocessed' must be true or false"),
        (lambda p, v, m: m.update(num_hiddens=7), "'num_hiddens' is 7, expected 3 as in W_hh"),
        (lambda p, v, m: m.update(lr=float("nan")), r"meta\['lr'\] must be a finite number, received nan"),
        (
            lambda p, v, m: m.update(lr=np.float32("inf")),
            r"meta\['lr'\] must be a finite number, received inf",
        ),
        (
            lambda p, v, m: m.update(s=[1.0, {"x": -np.inf}]),
            r"meta\['s'\]\[1\]\['x'\] must be a finite number",
        ),
        (
            lambda p, v, m: m.update(callback=print),
            r"meta\['callback'\] must be a JSON value, received <built",
        ),
        (lambda p, v, m: m.update(s={(1, 2): 3}), r"keys of meta\['s'\] must be strings, received \(1, 2\)"),
        (
            lambda p, v, m: m.update(s=[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]),
            r"meta\['s'\]\[0\].* more than 16 deep",
        ),
        (lambda p, v, m: v.append("x" * 65), r"vocab\[5\] has 65 characters, expected at most 64"),
        (lambda p, v, m: p["W_hh"].__setitem__(0, 1e38), r"W_hh holds a value of magnitude 1e\+38"),
    ],
)
def test_what_would_not_load_back_is_not_saved(tmp_path, change, message):
    p, v, m = params(), list(VOCAB), dict(META)
    change(p, v, m)
    with pytest.raises(RNNGuideError, match=message):
        ckpt.save_checkpoint(tmp_path / "m.safetensors", p, v, m)
    assert list(tmp_path.iterdir()) == []


def test_check_writable(tmp_path):
    assert ckpt.check_writable(tmp_path / "new.safetensors") == tmp_path / "new.safetensors"
    with pytest.raises(RNNGuideError, match="the folder .*missing does not exist"):
        ckpt.check_writable(tmp_path / "missing" / "m.safetensors")
    with pytest.raises(RNNGuideError, match="it is a directory, expected a file name"):
        ckpt.check_writable(tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(RNNGuideError, match="file is not a folder"):
        ckpt.check_writable(tmp_path / "file" / "m.safetensors")
    with pytest.raises(RNNGuideError, match="path must be a file path .*received 3"):
        ckpt.check_writable(3)
    assert list(tmp_path.iterdir()) == [tmp_path / "file"]  # the check leaves nothing behind


def test_model_save_checks_the_destination_and_its_setting_names(tmp_path):
    model = RNNLM(Vocab.from_tokens_list(VOCAB), H, "numpy")
    with pytest.raises(RNNGuideError, match="the folder .*nowhere does not exist"):
        model.save(tmp_path / "nowhere" / "m.safetensors")
    with pytest.raises(RNNGuideError, match=r"settings may not be named \['num_hiddens'\]"):
        model.save(tmp_path / "m.safetensors", num_hiddens=5)
    path = model.save(tmp_path / "m.safetensors", epochs=3)
    loaded = RNNLM.load(path, "numpy")
    expected = {"cell": "rnn", "num_hiddens": H, "preprocessed": True, "framework": "numpy", "epochs": 3}
    assert loaded.meta == expected


def test_numpy_scalars_in_meta_are_saved_as_plain_json(tmp_path):
    meta = {**META, "epochs": np.int64(5), "lr": np.float32(0.5), "clip": np.bool_(True), "s": (np.int8(1),)}
    path = ckpt.save_checkpoint(tmp_path / "m.safetensors", params(), VOCAB, meta)
    loaded = ckpt.load_checkpoint(path)["meta"]
    assert (loaded["epochs"], loaded["lr"], loaded["clip"], loaded["s"]) == (5, 0.5, True, [1])
    assert type(loaded["epochs"]) is int and type(loaded["clip"]) is bool
