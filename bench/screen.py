"""Screening speed: one profile against the whole catalogue, in-process and through the command.

Builds throwaway SQLite catalogues of real-shaped trials (real records from shared/ctgov,
copied under new NCT IDs) at 2,000 and 20,000 trials, and prints the median time to
screen a detailed profile, the per-trial cost and the growth ratio between the sizes.

    .venv/bin/python bench/screen.py [--sizes 2000 20000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.engine_helpers import detailed_profile  # noqa: E402

SHARED = Path(os.environ.get("TRIALSCREEN_SHARED", ROOT.parent / "shared")).resolve()
TARGET_MS_AT_2000 = 100.0

PROFILE = detailed_profile()  # the same patient the tests use


def build(directory: Path, size: int, keep=lambda record: True) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{directory / 'bench.sqlite3'}"}
    records = [
        record
        for folder in ("studies", "converted")
        for path in sorted((SHARED / "ctgov" / folder).glob("*.json"))
        if keep(record := json.loads(path.read_text()))
    ]
    pages = directory / "pages"
    pages.mkdir()
    page = []
    for number in range(size):
        record = json.loads(json.dumps(records[number % len(records)]))
        record["protocolSection"]["identificationModule"]["nctId"] = f"NCT9{number:07d}"
        page.append(record)
        if len(page) == 1000 or number == size - 1:
            (pages / f"page-{number:07d}.json").write_text(json.dumps({"studies": page}))
            page = []
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)  # noqa: S603
    subprocess.run(
        [sys.executable, "manage.py", "import_studies", str(pages)],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )  # noqa: S603
    return env


def in_process(env: dict[str, str], repeat: int) -> float:
    code = (
        "import json, statistics, sys, time, django;"
        "django.setup();"
        "from screening.engine.profile import load_profile;"
        "from screening.screening import screen_profile;"
        f"profile = load_profile(json.loads({json.dumps(json.dumps(PROFILE))}));"
        "screen_profile(profile);"
        "times = [];"
        f"[times.append((lambda t: (screen_profile(profile), time.perf_counter() - t)[1])(time.perf_counter())) for _ in range({repeat})];"
        "print(statistics.median(times))"
    )
    env = {**env, "DJANGO_SETTINGS_MODULE": "trialscreen.settings"}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True)  # noqa: S603
    return float(out.stdout.strip().splitlines()[-1])


def through_command(env: dict[str, str], directory: Path, repeat: int) -> float:
    profile = directory / "profile.json"
    profile.write_text(json.dumps(PROFILE))
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "screen", str(profile)],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )  # noqa: S603
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    if not (SHARED / "ctgov").exists():
        sys.exit(f"Real data not found at {SHARED}; set TRIALSCREEN_SHARED.")
    figures = {}
    for size in options.sizes:
        with tempfile.TemporaryDirectory() as scratch:
            env = build(Path(scratch), size)
            fast = in_process(env, options.repeat)
            whole = through_command(env, Path(scratch), max(1, options.repeat // 2))
        figures[size] = fast
        print(
            f"{size:>6} trials: in-process {fast * 1000:7.1f} ms median ({fast / size * 1e6:5.1f} µs per trial), "
            f"through the command {whole:5.2f} s"
        )
    if 2000 in figures:
        print(
            f"in-process at 2,000 trials: {figures[2000] * 1000 / TARGET_MS_AT_2000:.2f} of the {TARGET_MS_AT_2000:.0f} ms target"
        )
    sizes = sorted(figures)
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        print(
            f"growth {small} -> {large} trials: time x{figures[large] / figures[small]:.1f} for size x{large / small:.0f} (linear = same ratio)"
        )


if __name__ == "__main__":
    main()
