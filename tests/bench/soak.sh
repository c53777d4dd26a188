#!/usr/bin/env bash
# soak.sh - Mirrorscope's proxy under a steady load while v2 flaps (issue 7).
#
#   tests/bench/soak.sh                 # 30 minutes
#   DURATION=120 tests/bench/soak.sh    # a quick run
#
# Starts, on 127.0.0.1 only, on free ports it picks, in a private temp dir:
#   v1     mirror-bench-backend.c answering at once (healthy)
#   v2     the same backend, flapping every PERIOD seconds: healthy -> slow (SLOW_MS) -> dead
#          (stopped: connection refused) -> healthy ...
#   proxy  mirrorscope proxy with every request routed to v1 and mirrored to v2, --report JSON
#   load   soak-load.py: RATE requests/s, open loop, keep-alive, for DURATION seconds
# and prints, PASS/FAIL per line:
#   v1 errors seen by the client (must be 0: whatever v2 does, v1's clients see nothing),
#   the client's own accounting (sent = ok + errors),
#   proxy RSS at start / middle / end (VmRSS of the proxy this script started) and flatness,
#   the proxy's identities from its --report: requests = answered + failed;
#   mirrors = delivered + failed + dropped (by reason) + sampled out + in flight.
# Exit status: 0 when every line passes, 1 otherwise, 2 on a setup error.
#
# Environment (all optional):
#   DURATION=1800 RATE=200 PERIOD=20 SLOW_MS=200 CONNS=64 WORKERS=0 (0: proxy default)
#   MIRRORSCOPE=path (default: build/app/mirrorscope under the source tree)  KEEP=1 keeps the dir
#
# It kills only the processes it started, by pid (trap on exit).

set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=${DURATION:-1800}
RATE=${RATE:-200}
PERIOD=${PERIOD:-20}
SLOW_MS=${SLOW_MS:-200}
CONNS=${CONNS:-64}
WORKERS=${WORKERS:-0}
MIRRORSCOPE=${MIRRORSCOPE:-$ROOT/build/app/mirrorscope}
KEEP=${KEEP:-0}
PY=$(command -v python3 || true)

