"""Pace and filler words."""

from __future__ import annotations

from trainer.speechstats import count_fillers, speech_stats


def test_words_per_minute_from_duration() -> None:
    stats = speech_stats("one two three four five six", duration=3.0)
    assert stats.words == 6
    assert stats.wpm == 120.0
    assert speech_stats("one two", None).wpm is None
    assert speech_stats("one two", 0).wpm is None


def test_fillers_counted_once_each_and_per_minute() -> None:
    text = "Um, so, you know, it's basically, uh, sort of a threadpool. I mean, um, you know?"
    stats = speech_stats(text, duration=30.0)
    assert stats.fillers == {"um": 2, "you know": 2, "basically": 1, "i mean": 1, "sort of": 1, "uh": 1}
    assert stats.filler_count == 8
    assert stats.fillers_per_minute == 16.0


def test_kind_of_after_a_determiner_is_not_a_filler() -> None:
    assert count_fillers("What kind of request is it? It is kind of slow.") == {"kind of": 1}
    assert count_fillers("No fillers in this answer.") == {}
    assert count_fillers("") == {}
