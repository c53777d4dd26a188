#!/usr/bin/env bash
# mirror-bench.sh - Mirrorscope's mirroring proxy against nginx, same backends, same run.
#
#   tests/bench/mirror-bench.sh                      # defaults: 5 s runs, c=32, 1,000,000-request memory run
#   DURATION=5 COUNT=200000 OUT=bench.md tests/bench/mirror-bench.sh
#
# Starts, on 127.0.0.1 only, in a private temp dir:
#   v1         nginx, returns {"msg":"hello from v1"}        (request counter: stub_status)
#   v2         nginx, returns {"msg":"hello from v2"}
#   v2-slow    mirror-bench-backend.c (compiled here; .py without a compiler), answers after SLOW_MS
#   v2-dead    a free port nobody listens on (connect -> refused)
#   v2-hole    the same backend with --blackhole: accepts, reads, never answers
# and per scenario the proxy under test, then drives it with wrk:
#   direct                 wrk -> v1 (the limit of the box)
#   nginx-plain            nginx proxy to v1, no mirror
#   nginx-mirror[-slow|-dead]   nginx proxy + `mirror` to v2 / v2-slow / v2-dead (the peer)
#   mirrorscope[-slow|-dead]    mirrorscope proxy FILE --bind ... --workers WORKERS
#   memory                 COUNT requests through mirrorscope with v2 blackholed: VmRSS at
#                          start/middle/end, drops from its --report JSON
# Pinning (when there are >= 2 CPUs): wrk on WRK_CPUS (0), proxies and backends on
# PROXY_CPUS/BACKEND_CPUS (1). nginx proxies get worker_processes = WORKERS, like mirrorscope.
#
# Environment (all optional):
#   DURATION=5        seconds per measured wrk run (1..60)
#   RUNS=1            repeats of the whole list, interleaved; the table shows medians
#   CONNS=32          wrk connections
#   WARMUP=1          unmeasured wrk seconds before each run (0 = none)
#   WORKERS=1         mirrorscope --workers and nginx worker_processes
#   SLOW_MS=200       delay of the slow v2
#   COUNT=1000000     requests in the memory scenario (0 = skip it)
#   SCENARIOS=...     comma list of the scenarios above (default: all)
#   MIRRORSCOPE=path  the binary (default: build/app/mirrorscope under the source tree)
#   OUT=file          also write the Markdown report there;  JSON=file: raw figures as JSON
#   WRK_CPUS=0 PROXY_CPUS=1 BACKEND_CPUS=1, PIN=0 to turn pinning off
#   INSTALL=0         do not apt-get missing tools (nginx, wrk, curl, python3)
#   KEEP=1            keep the temp dir (configs, logs, raw wrk output)
# Benchmarks report, they don't fail: exit status is 0 whether targets are met or not
# (2 on a setup error).
#
# Cleanup: each process is started with setsid in its own process group and recorded as
# pid + start time; the EXIT trap signals only those groups, after checking the start time.

set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

# The exact command, with the settings given in the environment, for the report.
CMDLINE=""
for v in DURATION RUNS CONNS WARMUP WORKERS SLOW_MS COUNT SCENARIOS MIRRORSCOPE OUT JSON \
  WRK_CPUS PROXY_CPUS BACKEND_CPUS PIN INSTALL KEEP; do
  [[ -n ${!v+x} ]] && CMDLINE+="$v=${!v} "
done
CMDLINE+="$0${*:+ $*}"

DURATION=${DURATION:-5}
RUNS=${RUNS:-1}
CONNS=${CONNS:-32}
WARMUP=${WARMUP:-1}
WORKERS=${WORKERS:-1}
SLOW_MS=${SLOW_MS:-200}
COUNT=${COUNT:-1000000}
MIRRORSCOPE=${MIRRORSCOPE:-$ROOT/build/app/mirrorscope}
OUT=${OUT:-}
JSON=${JSON:-}
WRK_CPUS=${WRK_CPUS:-0}
PROXY_CPUS=${PROXY_CPUS:-1}
BACKEND_CPUS=${BACKEND_CPUS:-1}
PIN=${PIN:-1}
INSTALL=${INSTALL:-1}
KEEP=${KEEP:-0}
DRAIN_MAX_S=5
ALL_SCEN=(direct nginx-plain nginx-mirror nginx-mirror-slow nginx-mirror-dead
  mirrorscope mirrorscope-slow mirrorscope-dead)

