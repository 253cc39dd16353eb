"""The parts around the models: audio loading and resampling, the CT2 reader, prompts, transcript JSON."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile

from trainer.asr import SAMPLE_RATE, Segment, Transcript, Word, build_prompt, card_key_terms, card_prompt
from trainer.asr.base import AudioError, load_audio, resample
from trainer.asr.convert import ConversionError, read_ct2_model, whisper_state_dict
from trainer.asr.prompt import PROMPT_TOKEN_BUDGET
from trainer.asr.wer import term_recall, word_error_rate

# --- audio ------------------------------------------------------------------------------------------------


def _tone(freq: float, rate: int, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _level_at(samples: np.ndarray, freq: float, rate: int = SAMPLE_RATE) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size))) / samples.size
    bins = np.fft.rfftfreq(samples.size, 1 / rate)
    return float(spectrum[np.argmin(np.abs(bins - freq))])


@pytest.mark.parametrize("rate", [8_000, 22_050, 44_100, 48_000])
def test_resampling_keeps_speech_frequencies(rate: int) -> None:
    out = resample(_tone(1_000, rate), rate)
    assert out.dtype == np.float32
    assert out.size == pytest.approx(SAMPLE_RATE, abs=1)
    middle = out[2_000:-2_000]  # away from the filter's edges
    # Linear interpolation loses a little when upsampling 8 kHz telephone audio; downsampling is near exact.
    assert np.sqrt(np.mean(middle**2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.05 if rate < SAMPLE_RATE else 0.01)
    assert _level_at(out, 1_000) > 100 * _level_at(out, 3_000)


def test_resampling_removes_what_16_khz_cannot_hold() -> None:
    """A 12 kHz tone at 48 kHz would alias to 4 kHz without the low-pass; it must vanish instead."""
    out = resample(_tone(12_000, 48_000), 48_000)
    assert np.sqrt(np.mean(out[2_000:-2_000] ** 2)) < 0.005


def test_files_are_mixed_to_mono_and_resampled(tmp_path: Path) -> None:
    left = _tone(500, 44_100, 2.0)
    path = tmp_path / "stereo.flac"
    soundfile.write(str(path), np.stack([left, -0.5 * left], axis=1), 44_100)
    samples = load_audio(path)
    assert samples.shape == (2 * SAMPLE_RATE,)
    assert np.sqrt(np.mean(samples[2_000:-2_000] ** 2)) == pytest.approx(0.125 / np.sqrt(2), rel=0.01)  # (x - x/2) / 2


def test_ogg_is_read(tmp_path: Path) -> None:
    path = tmp_path / "answer.ogg"
    soundfile.write(str(path), _tone(440, 48_000), 48_000, format="OGG", subtype="VORBIS")
    assert load_audio(path).size == pytest.approx(SAMPLE_RATE, abs=2)


def test_bad_audio_inputs_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="no such file"):
        load_audio(tmp_path / "missing.flac")
    with pytest.raises(AudioError, match="is a folder"):
        load_audio(tmp_path)
    text = tmp_path / "notes.wav"
    text.write_text("not audio")
    with pytest.raises(AudioError, match="cannot be read as audio"):
        load_audio(text)
    empty = tmp_path / "empty.wav"
    soundfile.write(str(empty), np.zeros(0, dtype=np.float32), 16_000)
    with pytest.raises(AudioError, match="holds no audio"):
        load_audio(empty)
    with pytest.raises(ValueError, match="1-D"):
        load_audio(np.zeros((2, 100), dtype=np.float32))  # type: ignore[arg-type]


# --- the CTranslate2 reader -------------------------------------------------------------------------------


def _string(text: str) -> bytes:
    data = text.encode() + b"\0"
    return struct.pack("<H", len(data)) + data


def _variable(name: str, array: np.ndarray, dtype_id: int) -> bytes:
    raw = array.tobytes()
    shape = struct.pack(f"<B{array.ndim}I", array.ndim, *array.shape)
    return _string(name) + shape + struct.pack("<BI", dtype_id, len(raw)) + raw


def test_reader_dequantises_int8_rows_and_resolves_aliases(tmp_path: Path) -> None:
    weight = np.array([[1.0, -2.0], [0.5, 0.25]], dtype=np.float32)
    scale = (127 / np.abs(weight).max(axis=1)).astype(np.float32)
    quantised = np.rint(weight * scale[:, None]).astype(np.int8)
    body = _variable("decoder/embeddings/weight", quantised, 1) + _variable("decoder/embeddings/weight_scale", scale, 0)
    data = struct.pack("<I", 6) + _string("WhisperSpec") + struct.pack("<II", 3, 2) + body
    data += struct.pack("<I", 1) + _string("decoder/projection/weight") + _string("decoder/embeddings/weight")
    path = tmp_path / "model.bin"
    path.write_bytes(data)

    model = read_ct2_model(path)
    assert (model.binary_version, model.spec, model.revision) == (6, "WhisperSpec", 3)
    assert model.variables["decoder/projection/weight"] is model.variables["decoder/embeddings/weight"]
    assert model.variables["decoder/embeddings/weight"].dtype == np.int8
    with pytest.raises(KeyError):  # a partial Whisper model: the reader is fine, the mapping needs more
        whisper_state_dict(model)


def test_reader_rejects_truncated_and_misassembled_files(tmp_path: Path) -> None:
    wrong_order = tmp_path / "wrong.bin"
    wrong_order.write_bytes(b"\x93\x12\xff\x7f" + b"\0" * 64)  # what part2 + part1 starts like
    with pytest.raises(ConversionError, match="unsupported CTranslate2 model binary version"):
        read_ct2_model(wrong_order)
    truncated = tmp_path / "short.bin"
    truncated.write_bytes(struct.pack("<I", 6) + _string("WhisperSpec") + struct.pack("<II", 3, 5))
    with pytest.raises(ConversionError, match="truncated"):
        read_ct2_model(truncated)


# --- prompts ------------------------------------------------------------------------------------------------


def test_prompt_lists_key_terms_first_without_duplicates() -> None:
    prompt = build_prompt(["FastAPI", "Pydantic", "async"], key_terms=["Depends", "fastapi", "event  loop"])
    assert prompt == "Depends, fastapi, event loop, Pydantic, async"
    assert build_prompt([]) == ""


def test_prompt_stays_within_whispers_budget() -> None:
    from faster_whisper.tokenizer import Tokenizer
    from tokenizers import Tokenizer as HFTokenizer

    from trainer.asr import resolve_model

    vocabulary = [f"TermNumber{i} SubsystemAPI{i}" for i in range(300)]
    prompt = build_prompt(vocabulary, key_terms=["Pydantic", "BackgroundTasks"])
    model_dir = resolve_model("faster-whisper", "tiny.en").path
    tokenizer = Tokenizer(HFTokenizer.from_file(str(model_dir / "tokenizer.json")), multilingual=False)
    tokens = tokenizer.encode(" " + prompt)
    assert len(tokens) <= PROMPT_TOKEN_BUDGET < 223  # whisper keeps at most 223 prompt tokens
    assert prompt.startswith("Pydantic, BackgroundTasks, TermNumber0")


class _Point:
    def __init__(self, text: str) -> None:
        self.text = text


def test_card_key_terms_keep_short_points_and_technical_words() -> None:
    deck_vocabulary = ["threadpool", "event loop", "Starlette"]

    class Card:
        key_points = (
            _Point("event loop"),
            _Point("plain def runs in a threadpool so it won't block"),
            _Point("raise HTTPException with a status code"),
            _Point("set response_model on the decorator for OpenAPI docs"),
        )

    terms = card_key_terms(Card(), deck_vocabulary)
    assert terms == ["event loop", "threadpool", "HTTPException", "response_model", "OpenAPI"]


def test_card_prompt_from_a_real_deck(tmp_path: Path) -> None:
    from trainer.deck import load_deck

    deck = load_deck(Path(__file__).resolve().parents[1] / "data" / "example-deck.toml")
    prompt = card_prompt(deck, deck.cards[0])
    # "builds a new list" is a paraphrase with no technical word: it adds nothing to recognition.
    assert prompt.startswith("from an iterable, optional if filter, list comprehension")
    assert all(term in prompt for term in deck.vocabulary)
    assert "if clause" not in prompt  # aliases hold mishearings and paraphrases, never prompted


# --- transcripts and metrics ------------------------------------------------------------------------------


def test_transcript_round_trips_through_json() -> None:
    words = (Word(0.0, 0.4, "FastAPI", 0.91), Word(0.4, 0.9, "validates", 0.88))
    transcript = Transcript("FastAPI validates", (Segment(0.0, 0.9, "FastAPI validates", words),), 1.5, "e", "m", "en")
    data = json.loads(json.dumps(transcript.to_dict()))
    assert data["segments"][0]["words"][0] == {"start": 0.0, "end": 0.4, "text": "FastAPI", "probability": 0.91}
    assert Transcript.from_dict(data) == transcript
    assert transcript.words == words


def test_word_error_rate_and_recall() -> None:
    assert word_error_rate("FastAPI uses Pydantic.", "fastapi uses pydantic") == 0.0
    assert word_error_rate("FastAPI uses Pydantic", "fast API uses pedantic") == 1.0  # 2 substitutions, 1 insertion
    assert term_recall("we use an event loop", ["event loop", "threadpool"]) == 0.5
