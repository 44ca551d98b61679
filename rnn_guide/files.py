"""Writing a file so that readers see the whole old file or the whole new one, never a part.

The data goes to a ``.<name>.<random>.part`` file in the target's folder, is flushed to disk and
renamed over the target. A new file gets ``0o666`` less the umask, as ``open()`` gives; a replaced
file keeps its mode. A save in progress locks its ``.part`` file, so :func:`remove_leftovers`
(run before the next save to the same path) removes only the leftovers of killed saves.
Checkpoints and the notebooks that ``rnn-guide notebooks`` writes use it.
"""

import contextlib
import os
import re

from .errors import RNNGuideError

try:  # POSIX: a save in progress locks its .part file, so a cleanup never takes a live one
    import fcntl
except ImportError:  # Windows: an open file cannot be deleted, which protects it the same way
    fcntl = None


def remove_leftovers(target):
    """Remove the ``.part`` files of killed saves to ``target`` (those whose lock nobody holds)."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.[0-9a-f]{{16}}\.part")
    for entry in os.scandir(target.parent):
        if not (pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False)):
            continue
        with contextlib.suppress(OSError):
            if fcntl is None:  # Windows: this fails while a save has the file open
                os.remove(entry.path)
                continue
            fd = os.open(entry.path, os.O_RDONLY)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while a save writes it
                os.remove(entry.path)
            finally:
                os.close(fd)


def _open_part(target):
    """A new, locked ``.part`` file beside ``target``, created with mode 0o666 less the umask."""
    while True:
        part = target.parent / f".{target.name}.{os.urandom(8).hex()}.part"
        try:
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        if os.fstat(fd).st_nlink > 0:  # not removed by a cleanup that came before the lock
            return fd, part
        os.close(fd)


def write_atomically(target, data, action="write"):
    """Write ``data`` to a ``.part`` file, flush it to disk, and rename it over ``target``.

    A new file gets ``0o666`` less the umask (as ``open()`` gives); a replaced file keeps its mode.
    Errors say ``cannot {action} {target}: ...``.
    """
    mode = target.stat().st_mode & 0o777 if target.is_file() else None
    part = None
    try:
        fd, part = _open_part(target)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            if mode is not None:  # a replaced file keeps its mode
                os.chmod(part, mode)
            if fcntl is not None:  # POSIX: rename while the lock is held
                os.replace(part, target)
        if fcntl is None:  # Windows renames closed files only
            os.replace(part, target)
        part = None
    except OSError as err:
        raise RNNGuideError(f"cannot {action} {target}: {err.strerror or err}") from None
    finally:
        if part is not None:
            with contextlib.suppress(OSError):
                os.remove(part)
