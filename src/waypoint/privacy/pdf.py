"""The printable consent as a PDF, through WeasyPrint, when it can run here.

WeasyPrint is NOT a dependency today (not pinned in pyproject.toml, so not installed): the
print-styled page (the browser's "Print" or "Save as PDF") is the form, and the PDF link is
not shown. Should it be pinned later, it draws text with the system's Pango library
(Debian: ``libpango-1.0-0``, ``libpangoft2-1.0-0``); where Pango is missing the import
fails and the page stays the form.
WeasyPrint may fetch nothing: its URL fetcher refuses every URL, and the stylesheet is read
from the installed static file.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string


@functools.cache
def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError):  # OSError: Pango or its fonts are not installed
        return None
    return weasyprint


def available() -> bool:
    return _weasyprint() is not None


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"the consent PDF fetches nothing ({url[:60]})")


def render(template: str, context: dict[str, Any], request=None) -> bytes | None:
    """The template as PDF bytes, or None when WeasyPrint cannot run here."""
    wp = _weasyprint()
    if wp is None:
        return None
    html = render_to_string(template, {**context, "for_pdf": True}, request)
    css = finders.find("waypoint/print.css")
    sheets = [wp.CSS(filename=css, url_fetcher=_no_fetch)] if css else []
    return wp.HTML(string=html, url_fetcher=_no_fetch).write_pdf(stylesheets=sheets)
