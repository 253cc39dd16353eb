#!/usr/bin/env bash
# Put Interview Trainer in the desktop's application menu, for the current user only (no root needed):
#   $XDG_DATA_HOME/applications/interview-trainer.desktop       (XDG_DATA_HOME defaults to ~/.local/share)
#   $XDG_DATA_HOME/icons/hicolor/NxN/apps/interview-trainer.png  (every size rendered in assets/)
#   $XDG_DATA_HOME/icons/hicolor/scalable/apps/interview-trainer.svg
#
#   packaging/install-desktop.sh               install (or refresh) the entry and the icons
#   packaging/install-desktop.sh --exec PATH   start PATH instead of this checkout's .venv/bin/trainer
#   packaging/install-desktop.sh --uninstall   remove what this script installs
#
# .venv is not on PATH, so the entry starts this checkout's .venv/bin/trainer by its absolute path (TryExec
# hides the entry if the checkout is moved or deleted; run the script again from the new place).
# Safe to run again: files are replaced, never duplicated. The desktop and icon caches are refreshed when
# their tools are installed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
name="interview-trainer"
data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
apps="$data_home/applications"
hicolor="$data_home/icons/hicolor"

exe="$root/.venv/bin/trainer"
action=install
while [ "$#" -gt 0 ]; do
  case "$1" in
    --exec)
      [ "$#" -ge 2 ] || { echo "install-desktop: --exec needs a path" >&2; exit 2; }
      exe="$2"
      shift 2
      ;;
    --uninstall) action=uninstall; shift ;;
    -h | --help) sed -n '2,14s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "install-desktop: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

refresh_caches() {
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$apps" || true
  fi
  if [ -d "$hicolor" ]; then
    # Caches are only trusted while the theme folder is not newer than them: touching it makes desktops
    # rescan. An existing cache is rebuilt; none is created (a user-level cache that other programs do
    # not update would hide the icons they install later).
    touch "$hicolor"
    if [ -f "$hicolor/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
      gtk-update-icon-cache -q -f -t "$hicolor" || true
    fi
  fi
}

if [ "$action" = uninstall ]; then
  rm -f "$apps/$name.desktop" "$hicolor/scalable/apps/$name.svg"
  for png in "$root"/assets/icon-*.png; do
    size="$(basename "$png" .png)"
    size="${size#icon-}"
    rm -f "$hicolor/${size}x${size}/apps/$name.png"
  done
  refresh_caches
  echo "install-desktop: removed $apps/$name.desktop and its icons"
  exit 0
fi

case "$exe" in
  /*) ;;
  *) exe="$(pwd)/$exe" ;;
esac
if [ ! -x "$exe" ]; then
  echo "install-desktop: $exe is not there; run scripts/setup.sh first (or pass --exec PATH)" >&2
  exit 1
fi

# The Exec key's quoting (Desktop Entry spec, "The Exec key"): a path with anything but safe characters is
# put in double quotes, with ", `, $ and \ escaped; then the string value's own escaping doubles backslashes.
exec_arg="$exe"
if [[ "$exe" =~ [^A-Za-z0-9_./+@:,=-] ]]; then
  quoted="$(printf '%s' "$exe" | sed -e 's/[\\"`$]/\\&/g')"
  exec_arg="\"$quoted\""
fi
exec_value="${exec_arg//\\/\\\\}"
tryexec_value="${exe//\\/\\\\}"

mkdir -p "$apps"
tmp="$(mktemp "$apps/.$name.desktop.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
# The shipped entry with Exec pointing here; any TryExec in it is replaced by ours, written once after Exec.
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in
    Exec=*)
      printf 'Exec=%s\n' "$exec_value"
      printf 'TryExec=%s\n' "$tryexec_value"
      ;;
    TryExec=*) ;;
    *) printf '%s\n' "$line" ;;
  esac
done <"$here/$name.desktop" >"$tmp"
chmod 644 "$tmp"
mv -f "$tmp" "$apps/$name.desktop"
trap - EXIT

installed=0
for png in "$root"/assets/icon-*.png; do
  size="$(basename "$png" .png)"
  size="${size#icon-}"
  case "$size" in
    '' | *[!0-9]*) continue ;;
  esac
  install -D -m 644 "$png" "$hicolor/${size}x${size}/apps/$name.png"
  installed=$((installed + 1))
done
install -D -m 644 "$root/assets/icon.svg" "$hicolor/scalable/apps/$name.svg"

if command -v desktop-file-validate >/dev/null 2>&1; then
  desktop-file-validate "$apps/$name.desktop" || echo "install-desktop: warning: the entry does not validate" >&2
fi
refresh_caches
echo "install-desktop: $apps/$name.desktop (starts $exe), $installed PNG icons and the SVG in $hicolor"
