"""Deep (stacked) and bidirectional networks of any cell (d2l sections 10.3 and 10.4).

A deep RNN (10.3) puts L layers of one cell on top of each other. Layer 1 reads the inputs,
layer l reads layer l - 1's hidden state at the same step, and every layer carries its own
state from step to step::

    H^(0)_t = X_t
    H^(l)_t = f_l(H^(l-1)_t, H^(l)_{t-1})          for l = 1, ..., L

where ``f_l`` is one step of the cell with layer l's own parameters (``layers[l - 1]`` in the
code, which counts from 0). The network's outputs are the top layer's states ``H^(L)_t``.

A bidirectional layer (10.4) reads the sequence twice, with two sets of parameters: once from
the first step to the last, and once from the last to the first::

    ->H_t = f (X_t, ->H_{t-1})       forward: summarises X_1, ..., X_t
    <-H_t = f'(X_t, <-H_{t+1})       backward: summarises X_t, ..., X_T
    H_t   = [->H_t | <-H_t]          joined along the features, forward first

so ``H_t`` has seen the whole sequence, and the layer above reads ``2 * num_hiddens`` features.
Every layer and direction runs :func:`rnn_guide.cell.run_cell`, the one loop over time for every
cell; the backward one runs it on the reversed sequence and puts its states back in time order.
So no cell needs a second version of its step, and no line here depends on which cell runs.
"""

import inspect
from typing import NamedTuple

import numpy as np

from . import _validation as check
from ._cells import cell_of, get_cell, zero_state
from ._gated_params import _input_shape, state_pair
from .backends import get_backend
from .cell import row_tables, run_cell, sequence_terms
from .errors import RNNGuideError
from .recurrence import _backend_for, _expect, _expect_bias, _matrix_shape
from .refusal import refusable


class StackParams(NamedTuple):
    """The parameters of a deep and/or bidirectional network of one cell.

    ``layers[l][k]`` is the cell's own named tuple (RNNParams, GRUParams or LSTMParams) for layer
    l (0 is the lowest) and direction k (0 forward, 1 backward): each layer is a tuple of one or
    two of them, the same count in every layer. Layer 0's ``W_x?`` have ``num_inputs`` rows,
    layer l > 0's ``num_directions * num_hiddens`` (the states below, forward first). Only the
    ``W_x?``, ``W_h?`` and ``b_?`` are used: an output layer reads the top layer's states and
    belongs to the model, so each tuple's ``W_hq`` and ``b_q`` are ignored, whatever they hold.
    :func:`init_stacked_params` draws them with ``num_outputs=1`` so that each tuple stays a
    valid argument of the single-cell functions (``gru_forward(X, H0, layers[l][k])``).
    """

    layers: tuple  #: per layer, lowest first: one (forward) or two (forward, backward) parameter tuples


@refusable("rnn_guide.init_stacked_params")
def init_stacked_params(
    cell, num_inputs, num_hiddens, num_layers, framework, bidirectional=False, seed=0, sigma=0.01
):
    """Draw every layer and direction with the cell's own ``init``, each from its own seed.

    Seed rule: layer l, direction k gets seed ``(seed + 2 * l + k) % 2**32``, bidirectional or
    not, so layer 0's forward direction is ``cell.init(num_inputs, num_hiddens, 1, ..., seed)``.
    The numbers come from NumPy's seeded generator: identical on every backend.

    Args:
        cell: ``'rnn'``, ``'gru'``, ``'lstm'`` or a :class:`~rnn_guide.cell.Cell`.
        num_inputs: features of each input vector (layer 0 reads them).
        num_hiddens: size of every layer's (and direction's) hidden state.
        num_layers: L, a positive integer.
        framework: a backend object (``d2l``) or a framework name.
        bidirectional: False for one (forward) direction per layer, True for two.
        seed: an integer in [0, 2**32 - 1], the seed of layer 0's forward direction.
        sigma: standard deviation of the weights; biases start at zero.

    Returns:
        StackParams whose ``layers[l][k]`` hold float32 tensors of that backend; their unused
        ``W_hq`` and ``b_q`` have shapes (num_hiddens, 1) and (1,) (see :class:`StackParams`).
    """
    where = "init_stacked_params"
    cell = get_cell(cell, where)
    sizes = {"num_inputs": num_inputs, "num_hiddens": num_hiddens, "num_layers": num_layers}
    for label, value in sizes.items():
        check.positive_int(value, label, where)
    bidirectional = check.boolean(bidirectional, "bidirectional", where)
    seed = check.seed(seed, where)
    sigma = check.positive_number(sigma, "sigma", where, "the weights' standard deviation, e.g. 0.01")
    d2l = get_backend(framework)
    K = 2 if bidirectional else 1  # num_directions
    layers = []
    for l in range(num_layers):
        d = num_inputs if l == 0 else K * num_hiddens  # what layer l reads
        seeds = [(seed + 2 * l + k) % (check.MAX_SEED + 1) for k in range(K)]
        # num_outputs=1: the smallest output layer (unused) that keeps each tuple a valid cell's
        layers.append(tuple(cell.init(d, num_hiddens, 1, d2l, seed=s, sigma=sigma) for s in seeds))
    return StackParams(tuple(layers))


