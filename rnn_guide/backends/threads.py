"""How many threads rnn_guide's training and evaluation steps run on, chosen by timing them.

PyTorch splits an operation over as many threads as the machine has cores. On a quiet machine that
is the fastest; beside other busy processes its threads wait for each other (OpenMP threads spin
while they wait) and an epoch becomes many times slower, while one thread holds up
(``benchmarks/threads.py``; the figures are in ``benchmarks/README.md``, "Threads on a shared
machine").

So ``threads='auto'``, the default of :func:`~rnn_guide.training.train` and
:func:`~rnn_guide.training.evaluate`, times each step and runs on whichever of one thread and the
framework's count has been faster lately. It starts on one thread (beside busy processes a step on
the framework's count can take a second or more: that count is the costly one to try) and tries the
framework's count after :data:`FIRST_TRY` steps. The count in use is left as soon as its recent time is above
the other's; the other is tried again now and then: :data:`MIN_GAP` steps after it last won or lost,
the gap doubling each time it loses again, and longer when a try lost a lot, so that tries take
about :data:`TRY_SHARE` of the time, with at most :data:`MAX_GAP` steps between two tries. While
steps on one thread get less than :data:`BUSY` of a core (their thread's CPU time over their wall
time; a step that got less counts at once, one that got more only by :data:`CORE_SMOOTHING`), the
cores are busy and the framework's count is not tried: there a step on two threads can take a
hundred times its usual time, now and then (beside busy processes steps on one thread get half a
core or a whole one by turns, and a whole one when quiet). The
framework's count is put back when the call returns or raises: nothing outside the call changes.

Where a framework fixes its threads when its runtime starts (TensorFlow, JAX, MXNet) or has none to
set (NumPy), ``'auto'`` changes nothing; measured, TensorFlow, JAX and MXNet hold up beside busy
processes on their own threads. One thread and several give the same losses at these sizes
(``tests/test_threads.py``).

This covers rnn_guide's training and evaluation only. The rest of a notebook (gradient experiments,
sampling, timing cells) runs on the framework's threads; on a shared server
``rnn_guide.use(framework, threads=1)`` is the explicit opt-in that sets them for the whole process
(``Backend._use_threads``): beside two busy processes notebooks 5 to 8 then took about as long as on
a quiet machine, against up to 20 times longer without it.

An adapter whose framework can change its thread count while running implements two hooks,
``Backend._get_threads`` and ``Backend._set_threads``; everything else is here.
"""

import contextlib
import math
import time

from .. import _validation as check
from ..errors import RNNGuideError

AUTO = "auto"
FIRST_TRY = 4  # steps on one thread before the framework's count is first tried
MIN_GAP, MAX_GAP = 8, 1000  # steps between two tries of the count that is not the best
TRY_SHARE = 0.05  # tries of a slower count take at most about this share of the time
SMOOTHING = 0.3  # weight of the newest step in the running time of the count in use
BUSY = 0.9  # steps on one thread that get less of a core than this: the cores are busy, no try
CORE_SMOOTHING = 0.1  # weight of a step on one thread that got more of a core than the recent share


def check_threads(threads, where):
    """``threads`` if it is ``'auto'``, None or an integer >= 1 (as an int), else the error."""
    if threads is None or threads == AUTO:
        return threads
    if not check.is_integer(threads) or threads < 1:
        raise RNNGuideError(
            f"{where}: threads must be 'auto', None or a positive integer (the number of threads per "
            f"operation), received {check.shown(threads)}"
        )
    return int(threads)


@contextlib.contextmanager
def thread_count(d2l, n, where):
    """Run the block on ``n`` threads per operation (None: as it is); the framework's count before the
    block comes back afterwards, whatever the block set, also when it raises."""
    before = d2l._get_threads()
    if n is not None and before is None:
        raise RNNGuideError(
            f"{where}: threads={n} needs a framework that changes its thread count while running "
            f"(PyTorch); {d2l.name!r} {fixed_why(d2l.name)}. Leave threads='auto' (or None), which "
            "changes nothing here"
        )
    if n is not None and n != before:
        d2l._set_threads(n)
    try:
        yield
    finally:
        if before is not None and d2l._get_threads() != before:
            d2l._set_threads(before)


