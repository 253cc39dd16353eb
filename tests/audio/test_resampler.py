"""The recorder's resampler (devices that refuse 16 kHz) and level helpers: pure NumPy, no device."""

from __future__ import annotations

import numpy as np
import pytest

from trainer.audio import FLOOR_DB, StreamResampler, block_level, meter_fraction, to_db


@pytest.mark.parametrize("rate", [48_000, 44_100, 22_050, 32_000, 8_000])
def test_tones_survive_resampling_to_16k(rate: int) -> None:
    seconds, freq = 2, 1000.0
    x = np.sin(2 * np.pi * freq * np.arange(rate * seconds) / rate)
    resampler = StreamResampler(rate)
    y = np.concatenate([resampler.process(x[i : i + 977]) for i in range(0, len(x), 977)] + [resampler.flush()])
    assert len(y) == 16_000 * seconds
    ideal = np.sin(2 * np.pi * freq * np.arange(len(y)) / 16_000)
    middle = slice(1000, -1000)
    error = y[middle] - ideal[middle]
    snr = 10 * np.log10(np.mean(ideal[middle] ** 2) / np.mean(error**2))
    assert snr > 80


def test_block_by_block_equals_all_at_once() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal(44_100).astype(np.float32) * 0.1
    whole = StreamResampler(44_100)
    a = np.concatenate([whole.process(x), whole.flush()])
    pieces = StreamResampler(44_100)
    b = np.concatenate([pieces.process(x[i : i + 313]) for i in range(0, len(x), 313)] + [pieces.flush()])
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_frequencies_above_8k_do_not_alias_into_speech() -> None:
    x = np.sin(2 * np.pi * 11_000 * np.arange(48_000) / 48_000)
    resampler = StreamResampler(48_000)
    y = np.concatenate([resampler.process(x), resampler.flush()])
    assert block_level(y[500:-500].astype(np.float32)).rms_db < -70


def test_levels_in_dbfs() -> None:
    full = np.ones(800, dtype=np.float32)
    assert block_level(full) == pytest.approx((0.0, 0.0))
    sine = (0.5 * np.sin(np.linspace(0, 200 * np.pi, 16_000))).astype(np.float32)
    rms, peak = block_level(sine)
    assert peak == pytest.approx(-6.02, abs=0.05) and rms == pytest.approx(-9.03, abs=0.05)
    assert block_level(np.zeros(10, dtype=np.float32)) == (FLOOR_DB, FLOOR_DB)
    assert to_db(0.0) == FLOOR_DB
    assert meter_fraction(-60) == 0 and meter_fraction(0) == 1 and meter_fraction(-30) == pytest.approx(0.5)
