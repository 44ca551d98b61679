"""Deep and bidirectional networks (rnn_guide.stacked) against the single-cell forward functions.

The reference composes ``rnn_forward``, ``gru_forward`` and ``lstm_forward`` layer by layer,
with NumPy doing the plumbing between layers: the backward direction is the forward function on
``X[::-1]``, its states reversed back, and the two directions are concatenated, forward first.

Tolerance: float32, 1e-5 absolute, the bound test_gated.py uses for float32 forwards. Both
routes multiply and add the same float32 numbers in the same order, except that the backward
direction's rows reach the matrix products in another order (the stack gathers them, the
reference gets a reversed copy). A BLAS that blocks the rows differently may then round an entry
differently, by about n * eps * sum |x_k w_k| = 18 * 6e-8 * 5 = 5e-6 for the 18 products (12 input
and 6 hidden terms) of an entry here; on the CPUs this suite was written on the difference is
exactly 0 on every backend. A wrong weight, direction or order moves entries by 1e-2 or more at
sigma = 0.5. With one layer and one direction the stack runs exactly the single-cell function's
operations, and that is asserted bit for bit.
"""

import numpy as np
import pytest
from hostile import Ctx, raises_as_the_row_says, row

import rnn_guide
from rnn_guide import ShapeError
from rnn_guide._cells import CELLS, hidden_of
from rnn_guide.stacked import (
    StackParams,
    flatten_stack,
    init_stacked_params,
    run_stack,
    stacked_forward,
    unflatten_stack,
    used_names,
)

T, N, D, H = 5, 3, 4, 6  # steps, batch, inputs, hiddens
CELL_NAMES = list(CELLS)


def sequence(seed=0):
    return np.random.default_rng(seed).normal(size=(T, N, D)).astype(np.float32)  # (T, N, D)


def initial_states(d2l, cell, num_layers, K, seed=2):
    """States ``[l][k]``: H, or (H, C) for the LSTM, each (N, H)."""
    rng = np.random.default_rng(seed)

    def one():
        return d2l.tensor(rng.normal(0.0, 0.5, size=(N, H)).astype(np.float32))

    return [[(one(), one()) if cell == "lstm" else one() for _ in range(K)] for _ in range(num_layers)]


def single(cell, X, state, p, reset_after=False, b_hn=None):
    """(H_all, last state) of one layer and direction, by the single-cell forward function."""
    if cell == "rnn":
        return rnn_guide.rnn_forward(X, state, p.W_xh, p.W_hh, p.b_h)
    if cell == "gru":
        return rnn_guide.gru_forward(X, state, p, reset_after=reset_after, b_hn=b_hn)
    return rnn_guide.lstm_forward(X, state, p)


def reference(d2l, cell, params, X, states=None, reset_after=False, b_hn=None):
    """The stack composed of single-cell calls; NumPy results (H_all, states[l][k])."""
    inputs, finals = X, []
    for l, layer in enumerate(params.layers):
        outputs, last = [], []
        for k, p in enumerate(layer):
            x = d2l.tensor(np.ascontiguousarray(inputs if k == 0 else inputs[::-1]))
            state = None if states is None else states[l][k]
            H_all, end = single(cell, x, state, p, reset_after, b_hn and b_hn[l][k])
            H_all = d2l.numpy(H_all)
            outputs.append(H_all if k == 0 else H_all[::-1])
            last.append(tuple(map(d2l.numpy, end)) if isinstance(end, tuple) else d2l.numpy(end))
        inputs = np.concatenate(outputs, axis=-1)
        finals.append(last)
    return inputs, finals


def assert_states_close(got, expected, d2l, atol):
    for layer_got, layer_expected in zip(got, expected, strict=True):
        for s, e in zip(layer_got, layer_expected, strict=True):
            parts = zip(s, e, strict=True) if isinstance(e, tuple) else [(s, e)]
            for a, b in parts:
                np.testing.assert_allclose(d2l.numpy(a), b, atol=atol, rtol=0)


