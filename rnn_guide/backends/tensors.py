"""Which framework a tensor belongs to, and its dtype: the one place tensors are recognised."""

# The top-level module a tensor type comes from -> its framework (``backend_of`` and ``is_tensor`` read it).
_TENSOR_MODULES = {
    "numpy": "numpy",
    "torch": "pytorch",
    "tensorflow": "tensorflow",
    "keras": "tensorflow",
    "jax": "jax",
    "jaxlib": "jax",
    "mxnet": "mxnet",
}


def tensor_framework(x):
    """The framework whose tensor ``x`` is (``'numpy'`` for NumPy arrays and scalars), else None.

    The type's base classes count too, so a framework's array subclass is recognised.
    """
    for cls in type(x).__mro__:
        name = _TENSOR_MODULES.get(cls.__module__.split(".")[0])
        if name is not None:
            return name
    return None


def dtype_name(x):
    """The dtype of tensor ``x`` as a NumPy-style name such as ``'float32'``, on every framework."""
    dtype = x.dtype
    name = getattr(dtype, "name", None)  # NumPy, JAX, MXNet and TF dtypes have .name
    # torch.dtype has no .name; str(torch.float32) is 'torch.float32'
    return name if isinstance(name, str) else str(dtype).rpartition(".")[2]