@refusable("rnn_guide.stacked_forward")
def stacked_forward(X, state0, params, reset_after=None, b_hn=None, phi=None, backend=None):
    """Run a deep and/or bidirectional network over a sequence (equations in the module docstring).

    Args:
        X: inputs, shape (num_steps, batch_size, num_inputs).
        state0: None for zeros everywhere, or ``state0[l][k]``: the state of layer l, direction
            k before it reads its first step (for the backward direction, before X_{T-1}): H of
            shape (batch_size, num_hiddens), or the pair (H, C) for the LSTM.
        params: StackParams (from :func:`init_stacked_params`); the cell is read from its type.
        reset_after: the GRU's option (see :func:`rnn_guide.gru_step`); True is the frameworks' form.
        b_hn: with ``reset_after=True``, the candidate's hidden bias of each layer and direction,
            ``b_hn[l][k]`` of shape (num_hiddens,), nested like ``params.layers``.
        phi: the RNN's activation, default ``d2l.tanh``.
        backend: as in :func:`rnn_guide.rnn_step`. An option (``reset_after``, ``b_hn``,
            ``phi``) goes to the cell's step only when given; a cell without it refuses it.

    Returns:
        ``(H_all, states)``: the top layer's states at every step, shape
        (num_steps, batch_size, num_directions * num_hiddens), forward first; and
        ``states[l][k]``, the state of layer l, direction k after its last step (for the
        backward direction: after reading X_0), shaped as in ``state0``.
    """
    options = {"reset_after": reset_after, "b_hn": b_hn, "phi": phi}
    d2l, cell, options = check_stack("stacked_forward", X, state0, params, options, backend)
    return run_stack(d2l, cell, params, X, state0, **options)


def run_stack(d2l, cell, params, X, states=None, rows_of=False, b_hn=None, **options):
    """The stack's loops, layer by layer and direction by direction; no argument checks.

    Args:
        X: inputs (num_steps, batch_size, num_inputs), or character indices (num_steps,
            batch_size) with ``rows_of=True`` (layer 0 then picks rows of its ``W_x?``).
        states: ``states[l][k]`` as ``state0`` of :func:`stacked_forward`, or None for zeros.
        b_hn: None, or ``b_hn[l][k]``; the other options go to every step unchanged.

    Returns:
        ``(H_all, states)`` as :func:`stacked_forward`.
    """
    T, n = d2l.shape(X)[:2]
    # The steps in reverse order, T-1, ..., 0. Reversing is a gather of rows along time:
    # the backends have no flip, and x[::-1] is refused by some frameworks' tensors (PyTorch).
    backward = d2l.tensor(np.arange(T - 1, -1, -1))
    finals = []
    for l, layer in enumerate(params.layers):
        outputs, last = [], []
        for k, p in enumerate(layer):
            X_k = X if k == 0 else d2l.take_rows(X, backward)  # the backward direction reads X reversed
            h = d2l.shape(getattr(p, used_names(cell)[1]))[0]  # W_hh, W_hz or W_hi: (h, h)
            state = zero_state(d2l, cell, n, h) if states is None else states[l][k]
            extra = {} if b_hn is None else {"b_hn": b_hn[l][k]}
            tables = row_tables(d2l, cell, p) if rows_of and l == 0 else None  # characters: rows of W_x + b
            inputs = X_k if tables is not None else sequence_terms(d2l, cell, p, X_k)
            H_k, state = run_cell(d2l, cell, p, inputs, state, tables, **options, **extra)  # (T, n, h)
            outputs.append(H_k if k == 0 else d2l.take_rows(H_k, backward))  # back in time order
            last.append(state)
        X = outputs[0] if len(outputs) == 1 else d2l.concat(outputs, axis=-1)  # (T, n, K * h)
        finals.append(tuple(last))
    return X, tuple(finals)


