"""Benchmark live transcription against the batch path: seconds from the end of an answer to its score.

    .venv/bin/python bench/latency.py                  # 30/60/90/120 s answers, both engines, 3 runs each
    .venv/bin/python bench/latency.py --runs 1         # one run per answer (medians over the answers only)
    .venv/bin/python bench/latency.py --quick          # one 20 s answer, faster-whisper, one run (a test runs it)
    .venv/bin/python bench/latency.py --json out.json  # also keep every transcript
    .venv/bin/python bench/latency.py --stop-after 0.3 # stop 0.3 s after the last word (no pause to decode in)

Answers: distinct FastAPI sentences read by Piper's joe voice with pauses of 0.4-1.2 s (bench/answers.py), no
repeated text. For each answer and engine (tiny.en, the app's default model, with the card's prompt as the app
builds it):
- batch: the old app structure: nothing happens while the user speaks; after stop, one model call on the whole
  recording (with the new deterministic decoding settings), then scoring;
- live: `LiveTranscriber` fed 50 ms blocks at real-time pace (`feed_at_pace`, as the recorder does); after the
  last block, `finish()` decodes the tail (or takes it from the decode made ahead during the last pause), then
  scoring.
Latency is wall time from the end of the audio (where the user presses stop) to the score. Each answer ends with
the pause that follows its last sentence (0.4-1.2 s, "pause" in the table: from the VAD's end of speech, which
includes its 0.15 s pad); "ahead" says in how many runs the tail came from the decode made during it. "CPU during"
is the process's CPU seconds used while the answer was being spoken (live only). WER and "dropped" (share of source
words with no counterpart in the transcript) are against the text read; "loop" is the decoding guards' loop test on
the final text; "same" says whether every run gave identical text. Each engine runs in its own process: its peak
RSS is its own. The segmenter's first settings were chosen before this benchmark existed; the look-ahead,
the 0.5 s step and stopping at the end of speech were developed while watching the decode timeline of the 90 s
answer, so these answers are not unseen audio for them (docs/performance.md, "Live transcription").
"""

from __future__ import annotations

import argparse
import difflib
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

LENGTHS = (30.0, 60.0, 90.0, 120.0)
ENGINES = ("faster-whisper", "openai-whisper")
DECK = REPO / "cards" / "fastapi.toml"
CARD = "path-vs-query"


def dropped_share(source: str, heard: str) -> float:
    """Share of the source's words left out of the transcript: deletions of a word alignment (difflib).

    A misheard word ("Metalware" for middleware) is an error counted by WER, not a dropped word; a run of
    source words replaced by fewer heard words counts the difference as dropped.
    """
    from trainer.asr.wer import words

    ref, hyp = words(source), words(heard)
    if not ref:
        return 0.0
    dropped = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ref, hyp, autojunk=False).get_opcodes():
        if op == "delete":
            dropped += i2 - i1
        elif op == "replace":
            dropped += max(0, (i2 - i1) - (j2 - j1))
    return dropped / len(ref)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def worker(spec: dict[str, Any]) -> dict[str, Any]:
    """One engine, every answer and run; returns the measurements (runs in its own process)."""
    from trainer.asr import card_prompt, load_audio, load_transcriber
    from trainer.asr.decoding import is_loop
    from trainer.asr.live import SPEECH_PAD_MS, LiveTranscriber, feed_at_pace, speech_spans
    from trainer.asr.wer import word_error_rate
    from trainer.deck import load_deck
    from trainer.scoring import score_answer

    deck = load_deck(DECK)
    card = deck.card(CARD)
    prompt = card_prompt(deck, card)
    transcriber = load_transcriber(spec["engine"], "tiny.en")
    warm = load_audio(spec["answers"][0]["wav"])[: 5 * 16_000]
    transcriber.transcribe(warm, prompt=prompt)  # one-off costs (JIT, allocators) a running app pays once
    score_answer(card, "warm up")
    results: list[dict[str, Any]] = []
    for answer in spec["answers"]:
        samples = load_audio(answer["wav"])
        if spec.get("stop_after") is not None:
            # The VAD pads speech by 0.15 s: the last word ends 0.15 s before its span does.
            last_word = speech_spans(samples)[-1][1] - round(SPEECH_PAD_MS / 1000 * 16_000)
            samples = samples[: last_word + round(spec["stop_after"] * 16_000)]
        pause = (samples.size - speech_spans(samples)[-1][1]) / 16_000
        for run in range(spec["runs"]):
            row: dict[str, Any] = {
                "seconds": answer["seconds"],
                "audio": samples.size / 16_000,
                "run": run,
                "pause": pause,
            }
            if not spec["live_only"]:
                ended = time.monotonic()
                batch = transcriber.transcribe(samples, prompt=prompt, language=deck.language)
                score_answer(card, batch.text)
                row |= {
                    "batch_latency": time.monotonic() - ended,
                    "batch_text": batch.text,
                    "batch_wer": word_error_rate(answer["text"], batch.text),
                    "batch_dropped": dropped_share(answer["text"], batch.text),
                    "batch_loop": is_loop(batch.text),
                }
            live = LiveTranscriber(transcriber, prompt=prompt, language=deck.language)
            cpu = cpu_seconds()
            ended = feed_at_pace(live, samples)
            cpu_during = cpu_seconds() - cpu
            transcript = live.finish()
            score_answer(card, transcript.text)
            row |= {
                "live_latency": time.monotonic() - ended,
                "cpu_during": cpu_during,
                "live_text": transcript.text,
                "live_wer": word_error_rate(answer["text"], transcript.text),
                "live_dropped": dropped_share(answer["text"], transcript.text),
                "live_loop": is_loop(transcript.text),
                "warnings": list(transcript.warnings),
                "decoded_ahead": live.decoded_ahead[0],
                "tail_from_ahead": live.decoded_ahead[1],
            }
            results.append(row)
            print(
                f"  {spec['engine']} {row['audio']:.0f} s run {run + 1}: live {row['live_latency']:.2f} s"
                + (f", batch {row['batch_latency']:.2f} s" if "batch_latency" in row else ""),
                file=sys.stderr,
                flush=True,
            )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"engine": spec["engine"], "rows": results, "peak_rss_mb": peak_mb}


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def summary(result: dict[str, Any]) -> list[str]:
    """Table lines for one engine: one per answer length."""
    lines = []
    by_length: dict[float, list[dict[str, Any]]] = {}
    for row in result["rows"]:
        by_length.setdefault(row["seconds"], []).append(row)
    for _seconds, rows in sorted(by_length.items()):
        live = [r["live_latency"] for r in rows]
        batch = [r["batch_latency"] for r in rows if "batch_latency" in r]
        same = len({r["live_text"] for r in rows}) == 1
        ratio = statistics.median(batch) / statistics.median(live) if batch else float("nan")
        ahead = sum(r["tail_from_ahead"] for r in rows)
        lines.append(
            f"| {result['engine']} | {rows[0]['audio']:.0f} s | {rows[0]['pause']:.2f} s | {ahead}/{len(rows)} | "
            + (f"{statistics.median(batch):.2f} / {p90(batch):.2f} | " if batch else "- | ")
            + f"{statistics.median(live):.2f} / {p90(live):.2f} | {ratio:.1f}x | "
            f"{statistics.median(r['cpu_during'] for r in rows):.1f} | "
            f"{max(r['live_wer'] for r in rows):.3f}"
            + (f" ({max(r['batch_wer'] for r in rows):.3f})" if batch else "")
            + f" | {100 * max(r['live_dropped'] for r in rows):.1f} %"
            + (f" ({100 * max(r['batch_dropped'] for r in rows):.1f} %)" if batch else "")
            + f" | {'yes' if any(r['live_loop'] for r in rows) else 'no'}"
            + (f" ({'yes' if any(r['batch_loop'] for r in rows) else 'no'})" if batch else "")
            + f" | {'yes' if same else 'NO'} | {result['peak_rss_mb']:.0f} MB |"
        )
    return lines


