"""Web speed under load: people answering the real questionnaire at once, driven by Locust.

Imports the full real catalogue (shared/ctgov studies and converted, as they are) into a
throwaway database (SQLite, or with --postgres a throwaway PostgreSQL cluster), serves it with
gunicorn (3 workers) on 127.0.0.1 as production does, and prints, for the issue's targets:

- 100 people arriving over half a minute, pausing 1-2 s between clicks: errors (target 0),
  the shortlist as she first sees it, screened (p95 target under 1 s), and later views of it,
  read from what was stored (median under 150 ms, p95 under 400 ms);
- the same with 200 people (target: no errors);
- the saturation point: people clicking without pauses, doubling until requests fail or the
  p95 passes 2 s; requests per second at the last step that held;
- one person alone: the stored shortlist page (median target under 100 ms) and the PDF
  (under 150 ms).

Locust is a benchmark dependency: `.venv/bin/pip install -e ".[bench]"`, then

    .venv/bin/python bench/web.py [--postgres] [--people 100 200] [--skip-saturation]
"""

from __future__ import annotations

# ruff: noqa: E402 (Locust runs on gevent, which must patch sockets and ssl before anything imports them)
from gevent import monkey

monkey.patch_all()

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import gevent
import requests
from locust import HttpUser, between, constant, task
from locust.env import Environment
from locust.exception import StopUser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.questionnaire_answers import DETAILED as ANSWERS

SHARED = Path(os.environ.get("TRIALSCREEN_SHARED", ROOT.parent / "shared")).resolve()
WORKERS = 3
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FIRST, STORED = "shortlist, first look (screened)", "shortlist, later looks (stored)"


class Person(HttpUser):
    """Answers every question as a person does, then looks at her shortlist a few times."""

    wait_time = between(1, 2)
    once = True  # stop after one questionnaire (arrivals); False keeps going (saturation)

    @task
    def answer_and_look(self) -> None:
        page = self.client.get("/start/", name="start page")
        response = self.client.post(
            "/start/", data={"csrfmiddlewaretoken": CSRF.search(page.text)[1]}, name="start", allow_redirects=False
        )
        url = response.headers.get("Location", "")
        while url and "/review/" not in url:
            page = self.client.get(url, name="step page")
            self.wait()
            slug = url.rstrip("/").rsplit("/", 1)[-1]
            data = {**ANSWERS.get(slug, {}), "csrfmiddlewaretoken": CSRF.search(page.text)[1]}
            posted = self.client.post(url, data=data, name="step answer", allow_redirects=False)
            url = posted.headers.get("Location", "")
        if not url:
            raise StopUser() if self.once else RuntimeError("the questionnaire did not reach the review")
        self.client.get(url, name="review")
        self.wait()
        shortlist = url.replace("/review/", "/shortlist/")
        self.client.get(shortlist, name=FIRST)
        for choice in ("", "?tier=all", "?page=2", ""):
            self.wait()
            self.client.get(shortlist + choice, name=STORED)
        if self.once:
            raise StopUser()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_postgres(scratch: Path) -> tuple[str, list[str]]:
    """A throwaway PostgreSQL cluster, as scripts/test starts one; returns its URL and the stop command."""
    initdb = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not initdb:
        sys.exit("PostgreSQL is not installed (scripts/test installs it).")
    bin_dir, data, port = initdb[-1].parent, scratch / "pg", free_port()
    as_pg = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(scratch, "postgres")
        as_pg = ["runuser", "-u", "postgres", "--"]
    run = lambda *args: subprocess.run([*as_pg, *args], check=True, stdout=subprocess.DEVNULL)  # noqa: E731
    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {scratch} -c fsync=off -c max_connections=200"
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(scratch / "pg.log"), "-w", "-o", options, "start")
    return f"postgres://postgres@127.0.0.1:{port}/postgres", [
        *as_pg,
        str(bin_dir / "pg_ctl"),
        "-D",
        str(data),
        "-m",
        "immediate",
        "stop",
    ]