log() { printf '[soak %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 2; }

[[ -x $MIRRORSCOPE ]] || die "no mirrorscope binary at $MIRRORSCOPE (build it, or set MIRRORSCOPE)"
[[ -n $PY ]] || die "python3 is needed for the load generator"
command -v cc >/dev/null || die "a C compiler (cc) is needed for the backend"
if ! [[ $DURATION =~ ^[0-9]+$ ]] || ((DURATION < 10)); then die "DURATION must be >= 10 seconds"; fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mirrorscope-soak.XXXXXX")
PIDS=()
cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  set +e
  for p in "${PIDS[@]}"; do
    kill -TERM "$p" 2>/dev/null
  done
  for p in "${PIDS[@]}"; do
    wait "$p" 2>/dev/null
  done
  if ((KEEP)); then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

forget() { # pid: no longer ours to kill
  local p keep=()
  for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}
stop() { # pid
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  forget "$1"
}

USED_PORTS=()
free_port() { # sets PORT: free, below the ephemeral range
  PORT=$("$PY" - "${USED_PORTS[@]}" <<'EOF'
import random, socket, sys
used = {int(x) for x in sys.argv[1:]}
try:
    eph_lo = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except OSError:
    eph_lo = 32768
lo, hi = 20000, min(eph_lo - 1, 32767)
for _ in range(500):
    p = random.randint(lo, hi)
    if p in used:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
        print(p)
        break
    except OSError:
        pass
    finally:
        s.close()
EOF
)
  [[ -n $PORT ]] || die "no free port found"
  USED_PORTS+=("$PORT")
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_ready() { # port pid
  local i
  for ((i = 0; i < 300; i++)); do
    port_open "$1" && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}
rss_kb() { awk '$1 == "VmRSS:" {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

cc -O2 -o "$WORK/backend" "$HERE/mirror-bench-backend.c" 2>"$WORK/cc.err" ||
  die "cannot build the backend: $(cat "$WORK/cc.err")"

free_port; V1_PORT=$PORT
free_port; V2_PORT=$PORT
free_port; PROXY_PORT=$PORT

"$WORK/backend" --port "$V1_PORT" --delay-ms 0 --body '{"msg":"hello from v1"}' \
  >"$WORK/v1.out" 2>"$WORK/v1.err" </dev/null &
V1_PID=$!
PIDS+=("$V1_PID")
wait_ready "$V1_PORT" "$V1_PID" || die "v1 did not start: $(cat "$WORK/v1.err")"

V2_PID=""
v2_phase() { # healthy|slow|dead
  [[ -n $V2_PID ]] && stop "$V2_PID"
  V2_PID=""
  case $1 in
  healthy | slow)
    local delay=0
    [[ $1 == slow ]] && delay=$SLOW_MS
    "$WORK/backend" --port "$V2_PORT" --delay-ms "$delay" --body '{"msg":"hello from v2"}' \
      >>"$WORK/v2.out" 2>>"$WORK/v2.err" </dev/null &
    V2_PID=$!
    PIDS+=("$V2_PID")
    wait_ready "$V2_PORT" "$V2_PID" || die "v2 did not start: $(tail -3 "$WORK/v2.err")"
    ;;
  dead) ;;
  esac
  log "v2 is $1"
}
v2_phase healthy

cat >"$WORK/greeter.yaml" <<'EOF'
# All traffic to v1, every request mirrored to v2 (no mirrorPercentage: 100 %).
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: greeter-service
spec:
  hosts:
  - greeter-service
  http:
  - route:
    - destination:
        host: greeter-service
        subset: v1
    mirror:
      host: greeter-service
      subset: v2
EOF

args=(proxy "$WORK/greeter.yaml" --listen "127.0.0.1:$PROXY_PORT"
  --bind "greeter-service:v1=127.0.0.1:$V1_PORT" --bind "greeter-service:v2=127.0.0.1:$V2_PORT"
  --interval 60 --report "$WORK/report.json")
((WORKERS > 0)) && args+=(--workers "$WORKERS")
"$MIRRORSCOPE" "${args[@]}" >"$WORK/proxy.out" 2>"$WORK/proxy.err" </dev/null &
PROXY_PID=$!
PIDS+=("$PROXY_PID")
wait_ready "$PROXY_PORT" "$PROXY_PID" || die "the proxy did not start: $(tail -5 "$WORK/proxy.err")"
log "work dir $WORK; v1 :$V1_PORT, v2 :$V2_PORT, proxy :$PROXY_PORT (pid $PROXY_PID)"
log "load: $RATE req/s for $DURATION s; v2 flaps every $PERIOD s (healthy, slow ${SLOW_MS} ms, dead)"

"$PY" "$HERE/soak-load.py" --port "$PROXY_PORT" --rate "$RATE" --duration "$DURATION" \
  --conns "$CONNS" --expect "hello from v1" --out "$WORK/load.json" \
  >"$WORK/load.out" 2>"$WORK/load.err" </dev/null &
LOAD_PID=$!
PIDS+=("$LOAD_PID")

START=$SECONDS
RSS_START="" RSS_MIDDLE="" RSS_END=""
PHASES=(healthy slow dead)
phase=0 next_flap=$PERIOD
while kill -0 "$LOAD_PID" 2>/dev/null; do
  sleep 1
  t=$((SECONDS - START))
  kill -0 "$PROXY_PID" 2>/dev/null || die "the proxy died: $(tail -5 "$WORK/proxy.err")"
  # start: after a few seconds of load (pools and buffers warmed up); middle: half way;
  # end: the last sample before the load stops.
  [[ -z $RSS_START ]] && ((t >= 5)) && RSS_START=$(rss_kb "$PROXY_PID")
  [[ -z $RSS_MIDDLE ]] && ((t >= DURATION / 2)) && RSS_MIDDLE=$(rss_kb "$PROXY_PID")
  ((t <= DURATION)) && RSS_END=$(rss_kb "$PROXY_PID")
  if ((t >= next_flap && t < DURATION)); then
    phase=$(((phase + 1) % 3))
    v2_phase "${PHASES[phase]}"
    next_flap=$((next_flap + PERIOD))
  fi
done
wait "$LOAD_PID" || die "the load generator failed: $(tail -5 "$WORK/load.err")"
forget "$LOAD_PID"
[[ -s $WORK/load.json ]] || die "the load generator wrote no summary"

# A moment for the last mirrors to land; any still in flight are in the report's identity.
sleep 1
kill -TERM "$PROXY_PID"
wait "$PROXY_PID" || die "the proxy exited with an error: $(tail -5 "$WORK/proxy.err")"
forget "$PROXY_PID"
[[ -s $WORK/report.json ]] || die "the proxy wrote no report"
V1_SEEN=$(curl -s --max-time 2 "http://127.0.0.1:$V1_PORT/__status" | awk 'NR==3 {print $3}')

"$PY" - "$WORK/load.json" "$WORK/report.json" "${RSS_START:-0}" "${RSS_MIDDLE:-0}" \
  "${RSS_END:-0}" "${V1_SEEN:-?}" "$DURATION" "$RATE" <<'EOF'
import json, sys
load = json.load(open(sys.argv[1]))
report = json.load(open(sys.argv[2]))
rss = [int(x) for x in sys.argv[3:6]]
v1_seen, duration, rate = sys.argv[6], sys.argv[7], sys.argv[8]
proxy = report["proxy"]
acc = proxy["accounting"]
ok = True

def line(passed, text):
    global ok
    ok = ok and passed
    print("%s  %s" % ("PASS" if passed else "FAIL", text))

print("soak: %s s at %s req/s, v2 flapping healthy/slow/dead" % (duration, rate))
line(load["errors"] == 0,
     "v1 errors seen by clients: %d of %d sent %s" % (load["errors"], load["sent"],
                                                      load["errorKinds"] or ""))
line(load["sent"] == load["ok"] + load["errors"],
     "client: sent %d = ok %d + errors %d (late starts %d, stale keep-alive resends %d, "
     "p50 %s ms, p99 %s ms)" % (load["sent"], load["ok"], load["errors"], load["late"],
                                load["staleKeepAliveResends"], load["p50Ms"], load["p99Ms"]))
line(acc["requests"] == load["sent"],
     "proxy requests %d = client sent %d (v1 backend saw %s, its status queries included)"
     % (acc["requests"], load["sent"], v1_seen))
line(acc["requestsAddUp"] and acc["requests"] == acc["answered"] + acc["failed"],
     "proxy: requests %d = answered %d + failed %d (refused %d)"
     % (acc["requests"], acc["answered"], acc["failed"], acc["refused"]))
drops = ", ".join("%s %d" % (k, v) for k, v in sorted(proxy["mirrorDrops"].items()) if v)
line(acc["mirrorsAddUp"] and acc["mirrors"] == acc["mirrorsDelivered"] + acc["mirrorsFailed"]
     + acc["mirrorsDropped"] + acc["mirrorsSampledOut"] + acc["mirrorsInFlight"],
     "mirrors %d = delivered %d + failed %d (timeouts %d) + dropped %d (%s) + sampled out %d "
     "+ in flight %d" % (acc["mirrors"], acc["mirrorsDelivered"], acc["mirrorsFailed"],
                         proxy["mirrorsTimedOut"], acc["mirrorsDropped"], drops or "none",
                         acc["mirrorsSampledOut"], acc["mirrorsInFlight"]))
line(acc["mirrors"] == acc["requests"] - acc["refused"],
     "every forwarded request was mirrored or its mirror accounted for: %d" % acc["mirrors"])
start, middle, end = rss
store = report.get("store", {})
# Flat: the second half grows by no more than a quarter of the middle figure plus 16 MB. Until
# the exchange store reaches its cap (100,000 exchanges: 500 s at 200 req/s) it grows by design;
# past that, memory must not move.
line(start > 0 and end <= middle * 1.25 + 16 * 1024,
     "proxy RSS: start %.1f MB, middle %.1f MB, end %.1f MB (exchange store: %s kept, %.1f MB, "
     "%s evicted by its cap)" % (start / 1024, middle / 1024, end / 1024, store.get("stored", "?"),
                                 store.get("bytes", 0) / 1048576, store.get("dropped", "?")))
print("RESULT: %s" % ("PASS" if ok else "FAIL"))
sys.exit(0 if ok else 1)
EOF
