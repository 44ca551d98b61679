"""No process-wide effect unless asked (DESIGN.md, principle 11).

Building a backend, ``backend_of`` and the helpers that call it leave every
random generator outside the backend object alone; ``use`` and ``d2l.seed``
seed on purpose. Importing the package, using a backend and training change no
environment variable, thread setting or malloc setting (``train`` may change the
thread count while it runs and restores it): that is checked in a fresh Python
process, where nothing else has run.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import rnn_guide

ROOT = Path(rnn_guide.__file__).resolve().parents[1]
MODULES = {"pytorch": "torch", "tensorflow": "tensorflow", "jax": "jax", "mxnet": "mxnet"}


def global_generator(framework):
    """``(seed, draw)`` for the framework's global generator; None for JAX, which has none."""
    if framework == "pytorch":
        import torch

        return torch.manual_seed, lambda: torch.randn(3).tolist()
    if framework == "tensorflow":
        import tensorflow as tf

        return tf.random.set_seed, lambda: tf.random.normal((3,)).numpy().tolist()
    if framework == "mxnet":
        import mxnet as mx

        return mx.random.seed, lambda: mx.nd.random.normal(shape=(3,)).asnumpy().tolist()
    return None


def framework_ones(framework, shape):
    """A float32 tensor made by the framework itself, not through rnn_guide."""
    if framework == "pytorch":
        import torch

        return torch.ones(shape)
    if framework == "tensorflow":
        import tensorflow as tf

        return tf.ones(shape)
    if framework == "jax":
        import jax.numpy as jnp

        return jnp.ones(shape)
    from mxnet import np as mnp

    return mnp.ones(shape)


def draws(framework, d2l):
    """The next numbers of every generator involved: global, NumPy's legacy one, the backend's own."""
    generator = global_generator(framework)
    out = {
        "global": generator[1]() if generator else None,
        "np.random": np.random.rand(3).tolist(),
        "own": d2l.numpy(d2l.randn(3)).tolist(),
    }
    if framework == "jax":
        import jax

        out["key"] = np.asarray(jax.random.normal(d2l.get_key(), (3,))).tolist()
    return out


def seed_everything_but_the_backend(framework):
    generator = global_generator(framework)
    if generator:
        generator[0](123)
    np.random.seed(42)


def test_helpers_leave_every_generator_alone(framework):
    d2l = rnn_guide.get_backend(framework)
    X, H = framework_ones(framework, (2, 3)), framework_ones(framework, (2, 4))
    W_xh, W_hh, b_h = framework_ones(framework, (3, 4)), framework_ones(framework, (4, 4)), d2l.zeros((4,))

    def run(call_helpers):
        d2l.seed(7)
        seed_everything_but_the_backend(framework)
        if call_helpers:
            rnn_guide.show(X)
            rnn_guide.rnn_step(X, H, W_xh, W_hh, b_h)
            rnn_guide.concat_check(X, H, W_xh, W_hh)
            rnn_guide.backend_of(X, W_hh)
            rnn_guide.get_backend(framework)
        return draws(framework, d2l)

    assert run(True) == run(False)


def test_building_a_backend_seeds_nothing_outside_it(framework, fresh_backends):
    x = framework_ones(framework, (2, 2))

    def run(build):
        seed_everything_but_the_backend(framework)
        if build:
            rnn_guide.show(x)  # builds the backend: fresh_backends emptied the cache
        generator = global_generator(framework)
        return (generator[1]() if generator else None), np.random.rand(3).tolist()

    assert run(True) == run(False)
    new = rnn_guide.backend_of(x)
    expected = rnn_guide.get_backend("numpy")
    expected.seed(0)
    assert new.numpy(new.randn(3)).tolist() == expected.numpy(expected.randn(3)).tolist()  # its own: 0


def test_one_object_per_framework(framework):
    x = framework_ones(framework, (2,))
    assert rnn_guide.backend_of(x) is rnn_guide.backend_of(x)
    assert rnn_guide.use(framework) is rnn_guide.get_backend(framework)
    assert rnn_guide.backend_of(x) is rnn_guide.get_backend(framework)


