"""What a result was measured on: the CPU, the settings in the environment, the versions.

A figure without its machine and its load cannot be compared with another, so every result file
records these (``benchmarks.run``) and ``benchmarks.threads`` prints them beside its table row.
"""

import os
import platform
import subprocess
import sys

# Environment settings that change what is measured (threads, engines, allocator); recorded.
SETTINGS_VARS = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "XLA_FLAGS",
    "TF_NUM_INTEROP_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "MXNET_ENGINE_TYPE",
    "MALLOC_MMAP_THRESHOLD_",
    "MALLOC_TRIM_THRESHOLD_",
    "LD_PRELOAD",
)


def machine():
    """The CPU (with its widest vector extension), memory, cores, platform and Python version."""
    cpu, flags = platform.processor() or "unknown CPU", set()
    try:
        with open("/proc/cpuinfo") as f:
            first_cpu = f.read().split("\n\n")[0].splitlines()
        info = {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in first_cpu if ":" in line)}
        cpu, flags = info["model name"], set(info["flags"].split())
    except (OSError, KeyError):
        pass
    vector = next((name for flag, name in (("avx512f", "AVX-512"), ("avx2", "AVX2")) if flag in flags), None)
    return {
        "cpu": cpu + (f" ({vector})" if vector else ""),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def machine_line():
    """:func:`machine` in one line: 'AMD EPYC (AVX-512), 2 cores, Python 3.11.7'."""
    m = machine()
    return f"{m['cpu']}, {m['usable_cores']} cores, Python {m['python']}"


def environment():
    """The settings of :data:`SETTINGS_VARS` that are set in this process's environment."""
    return {k: os.environ[k] for k in SETTINGS_VARS if k in os.environ}


def framework_version(d2l):
    """The version of the framework behind the backend ``d2l`` ('?' when it has none)."""
    module = sys.modules.get(d2l.module_name)
    return getattr(module, "__version__", "?")


def import_seconds_fresh(repeats):
    """``import rnn_guide`` timed in ``repeats`` fresh interpreters."""
    code = "import time; t = time.perf_counter(); import rnn_guide; print(time.perf_counter() - t)"
    times = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        times.append(float(out.stdout.split()[-1]))
    return times
