"""Keep the app's memory close to what it holds: freed decoding buffers go back to the system (glibc only).

Decoding a stretch allocates ~100 MB of short-lived buffers (features, activations, the VAD's batches). glibc
keeps freed heap memory for reuse, and after big frees raises the size under which it serves memory from the
heap, so without a trim the process held on to ~150 MB it no longer used. Measured on the live pipeline alone (a
90 s answer, docs/performance.md "Memory while transcribing"): peak 402-408 MB as it was, 368-374 MB trimming
after each look and decode. Forcing big buffers through mmap instead (MALLOC_MMAP_THRESHOLD_=128 KB) kept less but
added ~0.45 s of kernel time to every decode.
"""

from __future__ import annotations

import ctypes
import functools
import sys
from typing import Any


@functools.cache
def _libc() -> Any | None:
    """The process's own C library when it is glibc (it has malloc_trim), else None (macOS, Windows, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
    except (OSError, AttributeError):
        return None
    return libc


def release_free_memory() -> bool:
    """Return the C heap's free pages to the system (a few ms); True when some were released."""
    libc = _libc()
    return bool(libc.malloc_trim(0)) if libc is not None else False
