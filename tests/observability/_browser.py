"""Open an HTML file in headless system Chromium (Playwright) and report what rendered."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tests._services import ensure_debian_package

CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
_ALL_RENDERED = ("() => { const d = [...document.querySelectorAll('.plotly-graph-div')];"
                 " return d.length > 0 && d.every(x => x.querySelector('.main-svg')); }")


@dataclass
class Rendered:
    charts: int
    rendered: int
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    screenshot: bytes = b""


def render(path: Path, *, timeout_ms: int = 90_000) -> Rendered:
    """Load ``path`` offline, wait until every plotly div has an SVG, take a screenshot."""
    from playwright.sync_api import sync_playwright

    chromium = ensure_debian_package("chromium", "chromium")
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.resolve().as_uri())
            page.wait_for_function(_ALL_RENDERED, timeout=timeout_ms)
            charts = page.evaluate("() => document.querySelectorAll('.plotly-graph-div').length")
            rendered = page.evaluate("() => [...document.querySelectorAll('.plotly-graph-div')]"
                                     ".filter(x => x.querySelector('.main-svg g.trace')).length")
            shot = page.screenshot(full_page=False)
        finally:
            browser.close()
    return Rendered(charts=charts, rendered=rendered, errors=errors, requests=requests, screenshot=shot)


def pixel_std(png: bytes) -> float:
    """Return the standard deviation of the greyscale pixels of a PNG (0 for a blank image)."""
    import io

    import numpy as np
    from PIL import Image

    img = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    return float(img.std())