# ------------------------------------------------------------------ the forward
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("cell", CELL_NAMES)
def test_stack_equals_single_cells_composed(backend, cell, num_layers, bidirectional):
    params = init_stacked_params(cell, D, H, num_layers, backend, bidirectional, seed=1, sigma=0.5)
    X, K = sequence(), 2 if bidirectional else 1
    # zero states for two layers, given ones otherwise: both paths for every cell and direction
    # count (JAX compiles each scan afresh, so a second pass of every case costs a minute there)
    states = None if num_layers == 2 else initial_states(backend, cell, num_layers, K)
    H_all, finals = stacked_forward(backend.tensor(X), states, params)
    ref_all, ref_finals = reference(backend, cell, params, X, states)
    assert backend.shape(H_all) == (T, N, K * H)
    np.testing.assert_allclose(backend.numpy(H_all), ref_all, atol=1e-5, rtol=0)
    assert len(finals) == num_layers and all(len(layer) == K for layer in finals)
    assert_states_close(finals, ref_finals, backend, atol=1e-5)
    top = backend.numpy(H_all)  # the top layer's last states are its outputs at the two ends
    np.testing.assert_array_equal(top[-1, :, :H], backend.numpy(hidden_of(finals[-1][0])))
    if bidirectional:  # the backward direction ends on X_0
        np.testing.assert_array_equal(top[0, :, H:], backend.numpy(hidden_of(finals[-1][1])))


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_one_layer_one_direction_is_the_single_cell_bit_for_bit(backend, cell):
    params = init_stacked_params(cell, D, H, 1, backend, seed=1, sigma=0.5)
    X = backend.tensor(sequence())
    H_all, ((last,),) = stacked_forward(X, None, params)
    ref_all, ref_last = single(cell, X, None, params.layers[0][0])
    np.testing.assert_array_equal(backend.numpy(H_all), backend.numpy(ref_all))
    for a, b in zip(*(s if isinstance(s, tuple) else (s,) for s in (last, ref_last)), strict=True):
        np.testing.assert_array_equal(backend.numpy(a), backend.numpy(b))


def test_reset_after_reaches_the_gru(backend):
    params = init_stacked_params("gru", D, H, 2, backend, bidirectional=True, seed=1, sigma=0.5)
    X = sequence()
    d2l_form, _ = stacked_forward(backend.tensor(X), None, params)
    frameworks_form, _ = stacked_forward(backend.tensor(X), None, params, reset_after=True)
    assert np.max(np.abs(backend.numpy(d2l_form) - backend.numpy(frameworks_form))) > 1e-3
    ref_all, _ = reference(backend, "gru", params, X, reset_after=True)
    np.testing.assert_allclose(backend.numpy(frameworks_form), ref_all, atol=1e-5, rtol=0)
    rng = np.random.default_rng(5)
    b_hn = [[backend.tensor(rng.normal(size=H).astype(np.float32)) for _ in range(2)] for _ in range(2)]
    with_bias, _ = stacked_forward(backend.tensor(X), None, params, reset_after=True, b_hn=b_hn)
    ref_all, _ = reference(backend, "gru", params, X, reset_after=True, b_hn=b_hn)
    np.testing.assert_allclose(backend.numpy(with_bias), ref_all, atol=1e-5, rtol=0)


def test_the_rnn_takes_phi(backend):
    params = init_stacked_params("rnn", D, H, 2, backend, seed=1, sigma=0.5)
    H_all, _ = stacked_forward(backend.tensor(sequence()), None, params, phi=backend.relu)
    assert np.min(backend.numpy(H_all)) == 0.0  # relu, not tanh


def test_character_indices_pick_rows_like_one_hot_inputs(backend):
    params = init_stacked_params("lstm", 7, H, 2, backend, bidirectional=True, seed=1, sigma=0.5)
    ids = np.random.default_rng(0).integers(0, 7, size=(T, N))
    H_rows, _ = run_stack(backend, CELLS["lstm"], params, backend.tensor(ids), rows_of=True)
    H_onehot, _ = stacked_forward(backend.tensor(np.eye(7, dtype=np.float32)[ids]), None, params)
    np.testing.assert_allclose(backend.numpy(H_rows), backend.numpy(H_onehot), atol=1e-5, rtol=0)


# --------------------------------------------------------------------- the params
@pytest.mark.parametrize("cell", CELL_NAMES)
def test_each_layer_and_direction_is_the_cells_init_with_its_seed(backend, cell):
    params = init_stacked_params(cell, D, H, 3, backend, bidirectional=True, seed=10, sigma=0.1)
    assert isinstance(params, StackParams) and len(params.layers) == 3
    for l, layer in enumerate(params.layers):
        for k, p in enumerate(layer):
            expected = CELLS[cell].init(D if l == 0 else 2 * H, H, 1, backend, seed=10 + 2 * l + k, sigma=0.1)
            assert type(p) is CELLS[cell].params and backend.shape(p.W_hq) == (H, 1)
            for a, b in zip(p, expected, strict=True):
                np.testing.assert_array_equal(backend.numpy(a), backend.numpy(b))
    alone = init_stacked_params(cell, D, H, 1, backend, seed=10, sigma=0.1).layers[0][0]
    np.testing.assert_array_equal(backend.numpy(alone.W_hq), backend.numpy(params.layers[0][0].W_hq))


