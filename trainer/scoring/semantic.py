"""Sentence embeddings that propose paraphrase matches (WordLlama, shipped inside its PyPI wheel).

WordLlama 0.4 (MIT; its tokenizer is Llama 2's) holds 256-d token embeddings averaged into a sentence vector:
about 0.25 s to load and a few milliseconds for a whole answer, so it can run on every live update. Like every
small embedding model it rates "X is not required" as close to "X is required" as a real paraphrase, so a
similarity here only proposes a match; claims.py confirms or rejects it.

The model is loaded once per process: `preload()` in a background worker at start-up, or lazily by the first
call that needs it. Loading is offline: the wheel's own folder is the cache and downloads are disabled.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from trainer.memory import release_free_memory

Vectors = npt.NDArray[np.float32]

_lock = threading.Lock()


class ModelUnavailable(RuntimeError):
    """The embedding model's package is missing or broken; scoring falls back to words only."""


_loaded: list[Any] = []


def _model() -> Any:
    """The loaded model; the first caller loads it while any other waits (never loaded twice)."""
    with _lock:
        if _loaded:
            return _loaded[0]
        try:
            import wordllama
            from wordllama import WordLlama
        except ImportError as exc:  # the package is a core dependency; a broken install still scores by words
            raise ModelUnavailable(f"wordllama is not installed ({exc}); run scripts/setup.sh") from exc
        folder = Path(wordllama.__file__).parent
        # The wheel ships its tokenizer in tokenizers/ while the loader looks in tokenizer/ unless cache_dir is
        # the package folder; downloads stay off so nothing leaves the machine.
        model = WordLlama.load(cache_dir=folder, disable_download=True)
        # The weights are float16 in the wheel and loaded as float32. Kept as float16 (16 MB less), the rows
        # of an answer are still pooled in float32 (float16 * the float32 mask): the very same vectors.
        model.embedding = np.ascontiguousarray(model.embedding.astype(np.float16))
        _loaded.append(model)
        release_free_memory()
        return _loaded[0]


def preload() -> bool:
    """Load the model now (call it in a worker thread); False when it cannot be loaded."""
    try:
        _model()
    except ModelUnavailable:
        return False
    return True


def embed(texts: list[str]) -> Vectors:
    """Unit-length sentence vectors, one row per text."""
    vectors: Vectors = np.asarray(_model().embed(texts, norm=True), dtype=np.float32)
    return vectors


@functools.lru_cache(maxsize=4096)
def embed_one(text: str) -> Vectors:
    """One text's vector, cached: deck phrases and model-answer sentences are embedded once."""
    vector: Vectors = embed([text])[0]
    return vector
