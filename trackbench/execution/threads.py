"""How many threads a tracker's libraries use, chosen instead of inherited by accident.

torch, OpenCV and the OpenMP / BLAS runtimes each start one thread per core of the
machine by default. With several worker processes, or other programs busy on the same
cores, that oversubscribes the CPU and a tracker's speed collapses (threads wait for each
other at every parallel region). So every process that builds a tracker first calls
:func:`apply_threads` with :func:`choose_threads`:

1. ``--threads N`` (``RunOptions.threads``) when given;
2. else ``$OMP_NUM_THREADS`` when the user set it (an explicit choice, kept);
3. else the usable cores (``os.sched_getaffinity``: the CPUs this process may run on,
   e.g. under ``taskset`` or a container's CPU set) divided by the worker processes, at
   least 1.

:func:`apply_threads` calls ``torch.set_num_threads``, ``cv2.setNumThreads`` and
``pyarrow.set_cpu_count`` for the libraries already imported, and sets the environment
variables that torch (OpenMP), MKL, OpenBLAS, OpenCV (``OPENCV_FOR_THREADS_NUM``) and
Arrow's CPU pool (``OMP_NUM_THREADS``; the table reader, :mod:`trackbench.arrow_table`)
read when they load later, so nothing is
imported only to be configured. It must run before the tracker is built.
"""

from __future__ import annotations

import os
import sys

#: Environment variables the OpenMP, MKL, OpenBLAS, numexpr and OpenCV runtimes read at load time.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                    "OPENCV_FOR_THREADS_NUM")


#: ``$OMP_NUM_THREADS`` as the user started the process (read once, before
#: :func:`apply_threads` sets it for the libraries of this process).
_USER_OMP_THREADS = os.environ.get("OMP_NUM_THREADS", "").strip()


def usable_cores() -> int:
    """CPUs this process may run on (its affinity mask; ``os.cpu_count()`` where the
    platform has no ``sched_getaffinity``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def choose_threads(requested: int | None, workers: int = 1) -> int:
    """Threads per worker process (see the module docstring for the order of precedence)."""
    if requested is not None:
        if requested < 1:
            from trackbench.errors import TrackbenchError

            raise TrackbenchError(f"--threads must be at least 1, got {requested}")
        return int(requested)
    if _USER_OMP_THREADS.isdigit() and int(_USER_OMP_THREADS) > 0:
        return int(_USER_OMP_THREADS)
    return max(1, usable_cores() // max(1, int(workers)))


def apply_threads(threads: int) -> None:
    """Make torch, OpenCV, Arrow and the OpenMP/BLAS runtimes of this process use ``threads``
    threads (call before the tracker is built; idempotent)."""
    threads = max(1, int(threads))
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)  # read by libraries that load after this call
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    cv2 = sys.modules.get("cv2")
    if cv2 is not None:
        cv2.setNumThreads(threads)
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None and pyarrow.cpu_count() != threads:
        pyarrow.set_cpu_count(threads)
