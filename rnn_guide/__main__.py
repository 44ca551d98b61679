"""``python -m rnn_guide`` and the ``rnn-guide`` script: the command line of ``rnn_guide._cli``.

:func:`run` takes Ctrl-C from its first moment: while the command line loads, a Ctrl-C prints
one line and exits with 130, as it does once a command runs (``cli.main`` handles it from there).
"""

import os
import signal
import sys


def _interrupted_while_loading(signum, frame):
    sys.stderr.write("rnn-guide: interrupted\n")
    os._exit(130)  # nothing has started that needs closing


def run():
    """The ``rnn-guide`` command: load the command line with Ctrl-C held to one line, then run it."""
    signal.signal(signal.SIGINT, _interrupted_while_loading)
    from ._cli import main

    signal.signal(signal.SIGINT, signal.default_int_handler)  # main turns KeyboardInterrupt into 130
    return main()


if __name__ == "__main__":
    sys.exit(run())