def test_use_seeds_like_d2l_seed_and_the_global_generator(framework):
    own = ("own", "key")  # the backend's generator, and JAX's key
    d2l = rnn_guide.use(framework, seed=5)
    after_use = draws(framework, d2l)
    d2l.seed(5)
    after_seed = draws(framework, d2l)
    assert [after_use.get(k) for k in own] == [after_seed.get(k) for k in own]
    generator = global_generator(framework)
    if generator:
        generator[0](123)
        rnn_guide.use(framework, seed=5)
        by_use = generator[1]()
        generator[0](5)  # the framework's own seed call, as a student would write it
        assert by_use == generator[1]()


# A child process reports what it sees as JSON. glibc serves a large malloc with its own mapping
# (mallinfo2's hblks counts them) unless it is below the mmap threshold. That threshold moves up by
# itself to the size of each freed mapped block (at most 32 MiB), so each probe asks for a little
# more than the one before; keep_freed_memory() fixes the threshold at 32 MiB, above both probes.
_CHILD = r"""
import ctypes, json, os, sys

framework, module = sys.argv[1], sys.argv[2]
if module:
    __import__(module)  # the framework's own import effects happen before the snapshot
if module == "torch":  # more than one thread, whatever the machine: train's 'auto' changes it while it runs
    sys.modules["torch"].set_num_threads(3)

libc = ctypes.CDLL(None) if sys.platform.startswith("linux") else None
HAS_MALLINFO2 = hasattr(libc, "mallinfo2")


class MallInfo2(ctypes.Structure):
    names = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()
    _fields_ = [(name, ctypes.c_size_t) for name in names]


def mapped(mib):
    # True when a malloc of `mib` MiB gets its own mapping (glibc's default for large blocks)
    if not HAS_MALLINFO2:
        return None
    libc.mallinfo2.restype = MallInfo2
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    before = libc.mallinfo2().hblks
    block = libc.malloc(mib << 20)
    grew = libc.mallinfo2().hblks - before
    libc.free(block)
    return grew == 1


def threads():
    out = {"affinity": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None}
    if module == "torch":
        import torch
        out["torch"] = [torch.get_num_threads(), torch.get_num_interop_threads()]
    if module == "tensorflow":
        import tensorflow as tf
        out["tf"] = [tf.config.threading.get_intra_op_parallelism_threads(),
                     tf.config.threading.get_inter_op_parallelism_threads()]
    return out


environ, threads_before, mapped_before = dict(os.environ), threads(), mapped(30)
import rnn_guide

if framework == "keep_freed_memory":
    rnn_guide.backends.keep_freed_memory()
else:
    d2l = rnn_guide.use(framework)
    X, H, W_xh, W_hh = d2l.randn(2, 3), d2l.randn(2, 4), d2l.randn(3, 4), d2l.randn(4, 4)
    H = rnn_guide.rnn_step(X, H, W_xh, W_hh, d2l.zeros((4,)))
    d2l.numpy(d2l.clip_by_global_norm([H], 1.0)[0])
    data = rnn_guide.TimeMachine(8, 4, num_train=32, num_val=8, text="the time machine " * 20)
    rnn_guide.train(rnn_guide.RNNLM(data.vocab, 4, d2l), data, epochs=2, progress=False)  # threads='auto'
changed = sorted(k for k in set(environ) | set(os.environ) if environ.get(k) != os.environ.get(k))
seen = {"environ": changed, "threads": [threads_before, threads()], "mapped": [mapped_before, mapped(31)]}
print(json.dumps(seen))
"""


def run_child(framework, module):
    # Unset what an adapter could be tempted to set (TF's log level), so that a write shows.
    unset = ("MALLOC_", "RNN_GUIDE_FRAMEWORK", "TF_CPP_MIN_LOG_LEVEL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, framework, module],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_and_use_change_nothing_in_the_process(framework):
    seen = run_child(framework, MODULES[framework])
    assert seen["environ"] == [], "environment variables written"
    assert seen["threads"][0] == seen["threads"][1], "thread settings changed"
    if seen["mapped"][0] is None:
        pytest.skip("glibc's mallinfo2 (glibc >= 2.33) is absent: the malloc settings cannot be observed")
    assert seen["mapped"] == [True, True], "malloc settings changed (keep_freed_memory called?)"


def test_keep_freed_memory_changes_malloc_when_asked():
    seen = run_child("keep_freed_memory", "")
    assert seen["environ"] == []
    if seen["mapped"][0] is None:
        pytest.skip("glibc's mallinfo2 (glibc >= 2.33) is absent: the malloc settings cannot be observed")
    assert seen["mapped"] == [True, False]
