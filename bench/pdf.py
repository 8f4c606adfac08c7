"""How long the discussion-sheet PDF takes for one person alone, in-process through Django's test client.

Imports the full real catalogue (shared/ctgov studies and converted, as bench/web.py does; the
demo catalogue with --demo or when the real records are not there) into a throwaway SQLite
database, answers the questionnaire with the detailed answers bench/web.py uses, marks the first
trials of her shortlist (1, as bench/web.py's person alone, and 5), and renders the PDF N times
per sheet. Prints the median and p95 of the renders and the median as a multiple of the 150 ms
target (issue 12). With --profile, also the functions one render spends most of its time in.

    .venv/bin/python bench/pdf.py [--renders 30] [--marked 1 5] [--demo] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("TRIALSCREEN_SHARED", ROOT.parent / "shared")).resolve()
TARGET_MS = 150


def build(directory: Path, demo: bool) -> str:
    """A fresh SQLite catalogue in `directory`, Django pointed at it as production runs; says which catalogue."""
    os.environ.update(
        {
            "DATABASE_URL": f"sqlite:///{directory / 'bench.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "trialscreen.settings",
            "DEBUG": "false",
            "SECRET_KEY": "bench-" + os.urandom(24).hex(),
            "ALLOWED_HOSTS": "testserver",
            "TRIALSCREEN_HTTPS": "false",
            "TRIALSCREEN_RATE_LIMITS": "off",
            "STATIC_ROOT": str(directory / "static"),
        }
    )
    real = not demo and (SHARED / "ctgov").exists()
    load = (
        ["import_studies", str(SHARED / "ctgov" / "studies"), str(SHARED / "ctgov" / "converted")]
        if real
        else ["load_demo_catalogue"]
    )
    manage = [sys.executable, "manage.py"]
    for command in (
        ["collectstatic", "--noinput", "-v0"],
        ["migrate", "-v0"],
        ["createcachetable"],
        ["load_lexicon"],
        load,
    ):
        subprocess.run([*manage, *command], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return "the full real catalogue" if real else "the demo catalogue"


def screening_with_marks(client, marked: int) -> str:
    """A person who answered every step in detail and marked the first `marked` trials of her shortlist."""
    from tests.questionnaire_answers import DETAILED

    url = client.post("/start/")["Location"]
    token = url.split("/")[2]
    while "/review/" not in url:
        url = client.post(url, DETAILED.get(url.rstrip("/").rsplit("/", 1)[-1], {}))["Location"]
    client.get(f"/s/{token}/shortlist/")  # screened and stored, as she first sees it
    results = client.get(f"/s/{token}/shortlist.json").json()["results"]
    for result in results[:marked]:
        client.post(f"/s/{token}/mark/{result['nct_id']}/")
    return token


def render(client, token: str) -> bytes:
    response = client.get(f"/s/{token}/sheet.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf", response.status_code
    return response.content


def page_count(pdf: bytes) -> str:
    try:
        from pypdf import PdfReader  # a test dependency
    except ImportError:
        return "?"
    return str(len(PdfReader(io.BytesIO(pdf)).pages))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--renders", type=int, default=30, help="renders timed per sheet")
    parser.add_argument("--marked", type=int, nargs="+", default=[1, 5], help="trials marked on each sheet")
    parser.add_argument("--demo", action="store_true", help="the demo catalogue instead of the real records")
    parser.add_argument("--profile", action="store_true", help="print where one render spends its time")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        catalogue = build(Path(scratch), options.demo)
        import django

        django.setup()
        from django.test import Client

        client = Client()
        print(f"SQLite, {catalogue}, in-process through Django's test client, {options.renders} renders per sheet")
        for marked in options.marked:
            token = screening_with_marks(client, marked)
            pages = page_count(render(client, token))  # the first render also warms the process
            spent = []
            for _ in range(options.renders):
                started = time.perf_counter()
                render(client, token)
                spent.append((time.perf_counter() - started) * 1000)
            median, p95 = statistics.median(spent), statistics.quantiles(spent, n=20)[-1]
            print(
                f"  {marked} trial{'s' if marked != 1 else ''} marked ({pages} pages): "
                f"median {median:.0f} ms, p95 {p95:.0f} ms, min {min(spent):.0f} ms "
                f"[median {median / TARGET_MS:.2f} of the {TARGET_MS} ms target]"
            )
            if options.profile:
                profiler = cProfile.Profile()
                profiler.runcall(render, client, token)
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
                print(out.getvalue())


if __name__ == "__main__":
    main()