HEADER = (
    "| engine | answer | pause | ahead | batch s median / p90 | live s median / p90 | batch/live | CPU s during | "
    "WER live (batch) | dropped live (batch) | loop live (batch) | same text | peak RSS |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per answer and engine (default 3)")
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--lengths", nargs="+", type=float, default=list(LENGTHS), help="answer lengths, seconds")
    parser.add_argument("--quick", action="store_true", help="one 20 s answer, faster-whisper, one run")
    parser.add_argument("--live-only", action="store_true", help="skip the batch path")
    parser.add_argument(
        "--stop-after", type=float, help="end each answer this many seconds after its last word (default: its pause)"
    )
    parser.add_argument("--json", type=Path, help="write every result and transcript here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        spec = json.loads(Path(args.worker).read_text(encoding="utf-8"))
        Path(spec["out"]).write_text(json.dumps(worker(spec)), encoding="utf-8")
        return 0
    if args.quick:
        args.runs, args.engines, args.lengths = 1, ["faster-whisper"], [20.0]

    from bench.answers import long_answer

    with tempfile.TemporaryDirectory(prefix="latency-") as tmp:
        folder = Path(tmp)
        answers = []
        for seconds in args.lengths:
            text, wav = long_answer(seconds, folder / f"answer_{seconds:g}.wav")
            answers.append({"seconds": seconds, "text": text, "wav": str(wav)})
        print(f"{len(answers)} answers synthesised; {platform.processor() or platform.machine()}", file=sys.stderr)
        results = []
        for engine in args.engines:
            spec_path, out = folder / f"{engine}.json", folder / f"{engine}.out.json"
            spec = {
                "engine": engine,
                "answers": answers,
                "runs": args.runs,
                "live_only": args.live_only,
                "stop_after": args.stop_after,
            }
            spec_path.write_text(json.dumps(spec | {"out": str(out)}), encoding="utf-8")
            subprocess.run([sys.executable, __file__, "--worker", str(spec_path)], check=True, cwd=REPO)
            results.append(json.loads(out.read_text(encoding="utf-8")))
    print(HEADER)
    for result in results:
        print("\n".join(summary(result)))
    for result in results:
        live = [r["live_latency"] for r in result["rows"]]
        batch = [r["batch_latency"] for r in result["rows"] if "batch_latency" in r]
        print(
            f"{result['engine']}: every run of every answer: live median {statistics.median(live):.2f} s, "
            f"p90 {p90(live):.2f} s" + (f"; batch median {statistics.median(batch):.2f} s" if batch else "")
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
