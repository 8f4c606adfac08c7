"""What is on a patient's shortlist: how much of it is for her disease and her setting.

Imports the real records from shared/ctgov (studies and converted, as they are) into a
throwaway SQLite catalogue, screens the three ranking patients from the tests (and a patient
who answered "Not sure" to everything) against the trials a patient's web shortlist covers,
and prints, per patient, how many trials are worth discussing and what share of them are
breast-cancer treatment trials in her setting (advanced or metastatic, not early-only).

    .venv/bin/python bench/shortlist.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.engine_helpers import ranking_patients  # noqa: E402

SHARED = Path(os.environ.get("TRIALSCREEN_SHARED", ROOT.parent / "shared")).resolve()
TARGET_SHARE = 0.90
TARGET_MOST = 100  # worth discussing: a list of tens, not hundreds
NOT_SURE = {"schema": "trialscreen/profile@1"}


def build(directory: Path) -> None:
    """Migrate a fresh SQLite database and import the real records into it; point Django at it."""
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "trialscreen.settings"
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, check=True)  # noqa: S603
    folders = [str(SHARED / "ctgov" / "studies"), str(SHARED / "ctgov" / "converted")]
    subprocess.run([*manage, "import_studies", *folders], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def ratio(part: int, whole: int) -> str:
    return f"{part}/{whole} = {part / whole:.2f}" if whole else f"{part}/0 = n/a"


def figures(profile_data: dict, trials, facts: dict[str, dict[str, bool]]) -> dict:
    from screening.engine.match import CHECK_FIRST, NOT_A_FIT, WORTH_DISCUSSING
    from screening.engine.profile import load_profile
    from screening.engine.study_kinds import TREATMENT
    from screening.screening import screen_profile

    results = screen_profile(load_profile(profile_data), trials)["results"]
    treatment = [r for r in results if r.get("study_kind", TREATMENT) == TREATMENT]
    worth = [r for r in treatment if r["tier"] == WORTH_DISCUSSING]
    check = [r for r in treatment if r["tier"] == CHECK_FIRST]
    top_ten = (worth + check)[:10]  # results come worth discussing first, then check first

    def fits(result: dict) -> bool:
        fact = facts[result["nct_id"]]
        return fact["breast"] and not fact["early"]

    def stated_advanced(result: dict) -> bool:
        return any(c["concept"] == "metastatic_disease" and c["outcome"] == "met" for c in result["criteria"])

    return {
        "screened": len(results),
        "treatment": len(treatment),
        "worth": len(worth),
        "check": len(check),
        "not_a_fit": sum(r["tier"] == NOT_A_FIT for r in treatment),
        "named": sum(facts[r["nct_id"]]["named"] for r in worth),
        "breast": sum(facts[r["nct_id"]]["breast"] for r in worth),
        "fits": sum(fits(r) for r in worth),
        "not_early": sum(not facts[r["nct_id"]]["early"] for r in worth),
        "advanced": sum(stated_advanced(r) for r in worth),
        "top": len(top_ten),
        "top_fits": sum(fits(r) for r in top_ten),
    }


def report(name: str, f: dict) -> None:
    print(f"{name}")
    print(f"  open trials screened {f['screened']}; treatment trials {f['treatment']}")
    print(f"  treatment: worth discussing {f['worth']}, check first {f['check']}, not a fit {f['not_a_fit']}")
    print("  of the worth-discussing treatment trials:")
    print(f"    conditions or titles name breast cancer      {ratio(f['named'], f['worth'])}")
    print(f"    breast cancer among the diseases it takes    {ratio(f['breast'], f['worth'])}")
    print(f"    in her setting (not early-only)              {ratio(f['not_early'], f['worth'])}")
    print(f"    state an advanced/metastatic setting (met)   {ratio(f['advanced'], f['worth'])}")
    print(f"    breast cancer and in her setting             {ratio(f['fits'], f['worth'])}")
    print(f"  top ten (worth discussing, then check first): {f['top_fits']}/{f['top']} breast cancer, not early-only")


def main() -> None:
    if not (SHARED / "ctgov").exists():
        sys.exit(f"Real data not found at {SHARED}; set TRIALSCREEN_SHARED.")
    with tempfile.TemporaryDirectory() as scratch:
        build(Path(scratch))
        import django

        django.setup()
        from screening.engine.disease import early_setting, names_breast_cancer, unnamed_basket
        from screening.models import Trial
        from screening.screening import patient_trials

        trials = patient_trials()
        facts = {}
        for trial in Trial.objects.only("nct_id", "conditions", "title", "official_title", "eligibility_text"):
            titles = [trial.title, trial.official_title]
            facts[trial.nct_id] = {
                "named": names_breast_cancer(trial.conditions, titles),
                "breast": unnamed_basket(trial.conditions, titles, trial.eligibility_text) == "",
                "early": bool(early_setting(trial.conditions, titles)),
            }
        print(
            f"catalogue: {len(facts)} records imported; {trials.count()} open for breast cancer or any solid tumour\n"
        )
        verdicts = {}
        for name, data in ranking_patients().items():
            f = figures(data, trials, facts)
            report(name, f)
            print()
            share = f["fits"] / f["worth"] if f["worth"] else 0.0
            verdicts[name] = share >= TARGET_SHARE and f["worth"] < TARGET_MOST
        print(
            "target: at least 90% of worth discussing are breast-cancer treatment trials in her setting; a list of tens, not hundreds"
        )
        for name, passed in verdicts.items():
            print(f"  {'PASS' if passed else 'SHORT'}  {name}")
        print()
        report(
            '"Not sure" to everything (no target: the list should not be padded for her)',
            figures(NOT_SURE, trials, facts),
        )


if __name__ == "__main__":
    main()
