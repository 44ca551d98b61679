"""The one loop over time (rnn_guide.cell.run_cell): its two ways of reading inputs, and unrolling."""

import numpy as np
import pytest

from rnn_guide._cells import CELLS, zero_state
from rnn_guide.cell import row_tables, run_cell, sequence_terms

T, N, V, H = 7, 3, 5, 4  # 7 steps: no unroll factor below divides them


@pytest.fixture
def indices():
    return np.random.default_rng(3).integers(0, V, size=(T, N))


def run(d2l, cell, params, X, **kwargs):
    H_all, state = run_cell(d2l, cell, params, X, zero_state(d2l, cell, N, H), **kwargs)
    return d2l.numpy(H_all), [d2l.numpy(s) for s in (state if cell.has_memory else (state,))]


@pytest.mark.parametrize("name", list(CELLS))
def test_picking_rows_is_the_one_hot_product(backend, name, indices):
    cell = CELLS[name]
    params = cell.init(V, H, V, backend, seed=1, sigma=0.5)
    one_hot = backend.one_hot(backend.tensor(indices), V)  # (T, N, V)
    by_product = run(backend, cell, params, sequence_terms(backend, cell, params, one_hot))
    by_rows = run(backend, cell, params, backend.tensor(indices), tables=row_tables(backend, cell, params))
    np.testing.assert_allclose(by_rows[0], by_product[0], rtol=1e-5, atol=1e-6)
    for a, b in zip(by_rows[1], by_product[1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", list(CELLS))
@pytest.mark.parametrize("unroll", [1, 3, 32])
def test_unrolling_changes_no_number(backend, name, unroll, indices):
    # under d2l.jit, where a compiling backend (JAX) unrolls; elsewhere jit is the function itself
    cell = CELLS[name]
    params = cell.init(V, H, V, backend, seed=2, sigma=0.5)
    X, tables, state = (
        backend.tensor(indices),
        row_tables(backend, cell, params),
        zero_state(backend, cell, N, H),
    )

    def compiled(record):
        return backend.jit(lambda X, state: run_cell(backend, record, params, X, state, tables=tables)[0])

    once = backend.numpy(compiled(cell._replace(unroll=1))(X, state))
    unrolled = backend.numpy(compiled(cell._replace(unroll=unroll))(X, state))
    np.testing.assert_allclose(unrolled, once, rtol=1e-5, atol=1e-6)
    assert unrolled.shape == (T, N, H)
