"""The discussion sheet as a PDF, laid out by WeasyPrint, without repeating work a process can keep.

A render of the sheet with one marked trial took about 120 ms, nearly all of it WeasyPrint's; this
module keeps it to what the sheet itself needs (bench/pdf.py measures it):

- WeasyPrint is imported on the first PDF, not with the views (importing it takes about 0.35 s);
- each thread keeps its font configuration (Pango's font map stays warm: a new one per render
  cost 7-10 ms) and the print stylesheet, read and parsed once (a changed sheet_pdf.css shows
  after a restart);
- nothing is fetched: the sheet names no stylesheet, image or font, and the fetcher refuses any
  URL, so a render can reach neither the network nor the disk;
- the cyclic garbage collector waits during the layout: a render makes about ten thousand
  short-lived cycles, which the collector otherwise promoted to its oldest generation, so that
  every seventh render or so paid a full collection of the whole process (60-70 ms). They are
  collected, young, as soon as the PDF is written. The pause is the whole process's, for the
  tenth of a second a render lasts; whoever had turned the collector off finds it off.

The PDF is byte for byte the one WeasyPrint wrote before these changes; the answers are in a table
only in the PDF (see sheet.html), which WeasyPrint lays out to the same page in less time than a grid.
"""

from __future__ import annotations

import gc
import threading
from typing import Any

from django.template.loader import get_template

STYLESHEET = "screening/sheet_pdf.css"
_per_thread = threading.local()


def _kept() -> Any:
    """This thread's font configuration, print stylesheet and fetcher, made on its first PDF."""
    if not hasattr(_per_thread, "stylesheet"):
        from weasyprint import CSS  # imported here: it is heavy and only the PDF needs it
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher

        # Pango's font map is not shared between threads; a thread keeps its own.
        _per_thread.font_config = FontConfiguration()
        _per_thread.url_fetcher = URLFetcher(allowed_protocols=())  # every URL refused, none fetched
        _per_thread.stylesheet = CSS(
            string=get_template(STYLESHEET).template.source,  # found as templates are, read as it is
            font_config=_per_thread.font_config,
            url_fetcher=_per_thread.url_fetcher,
        )
    return _per_thread


def write_pdf(html: str) -> bytes:
    """The PDF of `html`, laid out with the sheet's print stylesheet."""
    from weasyprint import HTML

    kept = _kept()
    collecting = gc.isenabled()
    gc.disable()
    try:
        return HTML(string=html, url_fetcher=kept.url_fetcher).write_pdf(
            stylesheets=[kept.stylesheet], font_config=kept.font_config
        )
    finally:
        if collecting:
            gc.enable()
            gc.collect(0)


def warm_up() -> None:
    """Import WeasyPrint and lay out one small PDF now, so that a server process's first sheet is
    not the one that pays for it (about 0.8 s: the import, Pango's fonts, the stylesheet)."""
    write_pdf("<p>trialscreen</p>")