def test_flatten_and_unflatten_are_inverse(backend):
    params = init_stacked_params("gru", D, H, 2, backend, bidirectional=True)
    flat = flatten_stack(params)
    assert len(flat) == 2 * 2 * 9  # layers, directions, the GRU's W_x?, W_h?, b_? for z, r, h
    again = unflatten_stack(params, flat)
    assert all(a is b for a, b in zip(flatten_stack(again), flat, strict=True))


# ---------------------------------------------------------------------- gradients
@pytest.mark.parametrize("cell", CELL_NAMES)
def test_gradients_reach_every_layer_and_direction(framework, cell):
    d2l = rnn_guide.get_backend(framework)
    params = init_stacked_params(cell, D, H, 2, d2l, bidirectional=True, seed=1, sigma=0.5)
    X = d2l.tensor(sequence())

    def loss(tensors):
        H_all, _ = stacked_forward(X, None, unflatten_stack(params, tensors))
        return d2l.reduce_sum(H_all), None

    value, _, grads = d2l.value_and_grad(loss)(flatten_stack(params))
    assert np.isfinite(float(d2l.numpy(value)))
    names = used_names(CELLS[cell])
    labels = [f"layers[{l}][{k}].{n}" for l in range(2) for k in range(2) for n in names]
    for label, g in zip(labels, grads, strict=True):
        g = d2l.numpy(g)
        assert np.all(np.isfinite(g)), label
        assert np.any(g != 0), f"no gradient reaches {label}"


# ------------------------------------------------------------------ hostile input
def _stack(c, cell="gru", layers=2, bidirectional=False, d=3):
    return init_stacked_params(cell, d, 4, layers, c.d2l, bidirectional)  # 4 hidden units


def _fwd(c, params=None, X=None, state0=None, **options):
    """stacked_forward, with a good value for every argument not given: X (2, 2, 3), a GRU stack."""
    X = c.d2l.tensor(np.ones((2, 2, 3), np.float32)) if X is None else X
    return stacked_forward(X, state0, _stack(c) if params is None else params, **options)


def _with_layer(c, l, layer, **kwargs):
    """A stack of _stack(c, **kwargs) whose layer l is ``layer``."""
    return StackParams(tuple(layer if i == l else old for i, old in enumerate(_stack(c, **kwargs).layers)))


def _mixed(c):
    if c.d2l.name == "numpy":
        pytest.skip("NumPy arrays are this backend's own tensors")
    return _fwd(c, X=np.ones((2, 2, 3), np.float32))


def _zeros(c, *shapes):
    return [[c.d2l.zeros(shape)] for shape in shapes]


