"""The three cells by name, and the few facts about a state that every caller shares.

``CELLS`` maps ``'rnn'``, ``'gru'`` and ``'lstm'`` to their :class:`~rnn_guide.cell.Cell`
records. Code above this module asks the record (``cell.params``, ``cell.init``,
``cell.has_memory``) instead of branching on the cell's name.
"""

from .backends.base import leaves, rebuild
from .cell import Cell
from .errors import RNNGuideError
from .gated import GRU, LSTM
from .recurrence import RNN

CELLS = {cell.name: cell for cell in (RNN, GRU, LSTM)}


def get_cell(cell, where):
    """The :class:`~rnn_guide.cell.Cell` named ``cell`` (or ``cell`` itself when it is one).

    Raises:
        RNNGuideError: ``cell`` is neither a Cell nor one of the names in ``CELLS``.
    """
    if isinstance(cell, Cell):
        return cell
    if not isinstance(cell, str) or cell not in CELLS:
        raise RNNGuideError(f"{where}: cell must be one of {list(CELLS)}, received {cell!r}")
    return CELLS[cell]


def cell_of(params):
    """The :class:`~rnn_guide.cell.Cell` whose parameters ``params`` are (by their named tuple)."""
    for cell in CELLS.values():
        if isinstance(params, cell.params):
            return cell
    names = [cell.params.__name__ for cell in CELLS.values()]
    raise RNNGuideError(f"parameters must be one of {names}, received {type(params).__name__}")


def zero_state(d2l, cell, batch_size, num_hiddens, nested=None):
    """The zero state: H of shape (batch_size, num_hiddens), or the pair (H, C) for the LSTM.

    Args:
        nested: None for one cell's state; ``(num_layers, num_directions)`` for a deep and/or
            bidirectional network's, ``states[l][k]`` (a tuple of layers, each a tuple of
            directions), as :func:`rnn_guide.stacked.run_stack` takes and returns them.
    """
    if nested is not None:
        L, K = nested
        return tuple(
            tuple(zero_state(d2l, cell, batch_size, num_hiddens) for _ in range(K)) for _ in range(L)
        )
    H = d2l.zeros((batch_size, num_hiddens))
    return (H, d2l.zeros((batch_size, num_hiddens))) if get_cell(cell, "zero_state").has_memory else H


def detach_state(d2l, state):
    """``stop_gradient`` of every tensor of the state, kept in its nesting: ``H``, a pair (H, C),
    or a deep network's ``states[l][k]`` of either."""
    return rebuild(state, [d2l.stop_gradient(part) for part in leaves(state)])


def _is_nested(state):
    """True for a deep network's ``states[l][k]``: a tuple of tuples (a pair (H, C) holds tensors)."""
    return isinstance(state, (tuple, list)) and all(isinstance(part, (tuple, list)) for part in state)


def hidden_of(state):
    """``H`` of a state: the state itself, or the first part of a pair (H, C); for a deep
    network's ``states[l][k]``, the same nesting with ``H`` of each."""
    if _is_nested(state):
        return tuple(tuple(hidden_of(s) for s in layer) for layer in state)
    return state[0] if isinstance(state, (tuple, list)) else state


def state_rows(d2l, state):
    """The batch size of a state (a tensor, a pair, or ``states[l][k]``: all its tensors share it)."""
    return d2l.shape(leaves(state)[0])[0]
