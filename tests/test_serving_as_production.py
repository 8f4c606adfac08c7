"""scripts/start serves as production does, through scripts/serve (which it runs after installing)."""

from __future__ import annotations

import http.cookiejar
import re
import stat
import urllib.parse
import urllib.request

from tests.live_server import fetch, free_port, serve_env, serving

DEVELOPER_PAGE_TEXT = ("DEBUG = True", "Using the URLconf", "Traceback", "Page not found (404)")


def test_the_start_script_serves_pages_static_files_forms_and_the_plain_404_page_with_debug_off(tmp_path, static_root):
    key_file = tmp_path / "var" / "secret_key"
    env = serve_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(static_root),
        TRIALSCREEN_SECRET_KEY_FILE=str(key_file),
    )
    with serving(env, port=free_port(), log=tmp_path / "serve.log") as base:
        home = fetch(f"{base}/")
        assert home.status == 200, home.text
        # Offline, the demo catalogue was loaded and is labelled.
        assert "demo" in home.text.lower()

        # Collected under hashed names (DEBUG off) and served by WhiteNoise, cacheable for good.
        stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', home.text)
        assert stylesheet, "the stylesheet is not referred to by its collected, hashed name"
        css = fetch(base + stylesheet.group(1))
        assert css.status == 200 and "max-age=315360000" in css.headers.get("Cache-Control", "")

        wrong_link = fetch(f"{base}/s/nonsense/review/")
        assert wrong_link.status == 404
        assert "We could not find that page" in wrong_link.text
        for text in DEVELOPER_PAGE_TEXT:
            assert text not in wrong_link.text

        # Forms work over plain http on 127.0.0.1: the CSRF cookie is not marked Secure there.
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with browser.open(f"{base}/start/") as page:  # noqa: S310 (loopback)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode()).group(1)
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode()
        with browser.open(f"{base}/start/", data=body) as started:  # noqa: S310 (loopback)
            assert started.status == 200 and re.search(r"/s/[\w-]+/", started.url), started.url

    # The secret key was made once, for this installation only.
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text().strip()) >= 50
