"""What a recurrent cell is, and the one loop over time that runs every cell.

A cell is described by a :class:`Cell` record: the named tuple of its parameters, the function
that draws them, its gate groups, its step and whether its state carries a memory cell. The
records sit beside the equations they run (``RNN`` in :mod:`rnn_guide.recurrence`, ``GRU`` and
``LSTM`` in :mod:`rnn_guide.gated`); ``rnn_guide._cells`` gathers them by name.

Every cell's step has the same shape of work. The input terms ``X_t W_x + b`` do not depend on
the state, so :func:`input_terms` computes them for all steps before the loop, with each group's
matrices side by side (the GRU's ``[W_xz | W_xr]``); for characters, each step picks them from
:func:`row_tables`. The step then adds the state's terms and applies the cell's equations.
:func:`run_cell` is the loop: ``d2l.scan`` over time, a plain loop in most backends and
``jax.lax.scan`` in JAX. ``rnn_forward``, ``gru_forward``,
``lstm_forward``, the language model and the experiments all call it.
"""

from collections.abc import Callable
from typing import NamedTuple


class Cell(NamedTuple):
    """One recurrent cell: everything the shared code needs to know about it."""

    name: str
    """``'rnn'``, ``'gru'`` or ``'lstm'``: the name used by ``RNNLM(cell=...)`` and checkpoints."""
    params: type
    """The named tuple of its parameters (``RNNParams``, ``GRUParams``, ``LSTMParams``)."""
    init: Callable
    """``init(num_inputs, num_hiddens, num_outputs, framework, seed=0, sigma=0.01)``."""
    groups: tuple
    """Its gate groups, each a string of gate letters whose matrices sit side by side: the input
    term of group ``g`` is ``X [W_x{g[0]} | W_x{g[1]} | ...] + [b_{g[0]} | ...]``. The RNN has
    ``('h',)``, the GRU ``('zr', 'h')``, the LSTM ``('ifo', 'c')``."""
    step: Callable
    """``step(d2l, inputs_t, state, W_h, **options) -> state``: one step, given the input terms of
    step t and the hidden weights, one per group (see :func:`hidden_weights`), and the state."""
    has_memory: bool
    """True when the state is the pair ``(H, C)`` (the LSTM's memory cell), False when it is ``H``."""
    unroll: int = 1
    """How many copies of the step a compiling backend puts in one pass of its loop over time, in a
    step compiled once and run many times (``jax.lax.scan``'s ``unroll`` under ``d2l.jit``; the plain
    loops of the other backends ignore it). The RNN's small step runs faster with a window's 32
    copies, the gated cells' slower (``python -m benchmarks.compile_time``)."""


def side_by_side(d2l, params, prefix, gates):
    """The gates' ``prefix`` tensors joined along the last axis, e.g. ``[W_hz | W_hr]`` for
    ``('W_h', 'zr')``: one matmul with it gives each gate's product, side by side."""
    named = params._asdict()
    parts = [named[prefix + g] for g in gates]
    return parts[0] if len(parts) == 1 else d2l.concat(parts, axis=-1)


def hidden_weights(d2l, cell, params):
    """Each group's hidden matrices side by side, e.g. the GRU's ``([W_hz | W_hr], W_hh)``:
    joined once before the loop, so that each step does one matmul per group."""
    return tuple(side_by_side(d2l, params, "W_h", gates) for gates in cell.groups)


def input_terms(d2l, cell, params, X):
    """The input terms of each gate group, ``X W_x + b`` with the group's matrices side by side.

    Args:
        d2l: the backend.
        cell: the :class:`Cell`.
        params: its parameters.
        X: inputs, shape (rows, num_inputs).

    Returns:
        A tuple with one tensor per group, shape (rows, k * num_hiddens) for a group of k gates.
    """
    terms = []
    for gates in cell.groups:
        W, b = side_by_side(d2l, params, "W_x", gates), side_by_side(d2l, params, "b_", gates)
        terms.append(d2l.matmul(X, W) + b)
    return tuple(terms)


def sequence_terms(d2l, cell, params, X):
    """:func:`input_terms` of every step of a time-major sequence, kept time-major.

    Args:
        X: inputs, shape (num_steps, batch_size, num_inputs).

    Returns:
        One tensor per group, shape (num_steps, batch_size, k * num_hiddens).
    """
    T, n, d = d2l.shape(X)
    terms = input_terms(d2l, cell, params, d2l.reshape(X, (T * n, d)))
    return tuple(d2l.reshape(x, (T, n, d2l.shape(x)[1])) for x in terms)


def row_tables(d2l, cell, params):
    """Each group's ``W_x + b`` with the group's matrices side by side, e.g. the GRU's
    ``([W_xz | W_xr] + [b_z | b_r], W_xh + b_h)``. For a one-hot input ``X_t`` (a character),
    ``X_t W_x + b`` is a row of the table: :func:`run_cell` picks it with ``tables=``. The bias is
    added V times here rather than once per row of the batch (the same sums, float for float)."""
    return tuple(
        side_by_side(d2l, params, "W_x", gates) + side_by_side(d2l, params, "b_", gates)
        for gates in cell.groups
    )


def perturbed(cell):
    """``cell`` with a zero added to ``H`` after each step, taken from the last item of each
    step's inputs: autograd's gradient with respect to that zero is the gradient with respect to
    ``H_t``, which is how the experiments of notebooks 6 and 8 measure ``dH_T/dH_t``."""

    def step(d2l, inputs_t, state, W_h, **options):
        *terms, leaf = inputs_t
        return add_to_hidden(cell.step(d2l, tuple(terms), state, W_h, **options), leaf)

    return cell._replace(step=step)


def add_to_hidden(state, leaf):
    """The state with ``leaf`` added to ``H`` (an LSTM's memory cell ``C`` unchanged)."""
    return (state[0] + leaf, state[1]) if isinstance(state, tuple) else state + leaf


def run_cell(d2l, cell, params, inputs, state, tables=None, **options):
    """The loop over time, for every cell: ``state = cell.step(inputs_t, state)`` for each t.

    Args:
        d2l: the backend.
        cell: the :class:`Cell`.
        params: its parameters.
        inputs: the input terms of every step, as :func:`sequence_terms` returns them; or, with
            ``tables``, character indices of shape (num_steps, batch_size).
        state: the state before the first step, ``H`` of shape (batch_size, num_hiddens), or the
            pair ``(H, C)`` for a cell with a memory cell.
        tables: None, or :func:`row_tables`: each step then picks its input terms, one row per
            character. Picking inside the step, not all steps before the loop, lets XLA fuse the
            pick with the step (JAX's RNN step ran 8.3 -> 5.5 ms at the book's sizes).
        options: passed on to the step (the RNN's ``phi``, the GRU's ``reset_after``, ``b_hn``).

    Returns:
        ``(H_all, state)``: the hidden states of every step, shape (num_steps, batch_size,
        num_hiddens), and the state after the last step.
    """

    W_h = hidden_weights(d2l, cell, params)

    def step(state, inputs_t):
        if tables is not None:
            inputs_t = tuple(d2l.take_rows(table, inputs_t) for table in tables)
        state = cell.step(d2l, inputs_t, state, W_h, **options)
        return state, state[0] if cell.has_memory else state

    state, H_all = d2l.scan(step, tuple(state) if cell.has_memory else state, inputs, unroll=cell.unroll)
    return H_all, state
