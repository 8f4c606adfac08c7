"""The discussion sheet's PDF: what screening/sheet_pdf.py keeps between renders changes nothing in it."""

from __future__ import annotations

import gc
import io
import re
from html import unescape
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template.loader import get_template, render_to_string
from django.test import RequestFactory

from screening import sheet_pdf
from screening.models import Screening
from screening.questionnaire_views import sheet_context
from tests.questionnaire_answers import DETAILED
from tests.test_questionnaire import answer_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    call_command("load_lexicon", stdout=io.StringIO())
    call_command("load_demo_catalogue", stdout=io.StringIO())


@pytest.fixture
def marked(client, catalogue) -> str:
    token, _ = answer_all(client, DETAILED)
    results = client.get(f"/s/{token}/shortlist.json").json()["results"]
    for result in [r for r in results if r["tier"] != "not_a_fit"][:3]:
        client.post(f"/s/{token}/mark/{result['nct_id']}/")
    return token


def pdf_text(pdf: bytes) -> str:
    pypdf = pytest.importorskip("pypdf")
    return " ".join("".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())


def sheet_html(token: str) -> str:
    context = {**sheet_context(Screening.objects.get(), token), "for_pdf": True}
    return render_to_string("screening/sheet_pdf.html", context, RequestFactory().get("/"))


def test_the_pdf_is_the_one_a_fresh_weasyprint_writes_with_the_stylesheet_in_the_page(client, marked, monkeypatch):
    from weasyprint import HTML

    # The embedded font subsets carry the second they were written (fontTools reads this for it):
    # pinned, renders a second apart compare byte for byte.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764979200")

    html = sheet_html(marked)
    stylesheet = get_template(sheet_pdf.STYLESHEET).template.source
    fresh = HTML(string=html.replace("</head>", f"<style>{stylesheet}</style></head>")).write_pdf()
    # Byte for byte, and again on the next renders: the kept font configuration and parsed stylesheet change nothing.
    assert [client.get(f"/s/{marked}/sheet.pdf").content for _ in range(3)] == [fresh] * 3
    assert sheet_pdf.write_pdf(html) == fresh


def test_the_pdf_lists_each_answer_after_its_question_as_the_web_sheet_does(client, marked):
    page = client.get(f"/s/{marked}/sheet/").content.decode()
    lines = [
        (" ".join(unescape(re.sub(r"<[^>]+>", "", q)).split()), " ".join(unescape(re.sub(r"<[^>]+>", "", a)).split()))
        for q, a in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page, re.S)
    ]
    assert len(lines) > 20 and '<dl class="answers">' in page and "<table" not in page  # the page keeps its list
    text = pdf_text(client.get(f"/s/{marked}/sheet.pdf").content)
    answers = text[text.index("My answers") :]
    position = 0
    for question, answer in lines:
        found = answers.index(f"{question} {answer}", position)
        position = found + len(question)


def test_a_render_fetches_nothing(tmp_path: Path):
    pypdf = pytest.importorskip("pypdf")
    from PIL import Image  # WeasyPrint's own dependency
    from weasyprint import HTML

    Image.new("RGB", (4, 4), "red").save(tmp_path / "pixel.png")
    html = f'<p>A page naming an image on the disk</p><img src="file://{tmp_path}/pixel.png" alt="">'

    def images(pdf: bytes) -> int:
        return sum(len(page.images) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)

    assert images(HTML(string=html).write_pdf()) == 1  # WeasyPrint's own fetcher reads the disk
    assert images(sheet_pdf.write_pdf(html)) == 0
    fetcher = sheet_pdf._kept().url_fetcher
    for url in (f"file://{tmp_path}/pixel.png", "https://example.org/font.woff2"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)


def test_the_garbage_collector_is_as_it_was_after_a_render_even_a_failed_one(monkeypatch):
    assert gc.isenabled()
    sheet_pdf.write_pdf("<p>Hello</p>")
    assert gc.isenabled()
    gc.disable()
    try:
        sheet_pdf.write_pdf("<p>Hello</p>")
        assert not gc.isenabled()  # left off by whoever turned it off
    finally:
        gc.enable()

    import weasyprint

    def fails(*args, **kwargs):
        raise RuntimeError("layout failed")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", fails)
    with pytest.raises(RuntimeError):
        sheet_pdf.write_pdf("<p>Hello</p>")
    assert gc.isenabled()


def test_a_server_process_readies_the_pdf_before_its_first_request():
    import importlib
    import sys
    import threading

    ready = {}

    def load_the_server():
        loaded = sys.modules.get("trialscreen.wsgi")  # what gunicorn does in each worker
        importlib.reload(loaded) if loaded else importlib.import_module("trialscreen.wsgi")
        ready["kept"] = hasattr(sheet_pdf._per_thread, "stylesheet")

    worker = threading.Thread(target=load_the_server)  # a fresh thread keeps nothing yet
    worker.start()
    worker.join()

    assert ready["kept"]
