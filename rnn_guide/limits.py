"""The sizes the package accepts, each checked before any work or allocation starts.

A teaching package runs on laptops and shared servers, so a typo such as ``num_steps=100000``
must end in one clear line, not in the kernel's out-of-memory killer an hour later. Every limit
below is far above what the guide's notebooks use (d2l's settings: batch 1024, 32 steps,
32 hidden units, a 28-token vocabulary), and each error names the value and the limit.
"""

#: Time steps per training window (d2l uses 32; notebook 6 goes to a few hundred).
MAX_NUM_STEPS = 10_000

#: Hidden units per layer. A (num_hiddens, num_hiddens) float32 matrix at this size is 256 MiB.
MAX_NUM_HIDDENS = 8_192

#: Windows per minibatch (d2l uses 1024).
MAX_BATCH_SIZE = 65_536

#: The memory a training run or an evaluation may need, estimated before it allocates:
#: activations kept for backpropagation plus parameters, gradients and the one-hot inputs.
MAX_MEMORY_BYTES = 8 * 2**30

#: Characters one call to ``predict``/``generate`` may produce (about 25 pages of text).
MAX_NUM_CHARS = 100_000

#: The largest text file read as a corpus (The Time Machine is 179 KB). Only regular files are
#: read: devices such as /dev/zero and FIFOs are refused before reading.
MAX_TEXT_BYTES = 64 * 2**20

#: Tokens in a vocabulary read from a checkpoint (a character vocabulary has a few dozen).
MAX_VOCAB_SIZE = 65_536

#: Characters in one vocabulary token read from a checkpoint.
MAX_TOKEN_CHARS = 64

#: Nesting depth of the JSON metadata in a checkpoint (the package writes depth 2 at most).
MAX_JSON_DEPTH = 16


def size_text(num_bytes):
    """``num_bytes`` as a short human figure: ``'7.3 TiB'``, ``'512 MiB'``, ``'12 KiB'``."""
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if num_bytes >= scale:
            return f"{num_bytes / scale:.1f} {unit}"
    return f"{int(num_bytes)} B"
