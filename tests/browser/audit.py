"""Page checks for issue #17 that axe cannot make: reflow at 320 CSS px and a
visible focus indicator with 3:1 contrast at every Tab stop; and a keyboard-only
walk through a questionnaire that counts its keypresses."""

from __future__ import annotations

from dataclasses import dataclass, field

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.conftest import WCAG_TAGS

NARROW = {"width": 320, "height": 640}
WIDE = {"width": 1280, "height": 900}
MAX_TAB_STOPS = 250

# The focused element, its focus indicator's colours (outline, and a box-shadow
# halo of at least 2 px) and their best contrast against the background the
# indicator is drawn on: the nearest ancestor with a background colour.
FOCUS_STOP = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  if (el.dataset.auditSeen) return {again: true};
  el.dataset.auditSeen = "1";
  const style = getComputedStyle(el);
  const rgb = (text) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(text || "");
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const contrast = (a, b) => {
    const [x, y] = [lum(a), lum(b)];
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  };
  let background = {r: 255, g: 255, b: 255, a: 1};
  for (let n = el.parentElement; n; n = n.parentElement) {
    const c = rgb(getComputedStyle(n).backgroundColor);
    if (c && c.a > 0) { background = c; break; }
  }
  const colours = [];
  if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) colours.push(rgb(style.outlineColor));
  const shadow = style.boxShadow;
  if (shadow && shadow !== "none") {
    const lengths = (shadow.replace(/rgba?\\([^)]*\\)/g, "").match(/-?[\\d.]+px/g) || []).map(parseFloat);
    if (lengths.length >= 4 && lengths[3] >= 2) colours.push(rgb(shadow));
  }
  const best = Math.max(0, ...colours.filter((c) => c && c.a > 0).map((c) => contrast(c, background)));
  const rect = el.getBoundingClientRect();
  return {
    again: false,
    what: `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} «${(el.getAttribute("aria-label") || el.textContent || el.value || "").trim().slice(0, 40)}»`,
    contrast: Math.round(best * 100) / 100,
    visible: rect.width > 0 && rect.height > 0,
  };
}"""


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)

    def add(self, url: str, problem: str) -> None:
        self.problems.append(f"{url}: {problem}")

    def assert_none(self) -> None:
        assert not self.problems, "\n".join(self.problems)


def check_axe(page: Page, findings: Findings) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    for v in results.response["violations"]:
        targets = [n["target"] for n in v["nodes"][:3]]
        findings.add(page.url, f"axe {v['id']}: {v['help']} {targets}")


def check_reflow(page: Page, findings: Findings) -> None:
    """At 320 CSS px the page itself never scrolls sideways (WCAG 1.4.10); a
    wide data table scrolls inside its own region."""
    page.set_viewport_size(NARROW)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > NARROW["width"]:
        culprits = page.evaluate(
            """(limit) => [...document.querySelectorAll('body *')]
                 .filter((e) => e.getBoundingClientRect().right > limit + 1
                          && !e.closest('.table-scroll, [role=region]'))
                 .slice(0, 4).map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                          + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : '')
                          + ' «' + (e.textContent || '').trim().slice(0, 30) + '»')""",
            NARROW["width"],
        )
        findings.add(page.url, f"{width} px wide at 320 px ({culprits})")
    page.set_viewport_size(WIDE)


def check_focus(page: Page, findings: Findings) -> int:
    """Tab through the page: every stop shows an indicator with >= 3:1 contrast
    against its background (WCAG 1.4.11, 2.4.7). Returns the number of stops."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    stops = 0
    for _ in range(MAX_TAB_STOPS):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_STOP)
        if stop is None or stop["again"]:
            break
        stops += 1
        if stop["visible"] and stop["contrast"] < 3:
            findings.add(
                page.url, f"focus on {stop['what']}: contrast {stop['contrast']}"
            )
    return stops


def audit(page: Page, url: str, findings: Findings, *, focus: bool = True) -> None:
    page.set_viewport_size(WIDE)
    page.goto(url)
    check_axe(page, findings)
    check_reflow(page, findings)
    if focus:
        check_focus(page, findings)
