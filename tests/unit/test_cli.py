"""The `trainer` command line, run as a user runs it: a real process, real files, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import CARDS
from tests.unit.test_deck import good_deck, write

FASTAPI = str(CARDS / "fastapi.toml")


def trainer(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trainer", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_decks_lists_shipped_decks_with_card_counts() -> None:
    result = trainer("decks")
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("fastapi "))
    count = int(line.split()[1])
    assert count >= 28
    assert "Your decks:" in result.stdout


def test_decks_reports_a_broken_deck_and_still_lists_the_good_one(tmp_path: Path) -> None:
    good_deck(tmp_path, "good.toml")
    write(tmp_path, "title = 'x'\n[[card]]\nid = 'a'\n", "bad.toml")
    result = trainer("decks", str(tmp_path))
    assert result.returncode == 0
    assert "good    1 cards  Python" in result.stdout
    assert "broken" in result.stdout and "bad.toml" in result.stdout and "trainer check" in result.stdout


def test_check_exit_status_and_every_problem(tmp_path: Path) -> None:
    assert trainer("check", FASTAPI).returncode == 0
    bad = write(tmp_path, "title = 'x'\n[[card]]\nid = 'a'\nquestion = 'q'\n", "bad.toml")
    result = trainer("check", FASTAPI, str(bad))
    assert result.returncode == 1
    assert f"{bad}:2: card 'a': field 'answer': missing (required)" in result.stdout
    assert f"{bad}:2: card 'a': field 'key_points': missing (required)" in result.stdout
    assert "fastapi.toml: ok (" in result.stdout
    assert "Traceback" not in result.stderr


def test_score_text_json_has_the_documented_fields() -> None:
    answer = (
        "Um, so path parameters are part of the URL path itself, like the item id, and they're required. "
        "Query parameters come after the question mark, and they're usually optional with a default."
    )
    result = trainer("score", "--deck", FASTAPI, "--card", "path-vs-query", "--text", answer, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"score", "key_points", "transcript", "words", "wpm", "fillers"} <= data.keys()
    assert 0 <= data["score"] <= 100 and data["score"] >= 50
    assert data["transcript"] == answer
    assert data["wpm"] is None
    assert data["fillers"] == {"um": 1}
    assert data["words"] == len(answer.split())
    for point in data["key_points"]:
        assert {"point", "hit", "similarity", "span", "how", "evidence", "why"} <= point.keys()
        if point["hit"]:
            start, end = point["span"]
            assert 0 <= start < end <= len(answer)
            assert point["how"] in ("same words", "paraphrase") and point["evidence"]
        else:
            assert point["how"] in ("missed", "contradicted") and point["evidence"]
    assert data["misconceptions"] == []


def test_score_json_flags_a_misconception_with_its_correction() -> None:
    answer = "Path parameters come after the question mark, and query parameters are always required."
    result = trainer("score", "--deck", FASTAPI, "--card", "path-vs-query", "--text", answer, "--json")
    assert result.returncode == 0, result.stderr
    claims = {m["claim"]: m for m in json.loads(result.stdout)["misconceptions"]}
    assert set(claims) == {"path parameters come after the question mark", "query parameters are always required"}
    wrong = claims["query parameters are always required"]
    assert "optional" in wrong["correction"] and answer[slice(*wrong["span"])] == wrong["said"]


def test_score_by_deck_id_with_duration_gives_wpm() -> None:
    result = trainer(
        "score", "--deck", "fastapi", "--card", "path-vs-query", "--text", "one two three four", "--duration", "2",
        "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["wpm"] == 120.0


def test_score_text_output_shows_checklist() -> None:
    result = trainer("score", "--deck", FASTAPI, "--card", "path-vs-query", "--text", "I don't know.")
    assert result.returncode == 0
    assert "Score: 0/100" in result.stdout
    assert "✗" in result.stdout


def test_user_mistakes_are_one_line_errors_without_traceback(tmp_path: Path) -> None:
    cases = [
        (("score", "--deck", "no-such-deck", "--card", "x", "--text", "t"), "unknown deck 'no-such-deck'"),
        (
            ("score", "--deck", FASTAPI, "--card", "path-vs-qurey", "--text", "t"),
            "Did you mean 'path-vs-query'",
        ),
        (("score", "--deck", str(tmp_path / "gone.toml"), "--card", "x", "--text", "t"), "no such file"),
        (("score", "--deck", FASTAPI, "--card", "path-vs-query"), "give either AUDIO_FILE or --text"),
        (("check", str(tmp_path / "missing")), "no such file or folder"),
        (("record", "--seconds", "1", "--out", "/proc/answer.flac"), "cannot write /proc/answer.flac"),
        (("speak", "Hello.", "--out", "/proc/question.wav"), "cannot write /proc/question.wav"),
        (("transcribe", str(tmp_path / "gone.flac")), "gone.flac"),
    ]
    for args, message in cases:
        result = trainer(*args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_output_piped_into_a_closed_pipe_stops_quietly() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "trainer", "check", str(CARDS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # like `| head -0`
        stderr = process.stderr.read()
        process.wait(timeout=60)
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr
