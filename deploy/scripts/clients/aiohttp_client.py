"""A reference client for client-cpu-compare.sh: Python asyncio + aiohttp, each event parsed the way Python LLM
serving benchmarks do (strip, drop the 'data: ' prefix, json.loads, read choices[0].delta.content). A closed loop of
STREAMS streaming requests against the bench simulator; after WARM_UP_SECONDS it measures MEASURE_SECONDS: its process CPU
per received token, and its TTFT minus the simulator's own (GET /sim/requests) for the requests sent in the window."""
import asyncio
import json
import os
import sys
import time

import aiohttp

PORT = os.environ["SIM_PORT"]
STREAMS = int(os.environ["STREAMS"])
WARM_UP_SECONDS = float(os.environ["WARM_UP_SECONDS"])
MEASURE_SECONDS = float(os.environ["MEASURE_SECONDS"])
MAX_TOKENS = int(os.environ["MAX_TOKENS"])
URL = f"http://127.0.0.1:{PORT}/v1/chat/completions"
BODY = {"model": "bench-model", "messages": [{"role": "user", "content": "Say something."}], "max_tokens": MAX_TOKENS, "stream": True}


class Counts:
    tokens = 0
    measuring = False
    stopped = False
    ttft_micros = {}  # simulator request id -> send to first content token, for requests sent while measuring


async def closed_loop(session, counts):
    while not counts.stopped:
        timed = counts.measuring
        sent = time.perf_counter()
        first = True
        async with session.post(URL, json=BODY) as response:
            request_id = response.headers.get("x-sim-request-id")
            async for line in response.content:
                line = line.strip()
                if not line:
                    continue
                payload = line.decode("utf-8").removeprefix("data: ")
                if payload == "[DONE]":
                    continue
                data = json.loads(payload)
                if data["choices"] and data["choices"][0]["delta"].get("content"):
                    counts.tokens += 1
                    if first and timed:
                        counts.ttft_micros[request_id] = (time.perf_counter() - sent) * 1e6
                    first = False


def percentile(values, p):
    return values[min(len(values) - 1, int(len(values) * p / 100))] if values else None


async def main():
    counts = Counts()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
        loops = [asyncio.create_task(closed_loop(session, counts)) for _ in range(STREAMS)]
        await asyncio.sleep(WARM_UP_SECONDS)  # the bench's clock, not a synchronisation
        counts.measuring = True
        cpu0, tokens0, t0 = os.times(), counts.tokens, time.perf_counter()
        await asyncio.sleep(MEASURE_SECONDS)
        cpu, received, window = os.times(), counts.tokens - tokens0, time.perf_counter() - t0
        counts.stopped = True
        await asyncio.gather(*loops)
        async with session.get(f"http://127.0.0.1:{PORT}/sim/requests") as response:
            truth = await response.json()
    bias = sorted((counts.ttft_micros[str(r["id"])] - r["server_ttft_micros"]) / 1000
                  for r in truth["requests"] if str(r["id"]) in counts.ttft_micros and "server_ttft_micros" in r)
    print(json.dumps({
        "client": f"python {sys.version.split()[0]} + aiohttp {aiohttp.__version__}", "streams": STREAMS, "seconds": window,
        "tokens": received, "user_micros": (cpu.user - cpu0.user) * 1e6, "kernel_micros": (cpu.system - cpu0.system) * 1e6,
        "bias_ms": {"n": len(bias), "p50": percentile(bias, 50), "p99": percentile(bias, 99)},
    }))


asyncio.run(main())
