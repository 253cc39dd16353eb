#!/usr/bin/env bash
# Install everything the tests need, start the PulseAudio virtual microphone, and run the whole suite:
# ruff (lint and format), mypy (strict on the Qt-free core) and pytest. Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test || exit 1
# The virtual microphone: a null sink whose monitor is the default source (see scripts/pulse.sh).
eval "$(bash scripts/pulse.sh)" || { echo "test: could not start the PulseAudio virtual microphone" >&2; exit 1; }
export QT_QPA_PLATFORM=offscreen

status=0
step() {
  echo "== $*"
  "$@" || status=1
}
step .venv/bin/ruff check trainer tests bench scripts
step .venv/bin/ruff format --check trainer tests bench scripts
step .venv/bin/mypy
step .venv/bin/python -m pytest "$@"
if [ "$status" -ne 0 ]; then echo "test: FAILED (see the steps above)" >&2; fi
exit "$status"
