"""docs/benchmarks.md's sections of the benchmarks without a size sweep: the logon flood, the
event loop under heavy work, what each cache buys, the API's throughput, high availability and the command line's
start. Each takes its benchmark's figures (None or empty: not run)."""

from __future__ import annotations

from bench.cli_start import StartTime
from bench.fast_paths import FastPath
from bench.ha import HaFigures
from bench.logon_flood import FloodFigures
from bench.loop_latency import LoopLatency
from bench.throughput import ENDPOINTS, MODES, ThroughputResult


def fast_path_section(rows: list[FastPath]) -> list[str]:
    out = ["## 7. What each cache and fast path buys", ""]
    if not rows:
        return [*out, "Not run."]
    out += [
        "Each shortcut timed in process on the same data, as shipped and with it switched off "
        "(bench/fast_paths.py: the one function that takes it replaced), runs interleaved, "
        "medians. A shortcut that bought nothing would be removed.",
        "",
        "| cache or fast path | work | with it | without it | gain |",
        "|---|---|---:|---:|---:|",
    ]
    for row in rows:
        out.append(
            f"| {row.name} | {row.what} | {row.with_s * 1000:.1f} ms | {row.without_s * 1000:.1f} ms "
            f"| {row.gain:.1f}x |"
        )
    return out


def loop_section(loop: LoopLatency | None) -> list[str]:
    out = ["## 6. The event loop under heavy work", ""]
    if loop is None:
        return [*out, "Not run."]
    out += [
        f"A real server holding {loop.resources:,} resources; one client asks `GET "
        "/api/v1/connector/version` over and over on a keep-alive connection while other "
        "clients make the server generate 4,096-bit keys, back up, and restore (until the 204) "
        "(bench/loop_latency.py). Store work runs in the store thread and keys, hashes and "
        "backups in workers, so the event loop answers the probe throughout.",
        "",
        "| phase | seconds | work | probes | p50 | p99 | worst |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for phase in loop.phases:
        out.append(
            f"| {phase.name} | {phase.seconds:.2f} | {phase.work or '-'} "
            f"| {len(phase.latencies_ms):,} | {phase.p50:.1f} ms | {phase.p99:.1f} ms "
            f"| {phase.worst:.1f} ms |"
        )
    return out


def flood_section(f: FloodFigures | None) -> list[str]:
    out = ["## 5. A logon flood", ""]
    if f is None:
        return [*out, "Not run."]
    answers = ", ".join(f"{count} `{status}`" for status, count in f.statuses.items())
    return [
        *out,
        f"{f.logons} bad logons with made-up user names sent at once to a real server with the "
        f"{f.kdf_profile} Argon2 profile (production: 64 MiB per check) and its default 2 check "
        "slots "
        '(bench/logon_flood.py; docs/reliability.md, "Attacks tried").',
        "",
        "| logons | answers | seconds | baseline RSS | peak RSS growth |",
        "|---:|---|---:|---:|---:|",
        f"| {f.logons} | {answers} | {f.seconds:.1f} | {f.baseline_mib:.0f} MiB "
        f"| {f.peak_growth_mib:.0f} MiB |",
    ]


def ha_section(h: HaFigures | None) -> list[str]:
    out = ["## 8. High availability: sync, replication lag, failover", ""]
    if h is None:
        return [*out, "Not run."]
    return [
        *out,
        "A master and a shadow as two `openscc serve` processes on loopback (bench/ha.py). The "
        "lag is from the master's answer to a write until the shadow serves it, one change at a "
        "time; the failover from `kill -9` of the master until the shadow answers as master "
        f"(check interval {h.check_interval_s}s, takeover delay {h.takeover_delay_s}s).",
        "",
        "| initial sync | resources | changes | lag p50 | lag p99 | lag worst | failover |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {h.sync_s:.1f}s | {h.resources:,} | {len(h.lags_ms)} | {h.p50_ms:.0f} ms "
        f"| {h.p99_ms:.0f} ms | {max(h.lags_ms):.0f} ms | {h.failover_s:.1f}s |",
    ]


def cli_start_section(starts: list[StartTime]) -> list[str]:
    out = ["## 9. Command-line start time", ""]
    if not starts:
        return [*out, "Not run."]
    return [
        *out,
        "Each command imports only what it uses (openscc/cli/lazy.py); medians of 5 runs of a "
        "fresh process (bench/cli_start.py). Import time is what `python -X importtime` reports "
        "for the command's modules; the process also starts the interpreter. Target: under "
        "300 ms of imports for both.",
        "",
        "| command | imports | whole process |",
        "|---|---:|---:|",
        *(f"| `{s.command.split(' /')[0]}` | {s.import_ms:.0f} ms | {s.wall_ms:.0f} ms |"
          for s in starts),
    ]  # fmt: skip


def throughput_section(t: ThroughputResult | None) -> list[str]:
    out = ["## 4. API throughput", ""]
    if t is None:
        return [*out, "Not run."]
    out += [
        f"16 keep-alive HTTPS connections, {t.seconds:g}s per run, {t.rounds} interleaved "
        f"round(s), load by `{t.generator}`. `version`: `GET /api/v1/connector/version`; "
        f"`mappings`: the list of 1,000 system mappings of one subaccount "
        f"({t.mappings_bytes / 1000:.0f} kB of JSON). basic: basic auth on every request, no "
        "cookie (as curl sends it); session: JSESSIONID cookie only, from one basic-auth "
        "request. bare: a Starlette app on the same uvicorn options and certificate answering "
        "the same JSON with no auth (bench/bare_app.py). Server CPU: the server process's CPU "
        "time over the run's wall time (100% = one core, the most one process can use).",
        "",
        "| endpoint | mode | req/s | p50 | p99 | server CPU | of bare |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for endpoint in ENDPOINTS:
        for mode in MODES:
            cell = t.cells[(endpoint, mode)]
            share = "" if mode == "bare" else f"{t.ratio(endpoint, mode):.0%}"
            bad = f" ({cell.non2xx} non-2xx)" if cell.non2xx else ""
            out.append(
                f"| {endpoint} | {mode} | {cell.rps:,.0f}{bad} | {cell.p50_ms:.2f} ms "
                f"| {cell.p99_ms:.2f} ms | {cell.server_cpu:.0%} | {share} |"
            )
    return out
