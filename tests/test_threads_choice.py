"""How ``threads='auto'`` chooses between one thread and the framework's count
(rnn_guide/backends/threads.py), on a fake clock, and the thread benchmark's helpers.

No timing assertion: speed is measured in benchmarks/threads.py. The restoring of the count and
the argument checks are in test_threads.py.
"""

import pytest

from rnn_guide.backends import threads as T


# --------------------------------------------------------------------- the choice, on a fake clock
class FakeFramework:
    """A backend's two thread hooks, and a clock on which a step takes ``cost[count]`` seconds, of
    which a step on one thread gets ``core`` on the CPU."""

    name = "fake"

    def __init__(self, own, cost):
        self.threads, self.cost, self.now, self.sets = own, dict(cost), 0.0, 0
        self.cpu, self.core = 0.0, 1.0

    def _get_threads(self):
        return self.threads

    def _set_threads(self, n):
        self.threads, self.sets = n, self.sets + 1

    def run(self, choice, steps):
        """The counts that ``steps`` steps ran on."""
        counts = []
        for _ in range(steps):
            with choice.step():
                self.now += self.cost[self.threads]
                self.cpu += self.cost[self.threads] * (self.core if self.threads == 1 else 1.0)
                counts.append(self.threads)
        return counts


@pytest.fixture
def fake(monkeypatch):
    def make(own, cost):
        framework = FakeFramework(own, cost)
        monkeypatch.setattr(T.time, "perf_counter", lambda: framework.now)
        monkeypatch.setattr(T.time, "thread_time", lambda: framework.cpu)
        return framework

    return make


def test_auto_settles_on_the_framework_count_when_it_is_faster(fake):
    framework = fake(4, {4: 1.0, 1: 1.5})
    with T.step_threads(framework, "auto", "test") as choice:
        counts = framework.run(choice, 300)
        assert choice.best() == 4
    assert framework.threads == 4
    assert counts[: T.FIRST_TRY + 1] == [1] * T.FIRST_TRY + [4]  # one thread first, then tried rarely
    assert counts.count(1) <= T.FIRST_TRY + 8
    assert framework.sets <= 2 * counts.count(1) + 1


@pytest.mark.parametrize("slow", [3.0, 8.0, 300.0])
def test_auto_settles_on_one_thread_beside_busy_processes(fake, slow):
    framework = fake(2, {2: slow, 1: 1.5})
    with T.step_threads(framework, "auto", "test") as choice:
        counts = framework.run(choice, 2000)
    assert framework.threads == 2  # restored
    # After the first, the tries of the slow count take at most about TRY_SHARE of the time.
    tried = counts.count(2) - 1
    assert tried * slow <= 1.5 * T.TRY_SHARE * (2000 - tried) + slow


def test_auto_follows_a_change_of_load(fake):
    framework = fake(2, {2: 1.0, 1: 1.5})
    with T.step_threads(framework, "auto", "test") as choice:
        framework.run(choice, 50)
        assert choice.best() == 2
        framework.cost = {2: 8.0, 1: 1.5}  # busy processes start: seen at the next step
        assert framework.run(choice, 30)[-20:] == [1] * 20
        framework.cost = {2: 1.0, 1: 1.5}  # and stop: seen at the next try of two threads
        assert framework.run(choice, 300)[-100:].count(2) >= 95


def test_no_try_while_one_thread_gets_less_than_a_core(fake):
    framework = fake(2, {2: 1.0, 1: 1.5})
    framework.core = 0.6  # busy processes take the rest: two threads would wait for each other
    with T.step_threads(framework, "auto", "test") as choice:
        assert framework.run(choice, 100) == [1] * 100
        framework.core = 1.0  # they stop: two threads are tried soon after (about ten steps), and win
        counts = framework.run(choice, 100)
    assert 2 in counts[:25] and counts[-50:].count(2) >= 48


@pytest.mark.parametrize(
    "threads, own, counts", [("auto", 1, ()), ("auto", None, ()), (None, 4, ()), (3, 4, (3,))]
)
def test_no_choice_where_there_is_nothing_to_choose(fake, threads, own, counts):
    framework = fake(own, {own: 1.0, 3: 1.0})
    with T.step_threads(framework, threads, "test") as choice:
        assert choice.counts == counts
        framework.run(choice, 20)
        assert framework.threads == (counts[0] if counts else own)
    assert framework.threads == own


def test_the_first_step_is_not_counted(fake):
    framework = fake(2, {2: 1.0, 1: 1.5})
    with T.step_threads(framework, "auto", "test") as choice:
        framework.cost = {2: 1.0, 1: 100.0}  # a first step that pays for memory or a compilation
        framework.run(choice, 1)
        framework.cost = {2: 1.0, 1: 1.5}
        framework.run(choice, 1)
        assert choice.seconds == {1: 1.5}


# ------------------------------------------------------------------------ the benchmark's helpers
def test_the_busy_processes_stop_however_the_benchmark_ends():
    from benchmarks.threads import competitors

    with pytest.raises(KeyboardInterrupt), competitors(1) as procs:
        assert len(procs) == 1 and procs[0].is_alive()
        raise KeyboardInterrupt  # Ctrl-C
    assert not any(p.is_alive() for p in procs)


def test_the_benchmark_row_judges_rnn_guides_default():
    from benchmarks.threads import table_row

    times = {("quiet", "framework"): [0.10, 0.12], ("quiet", "one"): [0.15], ("quiet", "rnn_guide"): [0.105]}
    times |= {
        ("competing", "framework"): [0.8],
        ("competing", "one"): [0.2],
        ("competing", "rnn_guide"): [0.25],
    }
    loads = {"quiet": [0.1, 0.3], "competing": [2.0, 2.6]}
    row = table_row(times, loads, {"adjustable": True, "framework": "pytorch 2"})
    assert row == (
        "| pytorch 2 | 0.110 (0.100-0.120) | 0.150 | 0.105 | 0.800 | 0.200 | 0.250 | 0.1-0.3 / 2.0-2.6 "
        "| met 1.00x best | **missed** 2.38x |"
    )
    fixed = {key: value for key, value in times.items() if key[1] != "rnn_guide"}
    row = table_row(fixed, loads, {"adjustable": False, "framework": "jax 0"})
    assert "| = framework |" in row and row.endswith("| met 1.00x best | **missed** 7.27x |")