def prepare(env: dict[str, str]) -> None:
    manage = [sys.executable, "manage.py"]
    folders = [str(SHARED / "ctgov" / "studies"), str(SHARED / "ctgov" / "converted")]
    for command in (["migrate", "-v0"], ["createcachetable"], ["load_lexicon"], ["import_studies", *folders]):
        subprocess.run([*manage, *command], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def serve(env: dict[str, str], port: int) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "trialscreen.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(WORKERS)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(150):
        try:
            requests.get(f"http://127.0.0.1:{port}/start/", timeout=2)
            return server
        except requests.ConnectionError:
            time.sleep(0.2)
    server.kill()
    sys.exit("gunicorn did not start")


def run_people(host: str, people: int, *, over: float, pauses: bool, seconds: float | None = None) -> Environment:
    """`people` arriving over `over` seconds; with `seconds`, stop then, else when all have finished."""
    Person.host, Person.once = host, seconds is None
    Person.wait_time = between(1, 2) if pauses else constant(0)
    environment = Environment(user_classes=[Person])
    runner = environment.create_local_runner()
    runner.start(people, spawn_rate=people / over if over else people)
    started = time.monotonic()
    while True:
        gevent.sleep(1)
        elapsed = time.monotonic() - started
        if seconds is not None and elapsed >= seconds:
            break
        if seconds is None and elapsed > over + 1 and runner.user_count == 0:
            break
        if elapsed > 600:
            break
    runner.quit()
    return environment


def line(environment: Environment, name: str, method: str = "GET") -> str:
    entry = environment.stats.get(name, method)
    if not entry.num_requests:
        return f"  {name}: no requests"
    return (
        f"  {name}: {entry.num_requests} requests, median {entry.median_response_time:.0f} ms, "
        f"p95 {entry.get_response_time_percentile(0.95):.0f} ms, {entry.num_failures} failed"
    )


def report_arrivals(environment: Environment, people: int) -> None:
    total = environment.stats.total
    first = environment.stats.get(FIRST, "GET")
    stored = environment.stats.get(STORED, "GET")
    print(
        f"{people} people arriving over 30 s, 1-2 s between clicks: {total.num_requests} requests, "
        f"{total.num_failures} failed (target 0)"
    )
    print(line(environment, FIRST) + f"  [p95 {first.get_response_time_percentile(0.95) / 1000:.2f} of the 1 s target]")
    print(
        line(environment, STORED)
        + f"  [median {stored.median_response_time / 150:.2f} of 150 ms; p95 {stored.get_response_time_percentile(0.95) / 400:.2f} of 400 ms]"
    )
    print(line(environment, "step answer", "POST"))


def saturation(host: str) -> None:
    held = None
    for people in (5, 10, 20, 40, 80, 160):
        environment = run_people(host, people, over=5, pauses=False, seconds=25)
        total = environment.stats.total
        p95 = total.get_response_time_percentile(0.95)
        rps = total.num_requests / 25
        print(
            f"  {people:4d} people without pauses: {rps:6.1f} requests/s, p95 {p95:.0f} ms, {total.num_failures} failed"
        )
        if total.num_failures or p95 > 2000:
            break
        held = (people, rps)
    if held:
        print(f"saturation: {held[1]:.0f} requests/s with {held[0]} people at once before errors or a p95 over 2 s")


def alone(host: str) -> None:
    session = requests.Session()
    page = session.get(f"{host}/start/")
    response = session.post(
        f"{host}/start/", data={"csrfmiddlewaretoken": CSRF.search(page.text)[1]}, allow_redirects=False
    )
    url = host + response.headers["Location"]
    while "/review/" not in url:
        page = session.get(url)
        data = {**ANSWERS.get(url.rstrip("/").rsplit("/", 1)[-1], {}), "csrfmiddlewaretoken": CSRF.search(page.text)[1]}
        url = host + session.post(url, data=data, allow_redirects=False).headers["Location"]
    shortlist = url.replace("/review/", "/shortlist/")
    session.get(shortlist)  # screened and stored

    def median_ms(target: str, times: int = 15) -> float:
        spent = []
        for _ in range(times):
            started = time.perf_counter()
            session.get(target).raise_for_status()
            spent.append((time.perf_counter() - started) * 1000)
        return statistics.median(spent)

    shown = median_ms(shortlist)
    first_nct = re.search(r"/mark/([A-Z0-9-]+)/", session.get(shortlist).text)
    if first_nct:
        form = session.get(shortlist).text
        session.post(
            f"{shortlist.replace('/shortlist/', '/mark/')}{first_nct[1]}/",
            data={"csrfmiddlewaretoken": CSRF.search(form)[1]},
        )
    pdf = median_ms(shortlist.replace("/shortlist/", "/sheet.pdf"), times=7)
    print(
        f"one person alone: stored shortlist page median {shown:.0f} ms ({shown / 100:.2f} of 100 ms); "
        f"PDF median {pdf:.0f} ms ({pdf / 150:.2f} of 150 ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL instead of SQLite")
    parser.add_argument("--people", type=int, nargs="+", default=[100, 200])
    parser.add_argument("--skip-saturation", action="store_true")
    options = parser.parse_args()
    if not (SHARED / "ctgov").exists():
        sys.exit(f"Real data not found at {SHARED}; set TRIALSCREEN_SHARED.")
    with tempfile.TemporaryDirectory() as scratch:
        stop_postgres = None
        if options.postgres:
            url, stop_postgres = start_postgres(Path(scratch))
        else:
            url = f"sqlite:///{scratch}/bench.sqlite3"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "false",
            "SECRET_KEY": "bench-" + os.urandom(24).hex(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "TRIALSCREEN_HTTPS": "false",  # plain HTTP on loopback: no Secure cookies, no redirect
            "TRIALSCREEN_RATE_LIMITS": "off",  # every person comes from 127.0.0.1
        }
        try:
            prepare(env)
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True
            )  # noqa: S603
            port = free_port()
            server = serve(env, port)
            host = f"http://127.0.0.1:{port}"
            database = "PostgreSQL" if options.postgres else "SQLite"
            print(
                f"{database}, gunicorn with {WORKERS} workers, the full real catalogue, load client on the same machine"
            )
            try:
                alone(host)  # also warms each worker's cache of the catalogue a little
                for people in options.people:
                    report_arrivals(run_people(host, people, over=30, pauses=True), people)
                if not options.skip_saturation:
                    saturation(host)
            finally:
                server.terminate()
                server.wait(timeout=10)
        finally:
            if stop_postgres:
                subprocess.run(stop_postgres, check=False, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
