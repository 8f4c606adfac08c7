"""Web speed: the questionnaire and the shortlist over real HTTP on loopback.

Builds a throwaway SQLite catalogue of real-shaped trials (as bench/screen.py does, from the
open breast-cancer records, so every trial is one a patient's shortlist screens), serves it
with gunicorn on 127.0.0.1, and prints:

- the time from submitting the last step to the shortlist page being ready (median of
  several patients), against the 300 ms target at 2,000 trials;
- requests per second for the step pages with 20 people answering at once, and how many
  requests failed (target: none).

    .venv/bin/python bench/web.py [--trials 2000] [--users 20] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from screen import SHARED, build  # noqa: E402

from tests.questionnaire_answers import DETAILED as ANSWERS  # noqa: E402

TARGET_SHORTLIST_MS = 300.0


def open_breast_cancer_trial(record: dict) -> bool:
    section = record["protocolSection"]
    conditions = " ".join(section.get("conditionsModule", {}).get("conditions", [])).lower()
    status = section.get("statusModule", {}).get("overallStatus", "")
    return "breast" in conditions and status in ("RECRUITING", "NOT_YET_RECRUITING")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(env: dict[str, str], port: int) -> subprocess.Popen:
    workers = str(max(2, os.cpu_count() or 2))
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "trialscreen.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            workers,
            "--threads",
            "4",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            requests.get(f"http://127.0.0.1:{port}/start/", timeout=2)
            return server
        except requests.ConnectionError:
            time.sleep(0.2)
    server.kill()
    sys.exit("gunicorn did not start")


class Patient:
    """One person going through the questionnaire, counting each request and its outcome."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.step_times: list[float] = []
        self.failures = 0

    def request(self, method: str, url: str, **kwargs) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = self.session.request(method, url, timeout=30, allow_redirects=False, **kwargs)
        except requests.RequestException:
            self.failures += 1
            return None
        self.step_times.append(time.perf_counter() - started)
        if response.status_code >= 400:
            self.failures += 1
        return response

    def answer_everything(self) -> tuple[str, float] | None:
        """Returns the shortlist URL and the time from the last submission to the shortlist."""
        start = self.request("GET", f"{self.base}/start/")
        if start is None:
            return None
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', start.text)[1]
        response = self.request("POST", f"{self.base}/start/", data={"csrfmiddlewaretoken": csrf})
        url = self.base + response.headers["Location"] if response is not None else ""
        while url and "/review/" not in url:
            page = self.request("GET", url)
            if page is None:
                return None
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
            slug = url.rstrip("/").rsplit("/", 1)[-1]
            started = time.perf_counter()
            posted = self.request("POST", url, data={**ANSWERS.get(slug, {}), "csrfmiddlewaretoken": csrf})
            if posted is None or posted.status_code != 302:
                return None
            url = self.base + posted.headers["Location"]
        shortlist_url = url.replace("/review/", "/shortlist/")
        self.request("GET", url)
        self.request("GET", shortlist_url)
        return shortlist_url, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=2000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2, help="questionnaires each concurrent person completes")
    options = parser.parse_args()
    if not (SHARED / "ctgov").exists():
        sys.exit(f"Real data not found at {SHARED}; set TRIALSCREEN_SHARED.")
    with tempfile.TemporaryDirectory() as scratch:
        # Every trial one the patient's shortlist covers (open, for breast cancer), so all are screened.
        env = build(Path(scratch), options.trials, keep=open_breast_cancer_trial)
        subprocess.run(
            [sys.executable, "manage.py", "load_lexicon"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
        )  # noqa: S603
        # Production settings mark cookies Secure, which plain HTTP on loopback cannot carry;
        # the development settings serve the same code without them.
        env = {**env, "DEBUG": "true"}
        port = free_port()
        server = serve(env, port)
        base = f"http://127.0.0.1:{port}"
        try:
            warm = Patient(base)
            warm.answer_everything()  # each worker reads the catalogue once; patients after that are the case to time
            finishing = []
            for _ in range(7):
                patient = Patient(base)
                result = patient.answer_everything()
                if result:
                    finishing.append(result[1])
            median = statistics.median(finishing) * 1000 if finishing else float("nan")
            print(
                f"last step submitted -> shortlist ready, {options.trials} trials: {median:6.0f} ms median of {len(finishing)} "
                f"({median / TARGET_SHORTLIST_MS:.2f} of the {TARGET_SHORTLIST_MS:.0f} ms target)"
            )

            patients = [Patient(base) for _ in range(options.users)]

            def run(person: Patient) -> None:
                for _ in range(options.rounds):
                    person.answer_everything()

            threads = [threading.Thread(target=run, args=(person,)) for person in patients]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            requests_made = sum(len(p.step_times) for p in patients)
            failures = sum(p.failures for p in patients)
            all_times = sorted(t for p in patients for t in p.step_times)
            print(
                f"{options.users} people at once, {options.rounds} questionnaires each: {requests_made} requests in {elapsed:.1f} s = "
                f"{requests_made / elapsed:.0f} requests/s, median {statistics.median(all_times) * 1000:.0f} ms, "
                f"95th percentile {all_times[int(len(all_times) * 0.95)] * 1000:.0f} ms, {failures} failed (target 0)"
            )
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
