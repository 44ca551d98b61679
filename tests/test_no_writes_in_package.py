"""Nothing the package does with its default arguments writes inside the installed package.

The shipped models, the text and the notebooks live in the package's folder, and a call that
forgot its destination must not replace them (``pretrained.save`` used to write over the shipped
``char_rnn.safetensors`` when given no destination). The test takes a snapshot of every file under
the package (size, modification time and SHA-1; ``__pycache__`` left out, where Python itself
writes bytecode), calls the public functions that save, train or write with their defaults from
a working folder elsewhere, and checks that the snapshot has not changed. Of a ``.py`` file only
the name counts: the package never rewrites its own code, and an editor may, during the run.
"""

import hashlib
from pathlib import Path

import pytest
from hostile import tiny_data

import rnn_guide
from rnn_guide import RNNLM, RNNGuideError, pretrained
from rnn_guide._cli import main
from rnn_guide.checkpoint import save_checkpoint
from rnn_guide.training import train

PACKAGE = Path(rnn_guide.__file__).resolve().parent


def snapshot(folder):
    """``{path: (size, mtime_ns, sha1)}`` of every file under ``folder`` (``None`` for source code)."""
    files = (p for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts)
    return {str(p.relative_to(folder)): None if p.suffix == ".py" else fingerprint(p) for p in files}


def fingerprint(path):
    return path.stat().st_size, path.stat().st_mtime_ns, hashlib.sha1(path.read_bytes()).hexdigest()


@pytest.fixture
def package_unchanged(tmp_path, monkeypatch):
    """Run the test from an empty working folder and check afterwards that the package is as before."""
    before = snapshot(PACKAGE)
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    after = snapshot(PACKAGE)
    changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    assert not changed, f"written inside the installed package {PACKAGE}: {changed}"


def test_pretrained_save_has_no_default_destination(package_unchanged):
    model, meta = pretrained.load("rnn", "numpy"), {"epochs": 1}
    with pytest.raises(TypeError, match="destination"):
        pretrained.save(model, meta)  # the missing destination is the point
    with pytest.raises(
        RNNGuideError, match="pretrained.save: destination must be a file path .*received None"
    ):
        pretrained.save(model, meta, None)


def test_saving_loading_training_and_generating_with_defaults(framework, package_unchanged):
    folder = package_unchanged
    data = tiny_data()
    model = RNNLM(data.vocab, 8, framework)
    train(model, data, epochs=1, progress=False)
    model.save("m.safetensors", epochs=1)  # a relative path lands in the working folder
    assert (folder / "m.safetensors").is_file()
    pretrained.save(pretrained.load("gru", framework), {"epochs": 50}, folder / "gru.safetensors")
    params = {name: model.d2l.numpy(p) for name, p in model.params._asdict().items()}
    save_checkpoint("c.safetensors", params, model.vocab.idx_to_token, {"preprocessed": True})
    assert sorted(p.name for p in folder.iterdir()) == ["c.safetensors", "gru.safetensors", "m.safetensors"]


def test_the_command_line_with_defaults(framework, package_unchanged, capsys):
    folder = package_unchanged
    assert main(["train", "-f", framework, "--epochs", "1", "--no-progress"]) == 0  # the book's settings
    assert main(["generate", "--checkpoint", str(pretrained.path("lstm")), "-f", framework]) == 0
    assert main(["notebooks", "out"]) == 0
    capsys.readouterr()
    assert list(folder.iterdir()) and (folder / "out").is_dir()
