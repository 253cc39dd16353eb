#!/usr/bin/env bash
# Build the desktop bundle: a PyInstaller one-folder app that runs offline (tiny.en, the Piper voice, Qt), and a
# tarball with it, the desktop entry, the icons and the script that installs them for the current user.
#   scripts/bundle.sh            -> dist/interview-trainer/ and dist/interview-trainer-VERSION-linux-ARCH.tar.gz
# Needs the `bundle` extra (pyinstaller) in .venv: `.venv/bin/python -m pip install -e '.[piper,bundle]'`.
# Build time, size and start time are in docs/install.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  echo "bundle: PyInstaller is not installed; run: $PY -m pip install -e '.[piper,bundle]'" >&2
  exit 1
fi
dist="${BUNDLE_DIST:-dist}"
work="${BUNDLE_WORK:-build/pyinstaller}"
start=$SECONDS
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN --distpath "$dist" --workpath "$work" \
  packaging/interview-trainer.spec
app="$dist/interview-trainer"

# Beside the program: what packaging/install-desktop.sh expects next to itself (the entry, the icons).
mkdir -p "$app/packaging" "$app/assets"
cp packaging/interview-trainer.desktop packaging/install-desktop.sh "$app/packaging/"
cp assets/icon* "$app/assets/"
cat >"$app/README.txt" <<'TXT'
Interview Trainer (one-folder bundle: no Python needed; speech models included, runs offline)

  ./interview-trainer                 open the app
  ./interview-trainer --help          the command line (decks, check, score, transcribe, import, ...)
  bash packaging/install-desktop.sh --exec "$PWD/interview-trainer"
                                      add it to the desktop's application menu (current user)

Needs on the system: libportaudio2 is bundled; a sound server (PulseAudio/PipeWire) for the microphone;
espeak-ng for the robotic voice (the Piper voice is bundled).
TXT

version="$("$PY" -c "import trainer; print(trainer.__version__)")"
tarball="$dist/interview-trainer-$version-linux-$(uname -m).tar.gz"
tar -C "$dist" -czf "$tarball" interview-trainer
echo "bundle: $app ($(du -sh "$app" | cut -f1)), $tarball ($(du -h "$tarball" | cut -f1)) in $((SECONDS - start)) s"
