"""Files the app builds once into its cache folder (an assembled or converted model): written whole or not at all.

A file is written to a temporary file in the same folder and renamed, then recorded in a `.ok` stamp beside it
with its size, mtime, sha256 and the facts it was built from; `stamp_ok()` refuses a file that is incomplete,
damaged or built from something else, so it is rebuilt instead of used.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

log = logging.getLogger(__name__)


def atomic_write(target: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write through a temporary file in the same folder, fsync, then rename: readers never see half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_identity(source: Path) -> dict[str, Any]:
    """What a file built from `source` depends on: its path, size and mtime (a reinstall changes them)."""
    stat = source.stat()
    return {"source": str(source.resolve()), "source_size": stat.st_size, "source_mtime_ns": stat.st_mtime_ns}


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".ok")


def write_stamp(path: Path, facts: dict[str, Any]) -> None:
    """Record a finished file: its facts plus the size and mtime it had when verified."""
    stat = path.stat()
    record = {**facts, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    if "sha256" not in record:
        record["sha256"] = sha256_file(path)
    payload = json.dumps(record, indent=1).encode()
    atomic_write(_stamp_path(path), lambda f: f.write(payload))


def stamp_ok(path: Path, expected: dict[str, Any]) -> bool:
    """True when `path` is the complete file its stamp describes and the stamp holds the `expected` facts.

    Size and mtime are compared on every call (cheap); the sha256 is recomputed only when the mtime moved
    (a copy or touch), so a model is not re-hashed on every start.
    """
    try:
        stat = path.stat()
        record = json.loads(_stamp_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(record, dict) or any(record.get(k) != v for k, v in expected.items()):
        return False
    if stat.st_size != record.get("size"):
        log.warning("%s is incomplete (%d of %s bytes): rebuilding it", path, stat.st_size, record.get("size"))
        return False
    if stat.st_mtime_ns != record.get("mtime_ns"):
        if sha256_file(path) != record.get("sha256"):
            log.warning("%s does not match its recorded hash: rebuilding it", path)
            return False
        write_stamp(path, {k: v for k, v in record.items() if k not in ("size", "mtime_ns")})
    return True
