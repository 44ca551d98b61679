"""PyTorch's own multi-layer, bidirectional ``torch.nn.RNN/GRU/LSTM`` with the guide's weights.

The weights' layout is described in :mod:`rnn_guide.backends.layers`.

To differentiate: the layer's weights are ``torch.nn.Parameter`` objects, so ``run(X).sum()
.backward()`` fills each weight's ``.grad``; ``torch.autograd.grad(loss, X)`` gives the input's
gradient when ``X.requires_grad``.
"""

import torch

from .layers import check_layers, torch_state_dict

#: where the pytorch backend puts its tensors, so the layer sits beside them
DEVICE = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def builtin_layer(cell, layers, bidirectional=False):
    """PyTorch's own layer for ``cell``, loaded with the guide's weights.

    Args:
        cell: ``'rnn'`` (tanh), ``'gru'`` (reset-after, PyTorch's only form) or ``'lstm'``.
        layers: per layer, a tuple of one (forward) or two (forward, backward) parameter named
            tuples; see :mod:`rnn_guide.backends.layers`.
        bidirectional: True for two directions per layer.

    Returns:
        ``run(X)``: X a tensor (num_steps, batch_size, num_inputs); returns H_all, a tensor
        (num_steps, batch_size, num_directions * num_hiddens). Every layer starts from zeros.
    """
    num_inputs, num_hiddens = check_layers(cell, layers, bidirectional)
    kind = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[cell]
    layer = kind(num_inputs, num_hiddens, num_layers=len(layers), bidirectional=bidirectional, device=DEVICE)
    # PyTorch's names: weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, ..., weight_ih_l0_reverse, ...
    layer.load_state_dict(
        {name: torch.from_numpy(value) for name, value in torch_state_dict(cell, layers).items()}
    )

    def run(X):
        H_all, _ = layer(X)  # time-major by default; no initial state means zeros
        return H_all

    return run