def used_names(cell):
    """The fields a stack uses, in the named tuple's order: ``W_xz, W_hz, b_z, W_xr, ...`` (GRU)."""
    return [prefix + g for g in "".join(cell.groups) for prefix in ("W_x", "W_h", "b_")]


def flatten_stack(params):
    """The tensors a stack uses as one flat tuple, the form ``d2l.value_and_grad`` differentiates."""
    names = used_names(cell_of(params.layers[0][0]))
    return tuple(getattr(p, name) for layer in params.layers for p in layer for name in names)


def unflatten_stack(params, tensors):
    """``params`` with its used tensors replaced by ``tensors``, in :func:`flatten_stack`'s order."""
    names, rest = used_names(cell_of(params.layers[0][0])), iter(tensors)
    layers = [[p._replace(**{name: next(rest) for name in names}) for p in layer] for layer in params.layers]
    return StackParams(tuple(map(tuple, layers)))


# ------------------------------------------------------------ argument checks
def check_stack(where, X, state0, params, options, backend):
    """Check a stack's arguments before any framework op; return (d2l, cell, the given options)."""
    layers = stack_layers(params, where)
    cell, K, b_hn = cell_of(layers[0][0]), len(layers[0]), options.get("b_hn")
    options = _options(cell, options, layers, where)
    states, names = _states(state0, layers, cell, where), used_names(cell)
    tensors = {"X": X}
    for l, layer in enumerate(layers):
        for k, p in enumerate(layer):
            tensors.update(states.get((l, k), {}))
            tensors.update({f"params.layers[{l}][{k}].{name}": getattr(p, name) for name in names})
            tensors.update({} if b_hn is None else {f"b_hn[{l}][{k}]": b_hn[l][k]})
    d2l = _backend_for(where, backend, tensors, f"params.layers[0][0].{names[0]}")
    n, d = _input_shape(d2l, X, "X", where)
    for l, layer in enumerate(layers):
        h = _matrix_shape(d2l, getattr(layer[0], names[1]), f"params.layers[{l}][0].{names[1]}", where)[0]
        rows = "num_inputs" if l == 0 else f"{K} * num_hiddens" if K == 2 else "num_hiddens"
        below = "forward and backward states" if K == 2 else "states"
        reads = f"({rows}, num_hiddens): layer {l} reads " + ("X" if l == 0 else f"layer {l - 1}'s {below}")
        for k, p in enumerate(layer):
            for name in names:
                at, value = f"params.layers[{l}][{k}].{name}", getattr(p, name)
                if name.startswith("W_x"):
                    _expect(d2l, value, (d, h), at, where, reads)
                elif name.startswith("W_h"):
                    _expect(d2l, value, (h, h), at, where, "(num_hiddens, num_hiddens)")
                else:
                    _expect_bias(d2l, value, h, at, where)
            for at, value in states.get((l, k), {}).items():
                _expect(d2l, value, (n, h), at, where, f"(batch_size, num_hiddens) = ({n}, {h})")
            if b_hn is not None:
                _expect_bias(d2l, b_hn[l][k], h, f"b_hn[{l}][{k}]", where)
        d = K * h  # what the next layer reads
    return d2l, cell, options


