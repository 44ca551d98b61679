"""Checkpoints: portable .npz, atomic writes, clear errors for bad files."""

import json

import numpy as np
import pytest

from rnn_guide import RNNGuideError
from rnn_guide import checkpoint as ckpt
from rnn_guide.data import Vocab

VOCAB = Vocab("abc ").idx_to_token  # [' ', '<unk>', 'a', 'b', 'c']
V, H = len(VOCAB), 3


def params(seed=0):
    rng = np.random.default_rng(seed)
    shapes = {"W_xh": (V, H), "W_hh": (H, H), "b_h": (H,), "W_hq": (H, V), "b_q": (V,)}
    return {k: rng.normal(size=s).astype(np.float32) for k, s in shapes.items()}


def test_roundtrip(tmp_path):
    p = params()
    path = ckpt.save_checkpoint(tmp_path / "m", p, VOCAB, {"lr": 1.0})
    assert path.name == "m.npz"
    loaded = ckpt.load_checkpoint(path)
    assert loaded["vocab"] == VOCAB and loaded["meta"] == {"lr": 1.0} and loaded["format_version"] == 1
    for name in ckpt.PARAM_NAMES:
        np.testing.assert_array_equal(loaded["params"][name], p[name])
    with np.load(path, allow_pickle=False) as f:  # plain arrays only, no pickled objects
        assert all(f[k].dtype != object for k in f.files)


def test_missing_file(tmp_path):
    with pytest.raises(RNNGuideError, match="no checkpoint at .*nope.npz: the file does not exist"):
        ckpt.load_checkpoint(tmp_path / "nope.npz")


def test_truncated_file(tmp_path):
    path = ckpt.save_checkpoint(tmp_path / "m.npz", params(), VOCAB, {})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(RNNGuideError, match="not a readable rnn_guide checkpoint"):
        ckpt.load_checkpoint(path)


def test_other_npz_and_other_version(tmp_path):
    np.savez(tmp_path / "other.npz", x=np.ones(3))
    with pytest.raises(RNNGuideError, match=r"not an rnn_guide checkpoint: it lacks \['W_hh'"):
        ckpt.load_checkpoint(tmp_path / "other.npz")
    arrays = {
        **params(),
        "vocab": np.asarray(VOCAB),
        "meta": np.asarray(json.dumps({})),
        "format_version": np.asarray(99),
    }
    np.savez(tmp_path / "future.npz", **arrays)
    with pytest.raises(RNNGuideError, match="format version 99, expected 1"):
        ckpt.load_checkpoint(tmp_path / "future.npz")
    arrays.update(format_version=np.asarray(1), vocab=np.asarray(VOCAB[:-1]))
    np.savez(tmp_path / "mismatch.npz", **arrays)
    with pytest.raises(RNNGuideError, match="do not fit a vocabulary of 4"):
        ckpt.load_checkpoint(tmp_path / "mismatch.npz")


def test_interrupted_save_leaves_the_old_file(tmp_path, monkeypatch):
    path = ckpt.save_checkpoint(tmp_path / "m.npz", params(0), VOCAB, {"version": "old"})

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # the student pressed stop in the middle of writing

    monkeypatch.setattr(ckpt.np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        ckpt.save_checkpoint(path, params(1), VOCAB, {"version": "new"})
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]  # no partial file left
    assert ckpt.load_checkpoint(path)["meta"] == {"version": "old"}


def test_save_errors(tmp_path):
    with pytest.raises(RNNGuideError, match=r"parameters \['b_q'\] are missing"):
        ckpt.save_checkpoint(tmp_path / "m.npz", {k: v for k, v in params().items() if k != "b_q"}, VOCAB, {})
    with pytest.raises(RNNGuideError, match="the folder .*missing does not exist"):
        ckpt.save_checkpoint(tmp_path / "missing" / "m.npz", params(), VOCAB, {})