def fixed_why(name):
    """Why ``name``'s threads are not set by rnn_guide, in a few words."""
    if name == "numpy":
        return "has no thread setting of its own"
    return "fixes its threads when its runtime starts (measured, it needs nothing on a shared machine)"


@contextlib.contextmanager
def step_threads(d2l, threads, where):
    """A :class:`ThreadChoice` for the steps of one call, the framework's count restored at the end.

    ``threads``: ``'auto'`` (choose by timing), None (change nothing) or a count (that many).
    """
    threads = check_threads(threads, where)
    own = d2l._get_threads()
    if threads == AUTO:  # one thread first: beside busy processes the framework's count is the costly try
        counts = (1, own) if own is not None and own > 1 else ()
    else:
        counts = () if threads is None else (threads,)
    with thread_count(d2l, counts[0] if counts else None, where):
        yield ThreadChoice(d2l, counts)


class ThreadChoice:
    """The thread count of each step: fixed, or the faster of ``counts`` by their recent step times."""

    def __init__(self, d2l, counts):
        self.d2l, self.counts = d2l, counts
        self.seconds = {}  # count -> recent seconds per step
        self.due = dict.fromkeys(counts, FIRST_TRY)  # count -> the step from which it is tried again
        self.gap = dict.fromkeys(counts, MIN_GAP)
        self.steps, self.current = 0, counts[0] if counts else None
        self.core = None  # the share of a core that steps on one thread got lately (CPU time / wall time)

    def best(self):
        """The count that has been fastest lately (the first count before any step); None: unchanged."""
        if not self.seconds:
            return self.current
        return min(self.seconds, key=self.seconds.get)

    @contextlib.contextmanager
    def step(self, work=1):
        """Run one step on the chosen count and time it (changes nothing when there is no choice).

        ``work``: the step's size relative to the others (full BPTT's k-th step goes back through k
        batches), so that the times of steps of different sizes compare.
        """
        if len(self.counts) < 2:
            yield
            return
        best = self.best()
        n = next((c for c in self.counts if c != best and self.steps >= self.due[c]), best)
        if n != best and best == 1 and self.core is not None and self.core < BUSY:
            self.due[n], n = self.steps + MIN_GAP, best  # the cores are busy: more threads would wait
        if n != self.current:
            self.d2l._set_threads(n)
            self.current = n
        start, cpu = time.perf_counter(), time.thread_time()
        yield
        wall = time.perf_counter() - start
        if n == 1 and self.steps > 0:  # one thread runs the step on this thread: did it get a whole core?
            share = (time.thread_time() - cpu) / max(wall, 1e-9)
            if self.core is None or share < self.core:  # less counts at once, more only slowly:
                self.core = share  # a few steps alone on a core do not hide busy processes
            else:
                self.core += CORE_SMOOTHING * (share - self.core)
        self._record(n, best, wall / work)

    def _record(self, n, best, seconds):
        self.steps += 1
        if self.steps == 1:  # the first step of a call also pays one-time costs (memory, a compilation)
            return
        if n == best or best not in self.seconds:
            old = self.seconds.get(n, seconds)
            self.seconds[n] = old + SMOOTHING * (seconds - old)
            return
        self.seconds[n] = seconds  # a try: its earlier time is out of date
        if self.best() == n:  # it won: the count it replaced is tried again soon
            self.due[best], self.gap[best] = self.steps + MIN_GAP, MIN_GAP
        else:  # it lost: try it less often, and the more it lost the rarer
            lost = seconds / self.seconds[best] - 1
            self.gap[n] = min(MAX_GAP, max(2 * self.gap[n], math.ceil(lost / TRY_SHARE)))
            self.due[n] = self.steps + self.gap[n]
