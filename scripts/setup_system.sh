#!/usr/bin/env bash
# Installs the system libraries GenéLive Studio needs (PortAudio for sound; Qt's xcb/EGL/fontconfig/dbus libs).
# As root it uses apt-get (only for packages that are missing); otherwise it lists what to install.
set -u
PKGS="libportaudio2 libsndfile1 libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 \
libxcb-randr0 libxcb-xkb1 libglib2.0-0"
# `--test` adds what only the test suite needs: a JACK server with a dummy driver, so a real PortAudio stream with
# real-time paced callbacks runs without a sound card (the playhead-clock test).
[ "${1:-}" = "--test" ] && PKGS="$PKGS jackd2"
# `--bench` adds espeak-ng: the separation benchmark's spoken voice (without it that benchmark uses a synthesised
# voice only) and jackd2 for the playback benchmark's real PortAudio stream.
[ "${1:-}" = "--bench" ] && PKGS="$PKGS jackd2 espeak-ng"
command -v dpkg-query >/dev/null 2>&1 || { echo "setup: not a Debian system; install PortAudio and Qt's xcb/EGL libraries yourself"; exit 0; }
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing system libraries:$missing"
  export DEBIAN_FRONTEND=noninteractive
  (apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1) || \
    (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends $missing >/dev/null) || \
    echo "setup: apt-get failed; install these yourself:$missing"
else
  echo "setup: not root, so not installing system libraries. Please run: sudo apt-get install$missing"
fi
exit 0
