"""PortAudio is re-initialised (to see devices that appeared since start-up) only when no stream is open.

Re-initialising under an open stream leaves its Python object pointing at freed memory. A stream opened by
code that does not use `trainer.audio.stream_guard` (here: sounddevice used directly) must also stop it. Streams
are tracked as they are created: the heap is no longer scanned before every recording (that held the GIL
100-200 ms with a speech model loaded and stalled the window).
"""

from __future__ import annotations

import numpy as np
import pytest

from trainer import audio

pytestmark = pytest.mark.audio


def test_a_stream_opened_without_the_guard_stops_the_refresh() -> None:
    sd = audio.portaudio()
    assert audio.refresh_portaudio()
    stream = sd.OutputStream(samplerate=16000, channels=1, dtype="float32")
    try:
        assert not audio.refresh_portaudio(), "PortAudio was re-initialised under an open stream"
        stream.start()
        stream.write(np.zeros((1600, 1), dtype="float32"))
        stream.stop()
        assert not audio.refresh_portaudio()  # stopped is not closed: the stream still points into PortAudio
    finally:
        stream.close()
    assert audio.refresh_portaudio()
