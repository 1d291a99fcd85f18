"""Open the built documentation in headless Chromium and check it.

Serves ``docs/_build/html`` on 127.0.0.1 (a port of its own), visits the home
page, the API page of ``SequenceRNNClassifier``, a user-guide page and a
gallery page, and fails (exit status 1) on:

* an internal link whose target page is missing (anchors are checked too);
* an image that is missing or did not load;
* a JavaScript error, or a console error, on any visited page.

Screenshots of each page are saved under ``docs/_build/screenshots/``.

Needs Playwright (``pip install ".[docs]"``) and Debian's ``chromium``
(``apt-get install -y chromium``); no browser is downloaded. Run after
``make -C docs html``::

    python docs/check_site.py [--chromium /usr/bin/chromium]
"""

import argparse
import functools
import http.server
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
SITE = HERE / "_build" / "html"
SCREENSHOTS = HERE / "_build" / "screenshots"
PAGES = {
    "index": "index.html",
    "api_classifier": "generated/skrnn.SequenceRNNClassifier.html",
    "user_guide_input": "user_guide/input.html",
    "gallery_regression": "auto_examples/regression.html",
}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site without logging each request."""

    def log_message(self, format, *args):
        """Drop the request log."""


def serve(root):
    """Start a static server for ``root`` on 127.0.0.1; return it and its base URL."""
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def target_exists(url, anchors_cache):
    """Whether an internal URL points to an existing file (and anchor)."""
    address, fragment = urldefrag(url)
    path = unquote(urlparse(address).path)
    local = SITE / path.lstrip("/")
    if local.is_dir():
        local = local / "index.html"
    if not local.is_file():
        return False
    if not fragment or local.suffix != ".html":
        return True
    if local not in anchors_cache:
        text = local.read_text(encoding="utf-8", errors="replace")
        anchors_cache[local] = text
    text = anchors_cache[local]
    return f'id="{fragment}"' in text or f'name="{fragment}"' in text


def check_page(browser, base, name, relative, anchors_cache):
    """Visit one page; return a list of the problems found."""
    problems = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console error: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    failed = []
    page.on(
        "requestfailed",
        lambda request: (
            failed.append(request.url) if request.url.startswith(base) else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            failed.append(f"{response.url} (HTTP {response.status})")
            if response.url.startswith(base) and response.status >= 400
            else None
        ),
    )
    url = urljoin(base, relative)
    response = page.goto(url, wait_until="load")
    if response is None or response.status != 200:
        status = response.status if response is not None else "no response"
        return [f"{relative}: HTTP {status}"]
    page.wait_for_timeout(300)
    for link in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
        if link.startswith(base) and not target_exists(link, anchors_cache):
            problems.append(f"broken internal link: {link}")
    images = page.eval_on_selector_all(
        "img",
        "images => images.map(i => [i.currentSrc || i.src, i.complete,"
        " i.naturalWidth])",
    )
    for source, complete, width in images:
        if not complete or width == 0:
            problems.append(f"image missing or not loaded: {source}")
    problems.extend(f"request failed: {url}" for url in failed)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.close()
    print(
        f"{relative}: {len(images)} images, "
        f"{'ok' if not problems else f'{len(problems)} problems'}"
    )
    return [f"{relative}: {problem}" for problem in problems]


def main(chromium):
    """Check the pages; return the exit status."""
    if not (SITE / "index.html").is_file():
        print(f"No built site at {SITE}: run `make -C docs html` first.")
        return 1
    server, base = serve(SITE)
    problems = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=CHROMIUM_ARGS
            )
            anchors_cache = {}
            for name, relative in PAGES.items():
                problems += check_page(browser, base, name, relative, anchors_cache)
            browser.close()
    finally:
        server.shutdown()
    for problem in problems:
        print(problem)
    print(
        f"{len(PAGES)} pages checked, {len(problems)} problems; "
        f"screenshots in {SCREENSHOTS.relative_to(HERE.parent)}/"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    sys.exit(main(parser.parse_args().chromium))
