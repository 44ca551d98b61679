"""Shared fixtures: a ``backend`` fixture parametrized over the frameworks under test.

``RNN_GUIDE_TEST_FRAMEWORKS`` (set by each tox env, e.g. ``jax``) names the
frameworks that must be tested: in that case a framework that fails to import
is a test *failure*, never a skip. Without the variable (a local run) every
framework is tried and the ones not installed are skipped.
"""

import functools
import os

import pytest

import rnn_guide
from rnn_guide._config import FRAMEWORKS, canonical_name


def _under_test():
    wanted = os.environ.get("RNN_GUIDE_TEST_FRAMEWORKS", "").strip()
    if not wanted:
        return list(FRAMEWORKS), set()
    required = {canonical_name(n) for n in wanted.split(",") if n.strip()}
    return ["numpy"] + sorted(required - {"numpy"}), required


FRAMEWORKS_UNDER_TEST, REQUIRED = _under_test()
DL_FRAMEWORKS = [f for f in FRAMEWORKS_UNDER_TEST if f != "numpy"]


def load_backend(name, seed=0):
    """The (cached) backend for ``name``, seeded so each test starts from the same state.

    Skips if the framework is absent locally; fails if this env requires it.
    """
    try:
        backend = rnn_guide.get_backend(name)
    except rnn_guide.FrameworkNotInstalledError as err:
        if name in REQUIRED:
            pytest.fail(f"{name} is required in this test env but does not import: {err}")
        pytest.skip(f"{name} is not installed here")
    backend.seed(seed)
    return backend


@pytest.fixture(params=FRAMEWORKS_UNDER_TEST)
def backend(request):
    """Every backend under test, the NumPy reference included."""
    return load_backend(request.param)


@pytest.fixture(params=DL_FRAMEWORKS or ["(none)"])
def framework(request):
    """The name of every deep-learning framework under test (not NumPy)."""
    if request.param == "(none)":
        pytest.skip("no deep-learning framework under test")
    load_backend(request.param)
    return request.param


@pytest.fixture
def ref():
    """The NumPy reference backend, seeded with 0."""
    return load_backend("numpy")


@pytest.fixture
def fresh_backends(monkeypatch):
    """An empty backend cache for one test: the next ``get_backend`` builds a new object."""
    from rnn_guide import backends

    monkeypatch.setattr(backends, "_backend", functools.cache(backends._backend.__wrapped__))


@pytest.fixture(autouse=True)
def _no_framework_override(monkeypatch):
    # The override is for notebooks and CI runs of notebooks; unit tests choose explicitly.
    monkeypatch.delenv("RNN_GUIDE_FRAMEWORK", raising=False)
