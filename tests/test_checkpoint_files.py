"""Checkpoint files on disk: modes, read-only files, leftovers of killed saves, lazy reading.

The memory test writes a checkpoint with an extra 200 MB tensor and loads it in a fresh
process: the loader reads the header and the five parameters only, so its peak RSS barely moves.
"""

import contextlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from rnn_guide import RNNGuideError
from rnn_guide import checkpoint as ckpt
from rnn_guide.data import Vocab

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes and locks as on POSIX")

VOCAB = Vocab("abc ").idx_to_token
V, H = len(VOCAB), 3
META = {"preprocessed": True}
ROOT = Path(__file__).resolve().parents[1]  # subprocesses import this checkout's rnn_guide


def params():
    rng = np.random.default_rng(0)
    shapes = {"W_xh": (V, H), "W_hh": (H, H), "b_h": (H,), "W_hq": (H, V), "b_q": (V,)}
    return {k: rng.normal(size=s).astype(np.float32) for k, s in shapes.items()}


def save(path):
    return ckpt.save_checkpoint(path, params(), VOCAB, META)


def mode(path):
    return path.stat().st_mode & 0o777


@pytest.fixture
def umask():
    """Set the process umask for one test, and put the old one back."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_a_new_file_gets_the_mode_open_gives(tmp_path, umask, mask, expected):
    umask(mask)
    assert mode(save(tmp_path / "m.safetensors")) == expected
    with open(tmp_path / "by_open", "w"):
        pass
    assert mode(tmp_path / "by_open") == expected


@pytest.mark.parametrize("before", [0o600, 0o640, 0o664])
def test_a_replaced_file_keeps_its_mode(tmp_path, umask, before):
    path = save(tmp_path / "m.safetensors")
    path.chmod(before)
    save(path)
    assert mode(path) == before


def test_a_read_only_file_is_refused_not_replaced(tmp_path):
    path = tmp_path / "m.safetensors"
    path.write_bytes(b"keep me")
    path.chmod(0o444)
    with pytest.raises(RNNGuideError, match=r"m.safetensors: the file is read-only \(mode 444\)"):
        save(path)
    assert path.read_bytes() == b"keep me" and mode(path) == 0o444
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]


@contextlib.contextmanager
def as_nobody_if_root():
    """Root writes anywhere, so as root the block runs as the user nobody (and root again after)."""
    if os.geteuid() != 0:
        yield
        return
    try:
        os.seteuid(65534)  # nobody
    except PermissionError:
        pytest.skip("root, without the right to change the effective user, may write anywhere")
    try:
        yield
    finally:
        os.seteuid(0)


def test_a_read_only_folder_is_refused_before_the_work():
    base = Path(tempfile.mkdtemp(prefix="rnn_guide_"))  # under /tmp: any user may pass a 0o711 folder
    folder = base / "ro"
    try:
        base.chmod(0o711)
        folder.mkdir()
        folder.chmod(0o555)
        with (
            as_nobody_if_root(),
            pytest.raises(RNNGuideError, match="cannot save to .*ro/m.safetensors: Permission"),
        ):
            ckpt.check_writable(folder / "m.safetensors")
    finally:
        shutil.rmtree(base)


def test_saving_through_a_symbolic_link_writes_its_target(tmp_path):
    target = save(tmp_path / "real.safetensors")
    (tmp_path / "link.safetensors").symlink_to(target)
    assert save(tmp_path / "link.safetensors") == tmp_path / "link.safetensors"
    assert (tmp_path / "link.safetensors").is_symlink()
    assert ckpt.load_checkpoint(tmp_path / "link.safetensors")["vocab"] == VOCAB


def test_leftovers_of_killed_saves_are_removed_by_the_next_save(tmp_path):
    import fcntl

    dead = tmp_path / ".m.safetensors.0123456789abcdef.part"  # a save killed with -9 left it
    live = tmp_path / ".m.safetensors.fedcba9876543210.part"  # a save still writing holds its lock
    others = [tmp_path / ".n.safetensors.0123456789abcdef.part", tmp_path / ".m.safetensors.notmine.part"]
    for path in [dead, live, *others]:
        path.write_bytes(b"partial")
    with open(live, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        save(tmp_path / "m.safetensors")
        assert not dead.exists() and live.exists() and all(p.exists() for p in others)
    save(tmp_path / "m.safetensors")  # the lock is released: that one is a leftover now
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["m.safetensors"] + [p.name for p in others])


def test_a_save_killed_with_sigkill_is_cleaned_up(tmp_path):
    path = tmp_path / "m.safetensors"
    script = textwrap.dedent(
        """
        import sys, time
        import numpy as np
        from rnn_guide import checkpoint as ckpt
        def stuck(fd):  # the .part file is written: stop here until killed
            print("writing", flush=True)
            time.sleep(600)
        ckpt.os.fsync = stuck
        V, H = 5, 3
        p = {k: np.zeros(s, np.float32) for k, s in
             {"W_xh": (V, H), "W_hh": (H, H), "b_h": (H,), "W_hq": (H, V), "b_q": (V,)}.items()}
        ckpt.save_checkpoint(sys.argv[1], p, [" ", "<unk>", "a", "b", "c"], {"preprocessed": True})
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert proc.stdout.readline().strip() == "writing"
    finally:
        proc.kill()
        proc.wait()
    (part,) = [p for p in tmp_path.iterdir()]
    assert part.name.startswith(".m.safetensors.") and part.name.endswith(".part") and not path.exists()
    save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]


