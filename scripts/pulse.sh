#!/usr/bin/env bash
# Start a headless PulseAudio server with a virtual microphone, for tests and CI (idempotent).
#
#   eval "$(scripts/pulse.sh)"      # start it if needed, then export its environment into this shell
#
# Devices it provides:
#   vspeaker  null sink (the default output): whatever is played ends up on vspeaker.monitor.
#             norewinds=1: with rewinds, a stream starting on the sink made its first ~2.5 s reach the
#             monitor mixed with a shifted copy (+6-13 dB; waveform correlation with the source 0.84-0.99
#             run to run). Without rewinds: 0.999 and a constant 100 ms lag, every run.
#   vmic      remap of vspeaker.monitor (the default input): `paplay x.wav` is heard by the recorder
#   pipemic   pipe source fed from $XDG_RUNTIME_DIR/vmic.fifo (16 kHz s16le mono), bit-exact input
#
# XDG_RUNTIME_DIR chooses the instance (default /tmp/xdg-runtime); tests start private servers in their
# own directories so they can kill them without disturbing anyone else. Runs as root without systemd
# (containers, CI). Logs go to stderr; stdout carries only the `export ...` lines, so the eval above is
# safe. Exits 0 when the server is already running.
set -euo pipefail

export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/xdg-runtime}"
mkdir -p "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
FIFO="$XDG_RUNTIME_DIR/vmic.fifo"
# Talk to this instance only, whatever server the caller's environment points at.
export PULSE_SERVER="unix:$XDG_RUNTIME_DIR/pulse/native"

log() { echo "pulse.sh: $*" >&2; }

for tool in pulseaudio pactl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    log "$tool not found: install pulseaudio and pulseaudio-utils (apt-get install pulseaudio pulseaudio-utils)"
    exit 1
  fi
done

running() { pactl info >/dev/null 2>&1; }
has() { pactl list short "$1" 2>/dev/null | cut -f2 | grep -qx "$2"; }

if running; then
  log "already running"
else
  log "starting PulseAudio"
  # A stale pid file or socket from a killed server would make the new one refuse to start.
  rm -f "$XDG_RUNTIME_DIR/pulse/pid"
  pulseaudio -D -n --exit-idle-time=-1 --log-target=stderr --log-level=error \
    -L module-native-protocol-unix \
    -L "module-null-sink sink_name=vspeaker norewinds=1 sink_properties=device.description=Virtual_speaker" \
    -L "module-remap-source source_name=vmic master=vspeaker.monitor source_properties=device.description=Virtual_microphone" \
    -L "module-pipe-source source_name=pipemic file=$FIFO format=s16le rate=16000 channels=1"
  for _ in $(seq 1 50); do
    running && break
    sleep 0.1
  done
  if ! running; then
    log "PulseAudio did not come up (see the messages above)"
    exit 1
  fi
fi

# A server started by someone else (or one whose modules were unloaded) may lack our devices: add them.
has sinks vspeaker || pactl load-module module-null-sink sink_name=vspeaker norewinds=1 \
  sink_properties=device.description=Virtual_speaker >/dev/null
has sources vmic || pactl load-module module-remap-source source_name=vmic master=vspeaker.monitor \
  source_properties=device.description=Virtual_microphone >/dev/null
has sources pipemic || pactl load-module module-pipe-source source_name=pipemic file="$FIFO" \
  format=s16le rate=16000 channels=1 >/dev/null
pactl set-default-sink vspeaker
pactl set-default-source vmic

echo "export XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR"
echo "export PULSE_SERVER=unix:$XDG_RUNTIME_DIR/pulse/native"