die() { echo "mirror-bench: $*" >&2; exit 2; }
log() { echo "[mirror-bench] $*" >&2; }

case ${1:-} in
  -h|--help) sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
  "") ;;
  *) die "no arguments; settings come from the environment (see --help)" ;;
esac

isint() { [[ $1 =~ ^[0-9]+$ ]]; }
isint "$DURATION" && ((DURATION >= 1 && DURATION <= 60)) || die "DURATION must be 1..60"
isint "$RUNS" && ((RUNS >= 1 && RUNS <= 20)) || die "RUNS must be 1..20"
isint "$CONNS" && ((CONNS >= 1)) || die "CONNS must be >= 1"
isint "$WARMUP" && ((WARMUP <= 30)) || die "WARMUP must be 0..30"
isint "$WORKERS" && ((WORKERS >= 1 && WORKERS <= 64)) || die "WORKERS must be 1..64"
isint "$SLOW_MS" || die "SLOW_MS must be a whole number of ms"
isint "$COUNT" || die "COUNT must be a whole number"
if [[ -n ${SCENARIOS:-} ]]; then
  IFS=, read -r -a SCEN_LIST <<<"$SCENARIOS"
  for s in "${SCEN_LIST[@]}"; do
    [[ " ${ALL_SCEN[*]} memory " == *" $s "* ]] || die "unknown scenario: $s (one of: ${ALL_SCEN[*]} memory)"
  done
else
  SCEN_LIST=("${ALL_SCEN[@]}" memory)
fi
MEMORY=0
RUN_LIST=()
for s in "${SCEN_LIST[@]}"; do
  if [[ $s == memory ]]; then MEMORY=1; else RUN_LIST+=("$s"); fi
done
((COUNT > 0)) || MEMORY=0
NEED_MS=$MEMORY
for s in "${RUN_LIST[@]}"; do [[ $s == mirrorscope* ]] && NEED_MS=1; done