def write_with_extra_tensor(path, extra_bytes):
    """A valid checkpoint followed by an extra float32 tensor of ``extra_bytes`` (written in chunks)."""
    header, offset, chunks = {}, 0, []
    for name, value in params().items():
        data = value.tobytes()
        header[name] = {
            "dtype": "F32",
            "shape": list(value.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        offset += len(data)
        chunks.append(data)
    header["extra"] = {
        "dtype": "F32",
        "shape": [extra_bytes // 4],
        "data_offsets": [offset, offset + extra_bytes],
    }
    meta = {"cell": "rnn", "num_hiddens": H, "preprocessed": True}
    header["__metadata__"] = {"format_version": "2", "vocab": json.dumps(VOCAB), "meta": json.dumps(meta)}
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    block = np.random.default_rng(0).bytes(1 << 22)  # real bytes, not a sparse hole
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))
        for _ in range(extra_bytes // len(block)):
            f.write(block)


MEASURE = """
import resource, sys
from rnn_guide.checkpoint import load_checkpoint
from safetensors import safe_open

def peak_mb():
    # Linux: VmHWM, this process's own high-water mark (getrusage's ru_maxrss keeps the parent's
    # peak across fork and exec, so a test runner's memory would hide the growth).
    try:
        with open("/proc/self/status") as status:
            return next(int(l.split()[1]) for l in status if l.startswith("VmHWM:")) / 2**10
    except (OSError, StopIteration):
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return rss / 2**20 if sys.platform == "darwin" else rss / 2**10  # bytes on macOS, KB on Linux

before = peak_mb()
loaded = load_checkpoint(sys.argv[1])
after_load = peak_mb()
with safe_open(sys.argv[1], framework="numpy") as f:  # reading the extra tensor is what it avoids
    extra = f.get_tensor("extra")
    total = float(extra.sum())  # touch every page, in case the tensor is mapped lazily
print(after_load - before, peak_mb() - after_load, sorted(loaded["params"]))
"""


def test_an_extra_200_mb_tensor_is_never_read(tmp_path):
    path = tmp_path / "big.safetensors"
    write_with_extra_tensor(path, 200 * 2**20)
    start = time.perf_counter()
    command = [sys.executable, "-c", MEASURE, str(path)]
    out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    load_growth, read_growth, names = out.stdout.split(maxsplit=2)
    assert float(load_growth) < 50, out.stdout  # the loader: header and five small tensors
    assert float(read_growth) > 150, out.stdout  # the measurement does see a read of the 200 MB tensor
    assert names.strip() == str(sorted(ckpt.PARAM_NAMES))
    assert time.perf_counter() - start < 60
