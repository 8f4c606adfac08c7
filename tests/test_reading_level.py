"""The questions read plainly: about a US grade 8 reading level (Flesch-Kincaid)."""

from __future__ import annotations

import re

import pytest

from screening.questionnaire import STEPS

readability = pytest.importorskip("readability")


def step_text(step) -> str:
    form = step.form(**({"agent_groups": []} if step.slug == "treatments" else {}))
    parts = [step.intro] + [f"{field.label}\n{field.help_text or ''}" for field in form.fields.values()]
    # The measure wants one sentence per line.
    return "\n".join(re.sub(r"([.?!])\s+", r"\1\n", part) for part in parts if part)


def grade(text: str) -> float:
    return readability.getmeasures(text, lang="en")["readability grades"]["Kincaid"]


def test_the_questionnaire_as_a_whole_reads_at_grade_8_or_below():
    assert grade("\n".join(step_text(step) for step in STEPS)) <= 8


@pytest.mark.parametrize("step", STEPS, ids=[step.slug for step in STEPS])
def test_no_step_reads_above_grade_10(step):
    # Treatment names (chemotherapy, antibody-drug conjugate) are long words that cannot be avoided.
    assert grade(step_text(step)) <= 10