def stack_layers(params, where):
    """``params.layers`` as a tuple of tuples, after checking its nesting and that one cell runs it."""
    if not isinstance(params, StackParams):
        kind = type(params).__name__
        raise RNNGuideError(
            f"{where}: params must be StackParams (init_stacked_params makes them), received a {kind}"
        )
    layers = params.layers
    if not isinstance(layers, (tuple, list)) or len(layers) == 0:
        check._fail(where, "params.layers", "a tuple of at least one layer (num_layers >= 1)", layers)
    for l, layer in enumerate(layers):
        bare = hasattr(layer, "_fields") or not isinstance(layer, (tuple, list))  # e.g. a GRUParams, not (p,)
        if bare or len(layer) not in (1, 2):
            raise RNNGuideError(
                f"{where}: params.layers[{l}] must be a tuple of one (forward) or two (forward, backward) "
                f"parameter tuples, received "
                + (f"a {type(layer).__name__}" if bare else f"{len(layer)} of them")
            )
        if len(layer) != len(layers[0]):
            raise RNNGuideError(
                f"{where}: every layer must have the same number of directions, received {len(layer)} in "
                f"params.layers[{l}] and {len(layers[0])} in params.layers[0]"
            )
    try:
        first = cell_of(layers[0][0]).params
    except RNNGuideError as err:
        raise RNNGuideError(f"{where}: params.layers[0][0]: {err}") from None
    for l, layer in enumerate(layers):
        for k, p in enumerate(layer):
            if type(p) is not first:
                raise RNNGuideError(
                    f"{where}: params.layers[{l}][{k}] is a {type(p).__name__} but params.layers[0][0] is a "
                    f"{first.__name__}; every layer of a stack runs the same cell"
                )
    return tuple(tuple(layer) for layer in layers)


def _options(cell, options, layers, where):
    """The options that were given (not None), each one the cell's step takes, checked."""
    accepted = list(inspect.signature(cell.step).parameters)[4:]  # after (d2l, inputs_t, state, W_h)
    given = {name: value for name, value in options.items() if value is not None}
    for name, value in given.items():
        if name not in accepted:
            raise RNNGuideError(
                f"{where}: {name} is not an option of the {cell.name} cell (its options: "
                f"{', '.join(accepted) or 'none'}), received {name}={check.shown(value, 60)}"
            )
    if "reset_after" in given:
        given["reset_after"] = check.boolean(given["reset_after"], "reset_after", where)
    if "phi" in given and not callable(given["phi"]):
        check._fail(where, "phi", "a function such as d2l.tanh", given["phi"])
    if "b_hn" in given and not given.get("reset_after"):
        raise RNNGuideError(f"{where}: b_hn is the reset-after form's bias; pass reset_after=True with it")
    if "b_hn" in given:
        _nested_like(given["b_hn"], layers, "b_hn", where)
    return given


def _states(state0, layers, cell, where):
    """``{(l, k): {label: tensor}}`` of the initial states, after checking their nesting."""
    if state0 is None:
        return {}
    _nested_like(state0, layers, "state0", where)
    found = {}
    for l, layer in enumerate(state0):
        for k, state in enumerate(layer):
            label = f"state0[{l}][{k}]"
            pair = state_pair(state, label, where, allow_none=False) if cell.has_memory else None
            found[l, k] = (
                {label: state} if pair is None else {f"{label} (H)": pair[0], f"{label} (C)": pair[1]}
            )
    return found


def _nested_like(value, layers, name, where):
    """Check that ``value[l][k]`` exists for exactly the layers and directions of the stack."""
    L, K = len(layers), len(layers[0])
    ok = isinstance(value, (tuple, list)) and len(value) == L
    ok = ok and all(isinstance(v, (tuple, list)) and not hasattr(v, "_fields") and len(v) == K for v in value)
    if not ok:
        raise RNNGuideError(
            f"{where}: {name} must be nested like params.layers, {name}[l][k] for {L} layer(s) of {K} "
            f"direction(s), received {check.shown(value, 80)}"
        )