# ---------------------------------------------------------------- tools
install_missing() {
  local -A pkg_of=([nginx]=nginx [wrk]=wrk [curl]=curl [python3]=python3 [taskset]=util-linux
    [setsid]=util-linux [pgrep]=procps [timeout]=coreutils)
  local missing=() c
  for c in "${!pkg_of[@]}"; do
    command -v "$c" >/dev/null 2>&1 || missing+=("${pkg_of[$c]}")
  done
  ((${#missing[@]})) || return 0
  ((INSTALL)) || die "missing packages: ${missing[*]} (INSTALL=0)"
  local sudo=()
  if (($(id -u) != 0)); then
    command -v sudo >/dev/null || die "missing packages ${missing[*]}; not root and no sudo"
    sudo=(sudo)
  fi
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  log "installing: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq >&2 || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
}
install_missing
PY=python3
if ((NEED_MS)); then
  [[ -x $MIRRORSCOPE ]] || die "no mirrorscope binary at $MIRRORSCOPE (build it: cmake -S . -B build -G Ninja && cmake --build build; or set MIRRORSCOPE=)"
  MIRRORSCOPE=$(cd "$(dirname "$MIRRORSCOPE")" && pwd)/$(basename "$MIRRORSCOPE")
fi
if ((PIN)) && (($(nproc) < 2)); then log "only $(nproc) CPU: pinning off"; PIN=0; fi
[[ -n $OUT ]] && { OUT=$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT") || die "bad OUT"; }
[[ -n $JSON ]] && { JSON=$(cd "$(dirname "$JSON")" && pwd)/$(basename "$JSON") || die "bad JSON"; }

# raise the fd limit for everything we start
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

WORK=$(mktemp -d -t mirror-bench.XXXXXX)
chmod 755 "$WORK" # nginx workers may run as nobody

# ---------------------------------------------------------------- processes
PROCS=() # "pid:starttime" of every process-group leader we started

proc_start_time() {
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  s=${s##*) }
  set -- $s
  echo "${20}"
}

is_ours() { local st; st=$(proc_start_time "$1") || return 1; [[ $st == "$2" ]]; }

forget_proc() {
  local keep=() p
  for p in "${PROCS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  PROCS=("${keep[@]}")
}

# stop_proc "pid:starttime" [grace_s]: SIGTERM to the pid (it forwards or exits), then to its
# group, SIGKILL to the group after the grace period.
stop_proc() {
  local pid=${1%%:*} st=${1#*:} grace=${2:-3} i
  if is_ours "$pid" "$st"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
      is_ours "$pid" "$st" && [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || break
      sleep 0.1
    done
    kill -TERM -- "-$pid" 2>/dev/null || true
    for ((i = 0; i < 20; i++)); do
      pgrep -g "$pid" >/dev/null 2>&1 || break
      sleep 0.1
    done
    pgrep -g "$pid" >/dev/null 2>&1 && kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  forget_proc "$1"
}

cleanup() {
  local rc=$? i
  trap - EXIT INT TERM
  set +e
  for ((i = ${#PROCS[@]} - 1; i >= 0; i--)); do stop_proc "${PROCS[i]}" 1; done
  if ((KEEP)); then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_bg NAME CPUS CMD...: own session and process group, pinned; LAST_PROC = "pid:start"
start_bg() {
  local name=$1 cpus=$2 pid st pre=()
  shift 2
  ((PIN)) && [[ -n $cpus ]] && pre=(taskset -c "$cpus")
  setsid "${pre[@]}" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null &
  pid=$!
  st=$(proc_start_time "$pid") || st=gone
  PROCS+=("$pid:$st")
  LAST_PROC="$pid:$st"
}

# ---------------------------------------------------------------- helpers
USED_PORTS=()
alloc_port() { # sets PORT: free, below the ephemeral range (no clash with outgoing sockets)
  local p
  p=$("$PY" - "${USED_PORTS[@]}" <<'EOF'
import random, socket, sys
used = {int(x) for x in sys.argv[1:]}
try:
    eph_lo = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except OSError:
    eph_lo = 32768
lo, hi = 20000, min(eph_lo - 1, 32767)
for _ in range(500):
    p = random.randint(lo, hi) if hi - lo > 100 else 0
    if p in used:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
        print(s.getsockname()[1])
        break
    except OSError:
        pass
    finally:
        s.close()
EOF
)
  [[ -n $p ]] || die "no free port found"
  USED_PORTS+=("$p")
  PORT=$p
}

now_ns() { date +%s%N; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_ready() { # port timeout_s "pid:start"
  local port=$1 deadline=$(($(now_ns) + $2 * 1000000000)) pid=${3%%:*}
  until port_open "$port"; do
    kill -0 "$pid" 2>/dev/null || return 1
    (($(now_ns) < deadline)) || return 1
    sleep 0.05
  done
}

declare -A QCOUNT=()
read_status() { # port -> SV = requests, SA = accepted connections (stub_status format). The
  local port=$1 l # query itself is one connection and one request: QCOUNT lets us subtract it.
  QCOUNT[$port]=$((${QCOUNT[$port]:-0} + 1))
  l=$(curl -s --max-time 2 "http://127.0.0.1:$port/__status" | awk 'NR==3 {print $1, $3}') || true
  SA=${l% *} SV=${l#* }
  [[ $SV =~ ^[0-9]+$ && $SA =~ ^[0-9]+$ ]] || { SV=-1 SA=-1; }
}

grp_ticks() { # pgid -> utime+stime of all its processes (all threads), in clock ticks
  local t=0 p s
  for p in $(pgrep -g "$1" 2>/dev/null); do
    s=$(cat "/proc/$p/stat" 2>/dev/null) || continue
    s=${s##*) }
    set -- $s
    t=$((t + ${12} + ${13}))
  done
  echo "$t"
}
CLK_TCK=$(getconf CLK_TCK)

rss_kb() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# drain PORT...: wait until the backends see no traffic but our own status queries
drain() {
  local -A prev=()
  local p v stable=0 moved i
  for p in "$@"; do read_status "$p"; prev[$p]=$SV; done
  for ((i = 0; i < DRAIN_MAX_S * 10; i++)); do
    sleep 0.1
    moved=0
    for p in "$@"; do
      read_status "$p"
      v=$SV
      ((v == ${prev[$p]} + 1)) || moved=1
      prev[$p]=$v
    done
    if ((moved)); then stable=0; else stable=$((stable + 1)); fi
    ((stable >= 3)) && return 0
  done
  return 1
}

# run_wrk OUTFILE DURATION URL [LUA [-- ARGS...]]: wrk on WRK_CPUS, bounded by timeout
run_wrk() {
  local out=$1 d=$2 url=$3 lua=${4:-} pre=() args pid st rc=0
  shift $(($# < 4 ? $# : 4))
  ((PIN)) && pre=(taskset -c "$WRK_CPUS")
  args=(-t1 -c"$CONNS" -d"${d}s" --timeout 5s --latency)
  [[ -n $lua ]] && args+=(-s "$lua")
  setsid "${pre[@]}" timeout -k 2 $((d + 30)) wrk "${args[@]}" "$url" "$@" >"$out" 2>&1 </dev/null &
  pid=$!
  st=$(proc_start_time "$pid") || st=gone
  PROCS+=("$pid:$st")
  wait "$pid" || rc=$?
  forget_proc "$pid:$st"
  return "$rc"
}

# ---------------------------------------------------------------- nginx
nginx_common() { # dir workers loglevel
  cat <<EOF
worker_processes $2;
worker_rlimit_nofile 20000;
pid $1/logs/nginx.pid;
error_log $1/logs/error.log $3;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $1/tmp/body;
  proxy_temp_path $1/tmp/proxy;
  fastcgi_temp_path $1/tmp/fastcgi;
  uwsgi_temp_path $1/tmp/uwsgi;
  scgi_temp_path $1/tmp/scgi;
  keepalive_timeout 75s;
  keepalive_requests 1000000;
EOF
}

backend_conf() { # dir port body
  nginx_common "$1" 1 warn
  cat <<EOF
  server {
    listen 127.0.0.1:$2 backlog=4096;
    location = /__status { stub_status; }
    location / {
      default_type application/json;
      return 200 '$3';
    }
  }
}
EOF
}

proxy_conf() { # dir port v1port v2port mirror(0/1)
  nginx_common "$1" "$WORKERS" error
  local mirror=""
  (($5)) && mirror="mirror /mirror;"
  cat <<EOF
  upstream v1 { server 127.0.0.1:$3; keepalive 64; keepalive_requests 1000000; }
  upstream v2 { server 127.0.0.1:$4; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$2 backlog=4096;
    location / {
      $mirror
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass http://v1;
    }
    location = /mirror {
      internal;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass http://v2\$request_uri;
    }
  }
}
EOF
}

start_nginx() { # name cpus port conf-function args...
  local name=$1 cpus=$2 port=$3 dir=$WORK/$1
  shift 3
  mkdir -p "$dir/logs" "$dir/tmp"
  "$@" >"$dir/nginx.conf"
  nginx -q -t -p "$dir/" -c "$dir/nginx.conf" -e "$dir/logs/error.log" 2>"$dir/logs/conftest.err" ||
    { cat "$dir/logs/conftest.err" >&2; return 1; }
  start_bg "$name" "$cpus" nginx -p "$dir/" -c "$dir/nginx.conf" -e "$dir/logs/error.log" -g 'daemon off;'
  wait_ready "$port" 5 "$LAST_PROC" || { cat "$WORK/$name.err" "$dir/logs/error.log" >&2 2>/dev/null; return 1; }
}

# ---------------------------------------------------------------- mirrorscope
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
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: greeter-service
spec:
  host: greeter-service
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
EOF

start_mirrorscope() { # name port v2port report-file
  local args=(proxy "$WORK/greeter.yaml" --listen "127.0.0.1:$2" --workers "$WORKERS"
    --bind "greeter-service:v1=127.0.0.1:$V1_PORT" --bind "greeter-service:v2=127.0.0.1:$3"
    --default-host greeter-service --interval 3600 --report "$4")
  echo "$MIRRORSCOPE ${args[*]}" >"$WORK/$1.cmd"
  start_bg "$1" "$PROXY_CPUS" "$MIRRORSCOPE" "${args[@]}"
  wait_ready "$2" 15 "$LAST_PROC" || { tail -5 "$WORK/$1.err" "$WORK/$1.out" >&2; return 1; }
}

# ---------------------------------------------------------------- backends
alloc_port; V1_PORT=$PORT
alloc_port; V2_PORT=$PORT
alloc_port; V2_SLOW_PORT=$PORT
alloc_port; V2_DEAD_PORT=$PORT
alloc_port; V2_HOLE_PORT=$PORT

start_nginx v1 "$BACKEND_CPUS" "$V1_PORT" backend_conf "$WORK/v1" "$V1_PORT" '{"msg":"hello from v1"}' || die "v1 failed"
V1_PROC=$LAST_PROC
start_nginx v2 "$BACKEND_CPUS" "$V2_PORT" backend_conf "$WORK/v2" "$V2_PORT" '{"msg":"hello from v2"}' || die "v2 failed"
V2_PROC=$LAST_PROC
# The slow and blackholed v2: the C backend when a compiler is here (about nginx's CPU per
# request; it shares the proxy's core, so a costly backend would be measured as the proxy),
# else the Python one.
SLOW_BACKEND=("$PY" "$HERE/mirror-bench-backend.py")
if command -v cc >/dev/null && cc -O2 -o "$WORK/mirror-bench-backend" "$HERE/mirror-bench-backend.c" 2>"$WORK/cc.err"; then
  SLOW_BACKEND=("$WORK/mirror-bench-backend")
else
  log "no C compiler (or it failed, see cc.err): slow/blackholed v2 in Python, which costs more CPU"
fi
start_bg v2-slow "$BACKEND_CPUS" "${SLOW_BACKEND[@]}" --port "$V2_SLOW_PORT" --delay-ms "$SLOW_MS"
V2_SLOW_PROC=$LAST_PROC
wait_ready "$V2_SLOW_PORT" 10 "$V2_SLOW_PROC" || { cat "$WORK/v2-slow.err" >&2; die "v2-slow failed"; }
port_open "$V2_DEAD_PORT" && die "dead port $V2_DEAD_PORT unexpectedly open"
[[ $(curl -s --max-time 2 "http://127.0.0.1:$V1_PORT/") == '{"msg":"hello from v1"}' ]] || die "v1 sanity check failed"
[[ $(curl -s --max-time 2 "http://127.0.0.1:$V2_PORT/") == '{"msg":"hello from v2"}' ]] || die "v2 sanity check failed"

PINNING="none"
((PIN)) && PINNING="wrk on CPU $WRK_CPUS; proxy on CPU $PROXY_CPUS; backends on CPU $BACKEND_CPUS"
json_str() { "$PY" -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1"; }
MS_VERSION="-"
((NEED_MS)) && MS_VERSION=$("$MIRRORSCOPE" --version 2>/dev/null | head -1 || echo "?")
cat >"$WORK/meta.json" <<EOF
{
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "command": $(json_str "$CMDLINE"),
  "kernel": $(json_str "$(uname -sr)"),
  "cpu": $(json_str "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo) x $(nproc)"),
  "nginx": $(json_str "$(nginx -v 2>&1)"),
  "wrk": $(json_str "$(wrk -v 2>&1 | head -1)"),
  "mirrorscope": $(json_str "$MS_VERSION"),
  "duration_s": $DURATION, "warmup_s": $WARMUP, "runs": $RUNS, "conns": $CONNS,
  "workers": $WORKERS, "slow_ms": $SLOW_MS, "count": $COUNT, "pinning": $(json_str "$PINNING")
}
EOF

# ---------------------------------------------------------------- throughput scenarios
RUNS_FILE=$WORK/runs.jsonl
: >"$RUNS_FILE"
record_failure() { # scenario rep message
  printf '{"scenario":"%s","rep":%d,"error":%s}\n' "$1" "$2" "$(json_str "$3")" >>"$RUNS_FILE"
  log "  FAILED: $3"
}

TOTAL=$((RUNS * ${#RUN_LIST[@]}))
log "work dir $WORK; v1=:$V1_PORT v2=:$V2_PORT v2-slow=:$V2_SLOW_PORT v2-dead=:$V2_DEAD_PORT"
log "$TOTAL runs of ${DURATION}s (+${WARMUP}s warm-up) at c=$CONNS; pinning: $PINNING"
N=0
for ((rep = 1; rep <= RUNS; rep++)); do
  for s in "${RUN_LIST[@]}"; do
    N=$((N + 1))
    log "[$N/$TOTAL] $s (run $rep)"
    v2port="" v2counter="" pg_v2="" proxy_proc="" report=""
    case $s in
      *-slow) v2port=$V2_SLOW_PORT v2counter=$V2_SLOW_PORT pg_v2=${V2_SLOW_PROC%%:*} ;;
      *-dead) v2port=$V2_DEAD_PORT ;;
      direct) ;;
      nginx-plain) v2port=$V2_PORT ;;
      *) v2port=$V2_PORT v2counter=$V2_PORT pg_v2=${V2_PROC%%:*} ;;
    esac
    url="http://127.0.0.1:$V1_PORT/"
    if [[ $s != direct ]]; then
      alloc_port; px_port=$PORT
      if [[ $s == nginx-* ]]; then
        mirror=1
        [[ $s == nginx-plain ]] && mirror=0
        if ! start_nginx "proxy-$N" "$PROXY_CPUS" "$px_port" proxy_conf "$WORK/proxy-$N" "$px_port" "$V1_PORT" "$v2port" "$mirror"; then
          record_failure "$s" "$rep" "nginx proxy did not start"; continue
        fi
      else
        report=$WORK/proxy-$N.report.json
        if ! start_mirrorscope "proxy-$N" "$px_port" "$v2port" "$report"; then
          stop_proc "$LAST_PROC"; record_failure "$s" "$rep" "mirrorscope did not listen"; continue
        fi
      fi
      proxy_proc=$LAST_PROC
      url="http://127.0.0.1:$px_port/"
    fi

    body=$(curl -s --max-time 3 "$url" || true)
    if [[ $body != '{"msg":"hello from v1"}' ]]; then
      [[ -n $proxy_proc ]] && stop_proc "$proxy_proc"
      record_failure "$s" "$rep" "sanity GET returned: ${body:0:80}"; continue
    fi

    ((WARMUP > 0)) && { run_wrk "$WORK/run-$N.warmup.txt" "$WARMUP" "$url" || true; }
    counters=("$V1_PORT")
    [[ -n $v2counter ]] && counters+=("$v2counter")
    drain "${counters[@]}" || log "  (backends still busy before the run)"

    read_status "$V1_PORT"; v1_b=$SV; q1_b=${QCOUNT[$V1_PORT]}
    [[ -n $v2counter ]] && { read_status "$v2counter"; v2_b=$SV; v2c_b=$SA; q2_b=${QCOUNT[$v2counter]}; }
    pg_px=${proxy_proc%%:*}
    t_px0=$([[ -n $pg_px ]] && grp_ticks "$pg_px" || echo 0)
    t_v10=$(grp_ticks "${V1_PROC%%:*}")
    t_v20=$([[ -n $pg_v2 ]] && grp_ticks "$pg_v2" || echo 0)
    w0=$(now_ns)
    rc=0
    run_wrk "$WORK/run-$N.txt" "$DURATION" "$url" "$HERE/mirror-bench.lua" || rc=$?
    w1=$(now_ns)
    t_px1=$([[ -n $pg_px ]] && grp_ticks "$pg_px" || echo 0)
    t_v11=$(grp_ticks "${V1_PROC%%:*}")
    t_v21=$([[ -n $pg_v2 ]] && grp_ticks "$pg_v2" || echo 0)
    rss=0
    [[ $s == mirrorscope* ]] && rss=$(rss_kb "$pg_px" VmHWM)

    drained=true
    drain "${counters[@]}" || drained=false
    read_status "$V1_PORT"; v1_recv=$((SV - v1_b - (QCOUNT[$V1_PORT] - q1_b)))
    v2_recv=null v2_conns=null
    if [[ -n $v2counter ]]; then
      read_status "$v2counter"
      v2_recv=$((SV - v2_b - (QCOUNT[$v2counter] - q2_b)))
      v2_conns=$((SA - v2c_b - (QCOUNT[$v2counter] - q2_b)))
    elif [[ $s == *-dead ]]; then
      v2_recv=0 v2_conns=0
    fi
    [[ -n $proxy_proc ]] && stop_proc "$proxy_proc" 10
    stats=null
    [[ -n $report && -s $report ]] && stats=$("$PY" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["proxy"]))' "$report")

    wj=$(sed -n 's/^WRKJSON //p' "$WORK/run-$N.txt")
    if [[ -z $wj ]]; then
      record_failure "$s" "$rep" "wrk failed (rc=$rc): $(tail -1 "$WORK/run-$N.txt")"; continue
    fi
    printf '{"scenario":"%s","rep":%d,"v1_received":%d,"v2_received":%s,"v2_conns":%s,"drained":%s,' \
      "$s" "$rep" "$v1_recv" "$v2_recv" "$v2_conns" "$drained" >>"$RUNS_FILE"
    printf '"wall_s":%s,"ticks":{"proxy":%d,"v1":%d,"v2":%d},"clk_tck":%d,"peak_rss_kb":%d,"stats":%s,"wrk":%s}\n' \
      "$(awk -v a="$w0" -v b="$w1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')" \
      $((t_px1 - t_px0)) $((t_v11 - t_v10)) $((t_v21 - t_v20)) "$CLK_TCK" "${rss:-0}" "$stats" "$wj" >>"$RUNS_FILE"
    "$PY" - "$RUNS_FILE" <<'EOF' >&2
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1]); w = r["wrk"]
rps = w["requests"] / (w["duration_us"] / 1e6)
print("[mirror-bench]   %.0f req/s  p50 %.2f ms  p99 %.2f ms  v1 %s  v2 %s  errors %d" % (
    rps, w["p50_us"] / 1e3, w["p99_us"] / 1e3, r["v1_received"], r["v2_received"],
    w["err_status"] + w["err_connect"] + w["err_read"] + w["err_write"] + w["err_timeout"]))
EOF
  done
done

# ---------------------------------------------------------------- memory scenario
MEM_FILE=$WORK/memory.json
: >"$MEM_FILE"
if ((MEMORY)); then
  log "memory: $COUNT requests through mirrorscope, v2 blackholed (accepts, never answers)"
  start_bg v2-hole "$BACKEND_CPUS" "${SLOW_BACKEND[@]}" --port "$V2_HOLE_PORT" --blackhole
  HOLE_PROC=$LAST_PROC
  wait_ready "$V2_HOLE_PORT" 10 "$HOLE_PROC" || die "blackhole backend failed"
  alloc_port; px_port=$PORT
  report=$WORK/memory.report.json
  if start_mirrorscope proxy-memory "$px_port" "$V2_HOLE_PORT" "$report"; then
    mproc=$LAST_PROC
    mpid=${mproc%%:*}
    url="http://127.0.0.1:$px_port/"
    rss0=$(rss_kb "$mpid" VmRSS)
    half=$((COUNT / 2))
    t0=$(now_ns)
    # Two halves: the middle sample is taken with exactly COUNT/2 requests behind it.
    run_wrk "$WORK/memory-1.txt" 3600 "$url" "$HERE/mirror-bench-count.lua" -- "$half" || true
    rss1=$(rss_kb "$mpid" VmRSS)
    run_wrk "$WORK/memory-2.txt" 3600 "$url" "$HERE/mirror-bench-count.lua" -- $((COUNT - half)) || true
    rss2=$(rss_kb "$mpid" VmRSS)
    hwm=$(rss_kb "$mpid" VmHWM)
    t1=$(now_ns)
    read_status "$V2_HOLE_PORT"; hole_recv=$((SV - QCOUNT[$V2_HOLE_PORT])); hole_conns=$((SA - QCOUNT[$V2_HOLE_PORT]))
    stop_proc "$mproc" 15
    stats=null
    [[ -s $report ]] && stats=$("$PY" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["proxy"]))' "$report")
    w1j=$(sed -n 's/^WRKJSON //p' "$WORK/memory-1.txt"); w2j=$(sed -n 's/^WRKJSON //p' "$WORK/memory-2.txt")
    printf '{"count":%d,"rss_kb":[%d,%d,%d],"hwm_kb":%d,"wall_s":%s,"v2_received":%d,"v2_conns":%d,"stats":%s,"wrk":[%s,%s]}\n' \
      "$COUNT" "$rss0" "$rss1" "$rss2" "$hwm" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b - a) / 1e9}')" \
      "$hole_recv" "$hole_conns" "$stats" "${w1j:-null}" "${w2j:-null}" >"$MEM_FILE"
    log "  VmRSS start/middle/end: $((rss0 / 1024)) / $((rss1 / 1024)) / $((rss2 / 1024)) MB"
  else
    stop_proc "$LAST_PROC"
    echo '{"error":"mirrorscope did not listen"}' >"$MEM_FILE"
  fi
  stop_proc "$HOLE_PROC"
fi

echo >&2
"$PY" "$HERE/mirror-bench-report.py" "$WORK/meta.json" "$RUNS_FILE" "$MEM_FILE" "$OUT" "$JSON"
[[ -n $OUT ]] && log "report written to $OUT"
[[ -n $JSON ]] && log "JSON written to $JSON"
exit 0
