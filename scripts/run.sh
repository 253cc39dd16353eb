#!/usr/bin/env bash
# Install Interview Trainer (system packages, .venv, the project) and launch the app.
# Extra arguments go to `trainer`, e.g. `scripts/run.sh decks`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh app
exec .venv/bin/trainer "$@"