# fmt: off
ROWS = [
    row("init num_layers 0", lambda c: init_stacked_params("gru", 3, 4, 0, c.d2l),
        r"init_stacked_params: num_layers must be a positive integer, received 0"),
    row("init num_layers float", lambda c: init_stacked_params("lstm", 3, 4, 2.0, c.d2l),
        r"num_layers must be a positive integer, received 2\.0"),
    row("init unknown cell", lambda c: init_stacked_params("gur", 3, 4, 2, c.d2l),
        r"init_stacked_params: cell must be one of \['rnn', 'gru', 'lstm'\], received 'gur'"),
    row("init bidirectional string", lambda c: init_stacked_params("rnn", 3, 4, 2, c.d2l, "yes"),
        r"bidirectional must be True or False, received 'yes'"),
    row("params a single cell's", lambda c: _fwd(c, rnn_guide.init_gru_params(3, 4, 2, c.d2l)),
        r"stacked_forward: params must be StackParams .*received a GRUParams"),
    row("no layers", lambda c: _fwd(c, StackParams(())),
        r"params.layers must be a tuple of at least one layer \(num_layers >= 1\), received \(\)"),
    row("a bare layer", lambda c: _fwd(c, StackParams((_stack(c).layers[0][0],))),
        r"params.layers\[0\] must be a tuple of one \(forward\) or two .*received a GRUParams"),
    row("three directions", lambda c: _fwd(c, StackParams((_stack(c).layers[0] * 3,))),
        r"params.layers\[0\] must be a tuple of one .*received 3 of them"),
    row("one layer bidirectional, the next not",
        lambda c: _fwd(c, _with_layer(c, 1, _stack(c).layers[1], bidirectional=True)),
        r"same number of directions, received 1 in params.layers\[1\] and 2 in params.layers\[0\]"),
    row("two cells in one stack", lambda c: _fwd(c, _with_layer(c, 1, _stack(c, "lstm", d=4).layers[1])),
        r"params.layers\[1\]\[0\] is a LSTMParams but params.layers\[0\]\[0\] is a GRUParams"),
    row("not a cell's params", lambda c: _fwd(c, StackParams(((c.d2l.zeros((3, 4)),),))),
        r"params.layers\[0\]\[0\]: parameters must be one of .*received \w+"),
    row("layer 1 reads the wrong size", lambda c: _fwd(c, _with_layer(c, 1, _stack(c, layers=1).layers[0])),
        r"params.layers\[1\]\[0\].W_xz has shape \(3, 4\), expected \(4, 4\) "
        r"\(\(num_hiddens, num_hiddens\): layer 1 reads layer 0's states\)", ShapeError),
    row("bidirectional layer 1 reads 2 * num_hiddens",
        lambda c: _fwd(c, _with_layer(c, 1, _stack(c, d=4).layers[1] * 2, bidirectional=True)),
        r"params.layers\[1\]\[0\].W_xz has shape \(4, 4\), expected \(8, 4\) "
        r"\(\(2 \* num_hiddens, num_hiddens\): layer 1 reads layer 0's forward and backward", ShapeError),
    row("X with the wrong num_inputs", lambda c: _fwd(c, X=c.d2l.zeros((2, 2, 5))),
        r"params.layers\[0\]\[0\].W_xz has shape \(3, 4\), expected \(5, 4\) \(\(num_inputs", ShapeError),
    row("X 2-d", lambda c: _fwd(c, X=c.d2l.zeros((2, 3))),
        r"stacked_forward: X must have shape \(num_steps, batch_size, num_inputs\), received shape \(2, 3\)",
        ShapeError),
    row("X no steps", lambda c: _fwd(c, X=c.d2l.zeros((0, 2, 3))),
        r"X must have at least one time step, received num_steps = 0", ShapeError),
    row("X a list", lambda c: _fwd(c, X=[[[1.0] * 3]]),
        r"stacked_forward: X must be a tensor .*received a list"),
    row("X a NumPy array among framework tensors", _mixed,
        r"frameworks cannot be mixed, received X from numpy and params.layers\[0\]\[0\].W_xz from \w+"),
    row("X float16", lambda c: _fwd(c, X=c.d2l.tensor(np.ones((2, 2, 3)), dtype="float16")),
        r"X has dtype float16 but params.layers\[0\]\[0\].W_xz has dtype float32"),
    row("state0 one tensor", lambda c: _fwd(c, state0=c.d2l.zeros((2, 4))),
        r"state0 must be nested like params.layers, state0\[l\]\[k\] for 2 layer\(s\) of 1 direction\(s\)"),
    row("state0 wrong batch", lambda c: _fwd(c, state0=_zeros(c, (2, 4), (5, 4))),
        r"state0\[1\]\[0\] has shape \(5, 4\), expected \(2, 4\)", ShapeError),
    row("lstm state0 not a pair", lambda c: _fwd(c, _stack(c, "lstm", layers=1), state0=_zeros(c, (2, 4))),
        r"state0\[0\]\[0\] must be a pair \(H, C\), received"),
    row("reset_after for the LSTM", lambda c: _fwd(c, _stack(c, "lstm"), reset_after=True),
        r"reset_after is not an option of the lstm cell \(its options: none\), received reset_after=True"),
    row("phi for the GRU", lambda c: _fwd(c, phi=c.d2l.relu),
        r"phi is not an option of the gru cell \(its options: reset_after, b_hn\)"),
    row("reset_after a string", lambda c: _fwd(c, reset_after="no"),
        r"reset_after must be True or False, received 'no'"),
    row("phi not a function", lambda c: _fwd(c, _stack(c, "rnn"), phi="relu"),
        r"phi must be a function such as d2l.tanh, received 'relu'"),
    row("b_hn without reset_after", lambda c: _fwd(c, b_hn=_zeros(c, (4,), (4,))),
        r"b_hn is the reset-after form's bias; pass reset_after=True with it"),
    row("b_hn one tensor", lambda c: _fwd(c, reset_after=True, b_hn=c.d2l.zeros((4,))),
        r"b_hn must be nested like params.layers"),
    row("b_hn wrong size", lambda c: _fwd(c, reset_after=True, b_hn=_zeros(c, (4,), (3,))),
        r"b_hn\[1\]\[0\] has shape \(3,\), expected \(4,\) or \(1, 4\)", ShapeError),
    row("backend= unknown name", lambda c: _fwd(c, backend="pytorh"),
        r"stacked_forward: backend='pytorh' is invalid"),
    row("backend= another framework", lambda c: _fwd(c, backend=c.other_framework),
        r"stacked_forward: backend='(numpy|jax)' does not match the tensors"),
]
# fmt: on


@pytest.mark.parametrize("bad", ROWS, ids=[r.id for r in ROWS])
def test_hostile_input_is_refused_in_the_guides_names(backend, bad, tmp_path):
    raises_as_the_row_says(bad, lambda: bad.call(Ctx(backend, tmp_path)))
