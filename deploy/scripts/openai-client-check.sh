#!/usr/bin/env bash
# Compatibility check run by CI: the official openai Node client (from npm) talks to the simulator.
# Needs node + npm and the built jar (mvn -B verify builds it). Cleans up after itself.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jar="$root/deploy/target/tokensiege.jar"
[ -f "$jar" ] || { echo "missing $jar: run 'mvn -B verify' first" >&2; exit 1; }
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18765)"
java -jar "$jar" simulate --profile moe-35b-a3b --port "$port" --speed 20 >"$work/sim.log" 2>&1 &
sim=$!
trap 'kill "$sim" 2>/dev/null || true; wait "$sim" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 150); do   # bounded: at most 15 s for the JVM to listen
  curl -fs "http://127.0.0.1:$port/v1/models" >/dev/null 2>&1 && break
  kill -0 "$sim" 2>/dev/null || { cat "$work/sim.log" >&2; exit 1; }
  sleep 0.1
done
cp "$root/deploy/scripts/openai-client-check.mjs" "$work/"
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent openai@6 >/dev/null)
SIM_PORT="$port" node "$work/openai-client-check.mjs"
