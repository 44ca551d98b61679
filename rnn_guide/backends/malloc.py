"""An opt-in speed-up for the CPU frameworks that take their memory from glibc's malloc."""

import sys


def keep_freed_memory():
    """Let glibc keep freed memory for reuse instead of handing it back to the OS.

    PyTorch, TensorFlow and MXNet take CPU memory from malloc. By default glibc
    serves large blocks with fresh mappings and gives freed memory at the top of
    its heap back to the OS, so a training step's large temporaries (the 3.7 MB
    scores at the book's settings, their gradients) are faulted in again on
    every batch. This call serves blocks up to 32 MiB from the heap and trims it
    only above 64 MiB, which keeps them mapped (peak RSS unchanged at the book's
    settings). PyTorch, TensorFlow and MXNet epochs get faster with it and JAX's
    do not (figures in ``benchmarks/README.md``).

    It is **process-wide**: it changes the C library's settings for everything
    in the process (the same as the ``MALLOC_MMAP_THRESHOLD_`` and
    ``MALLOC_TRIM_THRESHOLD_`` environment variables), and cannot be undone
    except by restarting the process. Nothing in rnn_guide calls it; call it
    yourself, once, before training. Nothing happens where the C library is
    not glibc.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # here, not at the top: `import rnn_guide` stays light

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    mallopt(M_MMAP_THRESHOLD, 32 << 20)
    mallopt(M_TRIM_THRESHOLD, 64 << 20)
