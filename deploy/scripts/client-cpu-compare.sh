#!/usr/bin/env bash
# Client CPU per received token, side by side in one run: the official openai Node client and Python aiohttp (the
# reference clients of issue #13) against the bench simulator, then tokensiege's worker and the minimal reader (the
# floor) from 'bench --cpu-per-token'. Every client gets CPU 0, every simulator CPU 1, one at a time.
# Usage: deploy/scripts/client-cpu-compare.sh [streams, default 400]. Needs the built jar (mvn -B verify), taskset, node
# and npm (npm installs 'openai' into a temporary folder), and Debian's python3-aiohttp. Takes about 5 minutes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jar="$root/deploy/target/tokensiege.jar"
streams="${1:-400}"
[[ "$streams" =~ ^[1-9][0-9]*$ ]] || { echo "streams must be a positive whole number, got '$streams'" >&2; exit 2; }
[ -f "$jar" ] || { echo "missing $jar: run 'mvn -B verify' first" >&2; exit 1; }
for tool in taskset node npm; do command -v "$tool" >/dev/null || { echo "missing $tool (Debian: util-linux, nodejs, npm)" >&2; exit 1; }; done
/usr/bin/python3 -c 'import aiohttp' 2>/dev/null || { echo "missing Python aiohttp: apt-get install python3-aiohttp" >&2; exit 1; }
[ -d /sys/devices/system/cpu/cpu1 ] || { echo "needs two CPUs: the client on CPU 0, the simulator on CPU 1" >&2; exit 1; }

work="$(mktemp -d)"
sim=""
stop_simulator() {
  [ -z "$sim" ] && return 0
  exec 3>&-                 # the simulator serves until its standard input closes
  for _ in $(seq 1 100); do # bounded: 10 s to exit, then it is killed
    kill -0 "$sim" 2>/dev/null || break
    sleep 0.1
  done
  kill "$sim" 2>/dev/null || true
  wait "$sim" 2>/dev/null || true # its status: it was told to stop, so only a hang above matters
  sim=""
}
trap 'stop_simulator; rm -rf "$work"' EXIT

# A bench simulator (50 tok/s per stream, a slot per stream) on CPU 1; sets SIM_PORT.
start_simulator() {
  rm -f "$work/in" && mkfifo "$work/in"
  taskset -c 1 java -cp "$jar" io.tokensiege.deploy.ChildSimulator "$streams" 50 <"$work/in" >"$work/sim.out" 2>"$work/sim.err" &
  sim=$!
  exec 3>"$work/in"
  for _ in $(seq 1 300); do # bounded: at most 30 s for the JVM to listen
    grep -q '^port ' "$work/sim.out" 2>/dev/null && break
    kill -0 "$sim" 2>/dev/null || { cat "$work/sim.err" >&2; exit 1; }
    sleep 0.1
  done
  SIM_PORT="$(sed -n 's/^port //p' "$work/sim.out")"
  [ -n "$SIM_PORT" ] || { echo "the bench simulator did not listen within 30 s" >&2; exit 1; }
  export SIM_PORT
}

(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent openai@6.49.0 >/dev/null)
cp "$root/deploy/scripts/clients/openai-node.mjs" "$root/deploy/scripts/clients/aiohttp_client.py" "$work/"
export STREAMS="$streams" WARM_UP_SECONDS=20 MEASURE_SECONDS=20 MAX_TOKENS=100

echo "Client CPU per received token at $streams streams, 50 tok/s each, 100-token answers, closed loop;"
echo "each client on CPU 0 with a fresh simulator on CPU 1; 20 s warm-up (tokensiege: until its JIT is quiet), then 20 s measured."
for client in "$work/openai-node.mjs" "$work/aiohttp_client.py"; do
  start_simulator
  case "$client" in
    *.mjs) taskset -c 0 node "$client" >>"$work/results.jsonl" ;;
    *.py) taskset -c 0 /usr/bin/python3 "$client" >>"$work/results.jsonl" ;;
  esac
  stop_simulator
done
/usr/bin/python3 - "$work/results.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    cpu = r["user_micros"] + r["kernel_micros"]
    b = r["bias_ms"]
    print(f"  {r['client']}: {cpu / r['tokens']:.1f} µs per token ({r['user_micros'] / r['tokens']:.1f} user, "
          f"{r['kernel_micros'] / r['tokens']:.1f} kernel), {r['tokens'] / r['seconds']:,.0f} tok/s received")
    if b["n"]:
        print(f"    TTFT minus the simulator's own, over {b['n']:,} requests: p50 {b['p50']:.3f} ms, p99 {b['p99']:.3f} ms")
    else:
        print("    TTFT minus the simulator's own: no request sent in the window got a first token in it")
PY
taskset -c 0 java -jar "$jar" bench --streams 0 --simulator-streams 0 --parse-seconds 0 --merge-workers 0 --no-join --seconds "$MEASURE_SECONDS" --cpu-per-token "$streams"
