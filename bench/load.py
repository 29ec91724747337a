"""A small HTTPS load generator: keep-alive connections, each sending one request after another.

Run as its own process (``python -m bench.load URL SECONDS CONNECTIONS [HEADER ...]``); it prints
one JSON object: requests completed, non-2xx answers, errors, and every latency in microseconds.
The benchmark starts several of these at once, so the generator has cores of its own; ``wrk`` is
used instead where it is installed (see bench/throughput.py).
"""

from __future__ import annotations

import asyncio
import json
import ssl
import sys
import time
from urllib.parse import urlsplit


def _request(path: str, host: str, headers: list[str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "Accept: application/json", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _connection(
    host: str,
    port: int,
    request: bytes,
    start: asyncio.Future[float],
    latencies: list[int],
    stats: dict[str, int],
) -> None:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    reader, writer = await asyncio.open_connection(host, port, ssl=context)
    stats["connected"] += 1
    deadline = await start  # the clock starts once every connection is open
    clock = time.perf_counter
    try:
        while clock() < deadline:
            start = clock()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            latencies.append(int((clock() - start) * 1_000_000))
            stats["requests"] += 1
            if not 200 <= status < 300:
                stats["non2xx"] += 1
    finally:
        writer.close()


async def run(url: str, seconds: float, connections: int, headers: list[str]) -> dict[str, object]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 443
    request = _request(parts.path or "/", f"{host}:{port}", headers)
    latencies: list[int] = []
    stats = {"requests": 0, "non2xx": 0, "errors": 0, "connected": 0}
    start: asyncio.Future[float] = asyncio.get_running_loop().create_future()
    tasks = [
        asyncio.ensure_future(_connection(host, port, request, start, latencies, stats))
        for _ in range(connections)
    ]
    connect_by = time.perf_counter() + 10
    while stats["connected"] < connections and time.perf_counter() < connect_by:
        if any(task.done() for task in tasks):
            break
        await asyncio.sleep(0.001)
    started = time.perf_counter()
    start.set_result(started + seconds)
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    stats["errors"] = sum(isinstance(o, BaseException) for o in outcomes)
    return {**stats, "elapsed": time.perf_counter() - started, "latencies_us": latencies}


def main(argv: list[str]) -> None:
    url, seconds, connections, *headers = argv
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    result = asyncio.run(run(url, float(seconds), int(connections), headers))
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
