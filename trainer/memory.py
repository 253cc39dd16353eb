"""Keep the app's memory close to what it holds: freed decoding buffers go back to the system (glibc only).

Decoding a stretch allocates ~100 MB of short-lived buffers (features, activations, the VAD's batches) on
whichever thread runs it. glibc gives each thread its own heap ("arena") and keeps freed memory for reuse;
`malloc_trim` can only shrink the main arena's top, so buffers freed on the decoding thread stayed resident.
Measured on the live pipeline alone (a 90 s answer, docs/performance.md "Memory"): peak 402-408 MB as it was,
368-369 MB trimming after each look and decode, 351-355 MB with one arena as well. Forcing big buffers through
mmap instead (MALLOC_MMAP_THRESHOLD_=128 KB) kept less but added ~0.45 s of kernel time to every decode.
"""

from __future__ import annotations

import ctypes
import functools
import sys
from typing import Any

#: mallopt's parameter for the number of heaps threads share (glibc's malloc.h).
M_ARENA_MAX = -8


@functools.cache
def _libc() -> Any | None:
    """The process's own C library when it is glibc (it has malloc_trim), else None (macOS, Windows, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    except (OSError, AttributeError):
        return None
    return libc


def use_one_heap() -> bool:
    """Let every thread allocate from the main heap, which `release_free_memory` can shrink.

    Call it first thing in the process, before threads start (a thread keeps the heap it first used).
    Decoding costs the same: the model allocates mostly on one thread.
    """
    libc = _libc()
    return bool(libc.mallopt(M_ARENA_MAX, 1)) if libc is not None else False


def release_free_memory() -> bool:
    """Return the C heap's free pages to the system (a few ms); True when some were released."""
    libc = _libc()
    return bool(libc.malloc_trim(0)) if libc is not None else False
