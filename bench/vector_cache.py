"""A bench-only on-disk cache of sentence vectors keyed by model and text, so repeated tuning runs with a slow
model (MiniLM, about 22 ms a clause) embed each clause once. Never used by the app: the scorer's own in-memory
clause cache (trainer/scoring/semantic.py) is what the live path relies on, and timings must run without this.

    from bench.vector_cache import install
    install(Path("/tmp/vectors.npz"))  # after semantic.use(...), before scoring
"""

from __future__ import annotations

import atexit
from pathlib import Path

import numpy as np

from trainer.scoring import semantic


class _Cached:
    """Wraps a loaded embedder: texts seen before (this run or an earlier one) are not embedded again."""

    caches_clauses = False  # this wrapper caches; the scorer's own cache is skipped

    def __init__(self, model: semantic._Embedder, store: dict[str, semantic.Vectors]) -> None:
        self.model = model
        self.store = store

    def embed(self, texts: list[str]) -> semantic.Vectors:
        missing = list(dict.fromkeys(t for t in texts if t not in self.store))
        if missing:
            self.store.update(zip(missing, self.model.embed(missing), strict=True))
        return np.stack([self.store[t] for t in texts])


def install(path: Path) -> None:
    """Load the selected model through a disk cache at `path` (one file per model), saved at exit."""
    name, model = semantic._model()
    file = path.with_name(f"{path.stem}-{name}.npz")
    store: dict[str, semantic.Vectors] = {}
    if file.is_file():
        with np.load(file, allow_pickle=False) as data:
            store = dict(zip((str(t) for t in data["texts"]), data["vectors"], strict=True))
    semantic._loaded[name] = _Cached(model, store)
    size = len(store)

    def save() -> None:
        if len(store) > size:
            np.savez(file, texts=np.array(list(store)), vectors=np.stack(list(store.values())))

    atexit.register(save)
