"""``python -m bench``: backup/restore at scale against the floor and etcd, and API throughput.

Writes docs/benchmarks.md (the hand-written part above the marker line is kept) and prints the
figures as it goes. ``BENCH_QUICK=1`` (or ``--quick``) runs in about a minute: 1,000 and 10,000
resources with 3 runs, 100,000 with 1, and short throughput runs. Everything runs on loopback and
in a temporary folder that is removed at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import report
from bench.cli_start import run_cli_start
from bench.data import records, shape_for
from bench.fast_paths import run_fast_paths
from bench.fleet import run_fleet
from bench.floor import measure_floor, measure_kdf
from bench.ha import run_ha
from bench.logon_flood import run_logon_flood
from bench.loop_latency import run_loop_latency
from bench.peer import etcd_available, measure_backup_levels, measure_etcd
from bench.scale import run_scale
from bench.throughput import run_throughput

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", default=bool(os.environ.get("BENCH_QUICK")))
    parser.add_argument("--sizes", help="resources per configuration, comma-separated")
    parser.add_argument("--runs", type=int, help="runs per size (the largest gets fewer in quick)")
    parser.add_argument("--seconds", type=float, help="seconds per throughput run")
    parser.add_argument("--rounds", type=int, help="interleaved throughput rounds")
    parser.add_argument(
        "--mappings", type=int, default=1000, help="mappings in the listed subaccount"
    )
    parser.add_argument(
        "--scale-kdf",
        default="test",
        choices=("production", "test"),
        help="KDF profile of the backup/restore server: test (default) keeps Argon2 out of the "
        "timed operations, the production KDF being measured on its own; production includes it "
        "and the measured KDF time is subtracted",
    )
    parser.add_argument(
        "--server-kdf",
        default="production",
        choices=("production", "test"),
        help="KDF profile of the throughput server (its password hashes)",
    )
    parser.add_argument("--generator", default="auto", choices=("auto", "wrk", "python"))
    parser.add_argument("--no-peer", action="store_true", help="skip etcd")
    parser.add_argument("--kdf-runs", type=int, default=5, help="production KDF derivations timed")
    parser.add_argument("--no-throughput", action="store_true")
    parser.add_argument("--no-flood", action="store_true", help="skip the logon flood")
    parser.add_argument("--no-loop", action="store_true", help="skip the event-loop latency run")
    parser.add_argument("--no-fast-paths", action="store_true", help="skip the fast-path figures")
    parser.add_argument(
        "--fast-path-resources", type=int, default=100_000, help="resources of the fast-path run"
    )
    parser.add_argument(
        "--loop-resources", type=int, default=100_000, help="resources of the loop-latency run"
    )
    parser.add_argument(
        "--loop-key-seconds", type=float, default=4.0, help="seconds of 4,096-bit key generation"
    )
    parser.add_argument("--flood-logons", type=int, default=200, help="parallel bad logons")
    parser.add_argument(
        "--flood-kdf", default="production", choices=("production", "test"),
        help="KDF profile of the flooded server",
    )  # fmt: skip
    parser.add_argument("--no-ha", action="store_true", help="skip the master/shadow pair")
    parser.add_argument(
        "--ha-resources", type=int, default=10_000, help="resources of the pair's initial sync"
    )
    parser.add_argument("--ha-changes", type=int, help="changes whose replication lag is timed")
    parser.add_argument("--no-fleet", action="store_true", help="skip the fleet backups")
    parser.add_argument("--fleet-sources", type=int, default=20, help="connectors backed up")
    parser.add_argument(
        "--fleet-resources", type=int, default=10_000, help="resources of each connector"
    )
    parser.add_argument("--no-warmup", action="store_true", help="no warm-up load before rounds")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--work", type=Path, help="keep data, archives and logs here")
    return parser.parse_args(argv)


def _runs_for(args: argparse.Namespace, size: int, largest: int) -> int:
    if args.runs is not None:
        return args.runs
    if args.quick:
        return 1 if size == largest and size >= 100_000 else 3
    return 3 if size >= 100_000 else 5


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [1_000, 10_000, 100_000]
    seconds = args.seconds or (3.0 if args.quick else 6.0)
    rounds = args.rounds or (1 if args.quick else 5)
    work = args.work or Path(tempfile.mkdtemp(prefix="openscc-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results = report.Results(
        quick=args.quick,
        kdf_profile=args.scale_kdf,
        machine=_machine(),
    )
    try:
        print(f"KDF: production Argon2id, {args.kdf_runs} derivations", flush=True)
        results.kdf_s = measure_kdf(args.kdf_runs)
        print(f"  {results.kdf_s:.3f}s each", flush=True)
        peer_missing = "skipped (--no-peer)" if args.no_peer else etcd_available()
        results.peer_missing = peer_missing
        for size in sizes:
            shape = shape_for(size)
            runs = _runs_for(args, size, max(sizes))
            print(
                f"{shape.resources} resources ({shape.entities} entities), {runs} runs", flush=True
            )
            scale = run_scale(shape, runs, work, kdf_profile=args.scale_kdf)
            data = list(records(shape))
            floor = measure_floor(data, runs)
            print(
                f"  floor {floor['floor_s']:.3f}s (reverse {floor['reverse_s']:.3f}s); "
                f"backup/floor {report.ratio(scale.backup - results.backup_kdf, floor['floor_s'])}",
                flush=True,
            )
            peer = None
            if peer_missing is None:
                peer = measure_etcd(data, runs, work)
                print(f"  etcd snapshot save {peer['snapshot_s']:.3f}s", flush=True)
                for level, seconds in measure_backup_levels(work / f"data-{size}", runs).items():
                    peer[f"in_process_level_{level}_s"] = seconds
            results.sizes.append(report.SizeResult(scale=scale, floor=floor, peer=peer))
            del data
        if not args.no_throughput:
            print(f"API throughput: {rounds} rounds of {seconds:g}s per mode", flush=True)
            results.throughput = run_throughput(
                work,
                seconds=seconds,
                rounds=rounds,
                kdf_profile=args.server_kdf,
                generator=args.generator,
                mappings=args.mappings,
                warmup=not args.no_warmup,
            )
        if not args.no_loop:
            print(
                f"Event loop latency: {args.loop_resources:,} resources, keys, backup, restore",
                flush=True,
            )
            results.loop = run_loop_latency(
                work, resources=args.loop_resources, key_seconds=args.loop_key_seconds
            )
            for phase in results.loop.phases:
                print(f"  {phase.name}: p50 {phase.p50:.1f} ms, p99 {phase.p99:.1f} ms", flush=True)
        if not args.no_fast_paths:
            print("Caches and fast paths: with and without each", flush=True)
            results.fast_paths = run_fast_paths(
                work, resources=args.fast_path_resources, runs=1 if args.quick else 3
            )
            for row in results.fast_paths:
                print(f"  {row.name}: {row.gain:.1f}x", flush=True)
        if not args.no_flood:
            print(
                f"Logon flood: {args.flood_logons} parallel bad logons, {args.flood_kdf} Argon2",
                flush=True,
            )
            results.flood = run_logon_flood(
                work, logons=args.flood_logons, kdf_profile=args.flood_kdf
            )
            print(f"  {results.flood}", flush=True)
        if not args.no_ha:
            changes = args.ha_changes or (50 if args.quick else 300)
            print(
                f"High availability: sync of {args.ha_resources:,} resources, {changes} changes, "
                "failover",
                flush=True,
            )
            results.ha = run_ha(work, resources=args.ha_resources, changes=changes)
            print(f"  {results.ha}", flush=True)
        if not args.no_fleet:
            print(f"Fleet: {args.fleet_sources} connectors of {args.fleet_resources:,} resources, "
                  "then one ten times larger", flush=True)  # fmt: skip
            results.fleet = run_fleet(
                work, sources=args.fleet_sources, resources=args.fleet_resources
            )
            for fleet_pass in results.fleet:
                print(f"  {fleet_pass}", flush=True)
        archive = work / f"backup-{min(sizes)}.zip"
        if archive.exists():
            print("Command-line start time (medians of 5)", flush=True)
            results.cli_start = run_cli_start(archive)
            for start in results.cli_start:
                print(f"  {start.command.split(' /')[0]}: imports {start.import_ms:.0f} ms, "
                      f"process {start.wall_ms:.0f} ms", flush=True)  # fmt: skip
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    results.elapsed_s = time.perf_counter() - started
    text = report.render(results, existing=args.output if args.output.exists() else None)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print()
    print(report.summary(results))
    print(f"wrote {args.output} in {results.elapsed_s:.0f}s")
    return 0


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), Linux {platform.release()}, "
        f"Python {platform.python_version()}, load average before the run "
        f"{os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    sys.exit(main())
