"""Import throughput and peak memory of `import_studies`.

Runs the real command in a fresh process on a throwaway SQLite database (or the
database in DATABASE_URL when BENCH_USE_DATABASE_URL=1), for the 1,462 real records
in shared/ctgov and for a 20,000-record scale-up made of real records copied under new
NCT IDs and written as search pages of 1,000 studies.

    .venv/bin/python bench/catalogue.py [--synthetic 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TRIALSCREEN_SHARED", ROOT.parent / "shared")).resolve()
TARGET_RATE = 300.0  # studies per second
TARGET_PEAK_MB = 400.0  # at 20,000 studies


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and peak resident memory (MB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak <= before:
        # ru_maxrss of children is the largest child so far; a smaller child cannot be told apart.
        peak = before
    return elapsed, peak / 1024


def fresh_env(directory: Path) -> dict[str, str]:
    env = dict(os.environ)
    if os.environ.get("BENCH_USE_DATABASE_URL") != "1":
        env["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    return env


def write_synthetic(directory: Path, count: int) -> None:
    records = [
        json.loads(path.read_text())
        for folder in ("studies", "converted")
        for path in sorted((SHARED / "ctgov" / folder).glob("*.json"))
    ]
    page: list[dict] = []
    for number in range(count):
        record = json.loads(json.dumps(records[number % len(records)]))
        record["protocolSection"]["identificationModule"]["nctId"] = f"NCT9{number:07d}"
        page.append(record)
        if len(page) == 1000:
            (directory / f"page-{number // 1000:03d}.json").write_text(json.dumps({"studies": page}))
            page = []
    if page:
        (directory / "page-last.json").write_text(json.dumps({"studies": page}))


def startup_seconds() -> float:
    """The command's fixed cost (Django, lexicon, worker start-up), timed on a single study."""
    one = next((SHARED / "ctgov" / "studies").glob("*.json"))
    with tempfile.TemporaryDirectory() as scratch:
        env = fresh_env(Path(scratch))
        elapsed, _ = run([sys.executable, "manage.py", "import_studies", str(one)], env)
    return elapsed


def measure(label: str, paths: list[Path], studies: int, startup: float) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as scratch:
        env = fresh_env(Path(scratch))
        elapsed, peak = run([sys.executable, "manage.py", "import_studies", *map(str, paths)], env)
    overall = studies / elapsed
    steady = studies / max(elapsed - startup, 1e-9)
    print(
        f"{label:<20} {studies:>6} studies  {elapsed:6.1f} s  {overall:5.0f} studies/s with start-up, "
        f"{steady:5.0f}/s after it ({steady / TARGET_RATE:4.1f}x the {TARGET_RATE:.0f}/s target)  peak {peak:6.0f} MB"
    )
    return steady, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synthetic", type=int, default=20000, help="size of the scale-up (default 20000)")
    options = parser.parse_args()
    if not (SHARED / "ctgov").exists():
        sys.exit(f"Real data not found at {SHARED}; set TRIALSCREEN_SHARED.")

    real = [SHARED / "ctgov" / "studies", SHARED / "ctgov" / "converted"]
    count = sum(1 for folder in real for _ in folder.glob("*.json"))
    startup = startup_seconds()
    print(f"start-up of the command (one study): {startup:.1f} s")
    measure("real records", real, count, startup)
    with tempfile.TemporaryDirectory() as pages:
        write_synthetic(Path(pages), options.synthetic)
        rate, peak = measure("synthetic scale-up", [Path(pages)], options.synthetic, startup)
    print(
        f"peak memory at {options.synthetic} studies: {peak / TARGET_PEAK_MB:.2f} of the {TARGET_PEAK_MB:.0f} MB budget"
    )


if __name__ == "__main__":
    main()
