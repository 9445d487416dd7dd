"""The C heap of a process that decodes frames (glibc's malloc; elsewhere nothing is done).

A decoded frame is one large buffer (640 x 480 x 3 bytes: 0.9 MB; 1280 x 720: 2.8 MB),
allocated and freed once per frame. Under glibc's default, dynamic thresholds, such a
buffer is either mapped and unmapped on every frame or, freed at the top of the heap,
trimmed away and faulted in again by the next decode: measured on the real VOT frames of
``bag`` (640 x 480), 230 page faults a frame, and a decode twice as slow, in a process
that had not imported torch (torch's import happens to raise the thresholds, which is why
torch trackers did not show it). :func:`keep_freed_heap` fixes the thresholds, so frame
buffers are reused from the heap: ``benchmarks/harness_throughput.py --only vot`` and
the whole-process figures in ``benchmarks/README.md``. The cost is memory: up to
:data:`TRIM_THRESHOLD` of freed heap may stay resident in a worker.

:func:`return_free_heap` gives free pages back before a worker is forked (a fork copies
the page table entries of every resident page).
"""

from __future__ import annotations

#: Allocations below this come from the heap, never from a mapping of their own (glibc's
#: largest accepted value on 64-bit systems: a 4K frame is 24.9 MB).
MMAP_THRESHOLD = 32 * 2**20
#: Free memory at the top of the heap is returned to the kernel only above this.
TRIM_THRESHOLD = 64 * 2**20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h


def _libc():
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.mallopt, libc.malloc_trim  # glibc's; absent on musl, macOS, Windows
        return libc
    except (OSError, AttributeError):
        return None


def keep_freed_heap() -> bool:
    """Fix glibc's mmap and trim thresholds at :data:`MMAP_THRESHOLD` and
    :data:`TRIM_THRESHOLD` for this process (inherited by forked workers), so that the
    frames decoded one after the other reuse the same heap pages (module docstring).
    True when it was applied; False where there is no glibc ``mallopt``."""
    libc = _libc()
    if libc is None:
        return False
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


def return_free_heap() -> None:
    """Give the C heap's free pages back to the kernel (glibc's ``malloc_trim``; nothing
    where it does not exist), before a worker is forked: a fork copies the page table
    entries of every resident page, free ones included, and a process that has decoded or
    generated images can hold tens of MB of them (benchmarks/README.md: a fork of a
    process with 60 MB of such pages took 6.5 ms, 2.5 ms once they were returned). It
    costs about 0.1 ms per MB returned, nothing when there is nothing to return."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
