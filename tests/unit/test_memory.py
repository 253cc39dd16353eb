"""Memory the decoding thread frees goes back to the system (trainer.memory keeps the app's footprint down while it
transcribes). Runs in a fresh interpreter, so the heap is in the state an app starts with."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc (the Linux builds)")

PRELUDE = """
import ctypes, threading
from trainer.memory import release_free_memory
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]

def rss_mb():
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmRSS")) / 1024
"""


def run(body: str) -> list[str]:
    script = PRELUDE + textwrap.dedent(body)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True)
    return done.stdout.split()


def test_memory_freed_on_a_worker_thread_is_released() -> None:
    body = """
    libc.free(libc.malloc(24 << 20))  # freeing a big array raises glibc's mmap threshold, as decoding's do
    kept = []
    def work():  # like a decode: 100 MB of buffers written and freed, with a few kept between them
        blocks = [libc.malloc(256 * 1024) for _ in range(400)]
        for block in blocks:
            ctypes.memset(block, 1, 256 * 1024)
        for i, block in enumerate(blocks):
            kept.append(block) if i % 50 == 49 else libc.free(block)
    before = rss_mb()
    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    held = rss_mb()
    release_free_memory()
    print(before, held, rss_mb())
    """
    before, held, after = (float(x) for x in run(body))
    assert held - before > 80, f"the worker's buffers were not resident ({before:.0f} -> {held:.0f} MB)"
    assert after - before < 20, f"freed memory stayed resident: {before:.0f} -> {held:.0f} -> {after:.0f} MB"
