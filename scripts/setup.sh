#!/usr/bin/env bash
# Install Interview Trainer on Debian/Ubuntu: system packages, a virtual environment in .venv, the project.
#   scripts/setup.sh app    -> what the app needs (default)
#   scripts/setup.sh test   -> the same plus the openai-whisper engine, the base model and the test tools
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-app}"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

apt_pkgs=(
  python3-venv python3-dev
  espeak-ng libespeak-ng1                     # pyttsx3's speech engine
  libportaudio2 libsndfile1                   # sounddevice, soundfile
  pulseaudio pulseaudio-utils libasound2-plugins alsa-utils
  libegl1 libgl1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
  libxcb-shape0 libxcb-render-util0 libxcb-image0 libxcb-randr0 libfontconfig1 libdbus-1-3
  fonts-dejavu-core
)
if [ "$mode" = "test" ]; then
  apt_pkgs+=(xvfb xauth sox desktop-file-utils poppler-utils  # poppler-utils: pdftoppm renders exported PDFs
            e2fsprogs mount)  # mkfs.ext4 and mount: the storage-fault tests' read-only disk
fi
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
pip=(.venv/bin/python -m pip install -q --disable-pip-version-check)
"${pip[@]}" --upgrade pip

case "$mode" in
  app)
    "${pip[@]}" -e ".[piper]"
    # The menu entry and icons in ~/.local/share, pointing at this checkout's .venv/bin/trainer.
    bash packaging/install-desktop.sh
    ;;
  test)
    # openai-whisper without triton: torch's CPU build first (pinned), whisper's light deps, then whisper itself.
    "${pip[@]}" "torch==2.13.0" numba tiktoken more-itertools tqdm
    "${pip[@]}" --no-deps "openai-whisper==20250625"
    # pyinstaller (the `bundle` extra) for the bundle smoke test (tests/packaging/test_bundle.py).
    "${pip[@]}" -e ".[piper,base,dev,bundle]"
    ;;
  *)
    echo "usage: scripts/setup.sh [app|test]" >&2
    exit 2
    ;;
esac
echo "setup: done ($mode)"
