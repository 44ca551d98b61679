"""Fixtures of the d2l parity tests: the real ``d2l`` 1.0.3 package beside rnn_guide.

These tests run only where ``RNN_GUIDE_D2L_FRAMEWORK`` names a framework: the tox
envs ``d2l-pytorch``, ``d2l-tensorflow``, ``d2l-jax`` and ``d2l-mxnet`` set it. Elsewhere
(the framework envs, a plain ``pytest``) this folder is not collected at all, so
d2l's absence is neither a failure nor a skip there. Where the variable is set,
a ``d2l`` or a framework that fails to import is a test failure, never a skip.
"""

import importlib
import os
import shutil
import warnings

import pytest

import rnn_guide
from rnn_guide._config import canonical_name

#: rnn_guide's framework name -> d2l's module name
D2L_MODULES = {"pytorch": "torch", "tensorflow": "tensorflow", "jax": "jax", "mxnet": "mxnet"}

_WANTED = os.environ.get("RNN_GUIDE_D2L_FRAMEWORK", "").strip()
#: the framework under test in this env, or None outside the d2l envs
D2L_FRAMEWORK = canonical_name(_WANTED) if _WANTED else None

if D2L_FRAMEWORK is None:
    collect_ignore_glob = ["test_*.py"]
elif D2L_FRAMEWORK not in D2L_MODULES:
    raise pytest.UsageError(
        f"RNN_GUIDE_D2L_FRAMEWORK must name one of {sorted(D2L_MODULES)}, got {_WANTED!r}"
    )


@pytest.fixture(scope="session")
def fw():
    """rnn_guide's name of the framework under test, e.g. ``'pytorch'``."""
    return D2L_FRAMEWORK


@pytest.fixture(scope="session")
def d2l(fw):
    """The real d2l module for this framework, as the book imports it (``from d2l import torch``)."""
    if fw == "mxnet":
        from mxnet import npx

        npx.set_np()  # every MXNet notebook of the book starts with this line
    name = f"d2l.{D2L_MODULES[fw]}"
    try:
        with warnings.catch_warnings():
            # d2l.jax calls get_key() at import, with a float bound Python 3.11 warns about (a table row)
            warnings.simplefilter("ignore", DeprecationWarning)
            return importlib.import_module(name)
    except Exception as err:  # noqa: BLE001 - any import error is the finding
        pytest.fail(f"{name} is required in this env but does not import: {type(err).__name__}: {err}")


@pytest.fixture(scope="session")
def ours(fw):
    """rnn_guide's backend for the same framework (seed 0)."""
    try:
        return rnn_guide.get_backend(fw)
    except rnn_guide.FrameworkNotInstalledError as err:
        pytest.fail(f"{fw} is required in this env but does not import: {err}")


@pytest.fixture(scope="session")
def book_file(tmp_path_factory):
    """A file holding The Time Machine as rnn_guide reads it (the packaged copy, sha1-checked)."""
    path = tmp_path_factory.mktemp("book") / "timemachine.txt"
    path.write_bytes(rnn_guide.data.read_time_machine().encode("utf-8"))
    return path


@pytest.fixture(scope="session")
def d2l_workdir(tmp_path_factory, book_file):
    """A working directory whose ``../data`` holds the book, where d2l 1.0.3 looks for it.

    ``d2l.TimeMachine`` takes no folder argument: it reads ``../data/timemachine.txt``
    relative to the working directory and downloads it when absent or when its sha1
    differs. The copy made here has the right sha1, so d2l finds it in its cache.
    """
    top = tmp_path_factory.mktemp("d2l")
    (top / "data").mkdir()
    shutil.copyfile(book_file, top / "data" / "timemachine.txt")
    (top / "work").mkdir()
    return top / "work"


@pytest.fixture(scope="session")
def no_network(d2l):
    """Make d2l's downloader fail loudly: these machines have no internet."""
    requests = d2l.requests
    original = requests.get

    def refuse(url, *args, **kwargs):
        raise AssertionError(f"d2l tried to download {url}; the tests give it a verified local copy")

    requests.get = refuse
    yield
    requests.get = original


@pytest.fixture(scope="session")
def d2l_time_machine(d2l, d2l_workdir, no_network):
    """``d2l.TimeMachine(batch_size=1024, num_steps=32)``, the book's settings, built once."""
    cwd = os.getcwd()
    os.chdir(d2l_workdir)
    try:
        return d2l.TimeMachine(batch_size=1024, num_steps=32)
    finally:
        os.chdir(cwd)


def pytest_generate_tests(metafunc):
    """``row``: every row of the README table with something to check for this env's backend."""
    if "row" in metafunc.fixturenames and D2L_FRAMEWORK is not None:
        from .d2l_findings import ROWS
        from .d2l_table import NA

        rows = [r for r in ROWS if r.cells[D2L_FRAMEWORK] != NA]
        metafunc.parametrize("row", rows, ids=[r.key for r in rows])
