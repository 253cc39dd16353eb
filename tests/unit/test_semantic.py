"""The embedding model is held in half the memory without changing a single vector (trainer.scoring.semantic)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from trainer.scoring import semantic

TEXTS = [
    "A path parameter is part of the URL, a query parameter comes after the question mark.",
    "def endpoints run in a threadpool so they don't block the event loop",
    "ok",
]


def test_the_float16_table_gives_the_vectors_of_the_float32_one() -> None:
    import wordllama
    from wordllama import WordLlama

    kept = semantic.embed(TEXTS)
    assert semantic._model().embedding.dtype == np.float16  # 16 MB instead of 32
    full = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    assert full.embedding.dtype == np.float32
    assert np.array_equal(kept, np.asarray(full.embed(TEXTS, norm=True), dtype=np.float32))
