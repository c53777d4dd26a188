#!/usr/bin/env bash
# Takes the README's screenshots of the built app under a virtual X server; builds nothing.
#   docs/screenshots.sh [path/to/mirrorscope]     (default: build/app/mirrorscope)
# Writes docs/screenshot-run.png (the greeter demo after a few seconds of traffic) and
# docs/screenshot-editor.png (the editor page). Needs xvfb-run (xvfb) and import (imagemagick).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
app="${1:-$root/build/app/mirrorscope}"
wait_run="${WAIT_SECONDS:-8}"
for tool in xvfb-run import; do
    command -v "$tool" >/dev/null || { echo "screenshots: $tool is missing" >&2; exit 2; }
done
[ -x "$app" ] || { echo "screenshots: no executable at $app (build first)" >&2; exit 2; }

# shoot OUT SECONDS ARGS...: starts the app on its own X server, waits, grabs the screen and
# ends the app by its pid.
shoot() {
    local out="$1" seconds="$2"
    shift 2
    xvfb-run -a -s "-screen 0 1400x900x24" bash -c '
        out="$1"; seconds="$2"; shift 2
        "$@" >/dev/null 2>&1 &
        pid=$!
        sleep "$seconds"
        import -window root "$out"
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    ' shoot "$out" "$seconds" "$@"
    echo "wrote $out"
}

shoot "$root/docs/screenshot-run.png" "$wait_run" "$app" --demo
shoot "$root/docs/screenshot-editor.png" 3 "$app" --demo --page editor
