"""Chart labels stay inside their charts, and pages inside the window, at 1440 and 390 px.

The charts are drawn as SVG, so every label is a ``<text>`` element whose box the browser
measures: each must lie within its chart's element, and no two labels of a chart may
cover each other. Dashboard (with trends across two runs) and KPI page, in Chinese and
English, as a company-wide analyst (KPI breakdown by branch) and as an account manager.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from guanxi.customers.models import Customer
from guanxi.insights import services
from guanxi.web.tests.test_browser import browser, login, open_page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = (1440, 390)
PAGES = {
    "/analytics/": ("pyramid", "heatmap", "lorenz", "clv", "segments", "trend-counts",
                    "trend-tiers", "trend-levels"),
    "/analytics/kpis/": ("kpi-rates", "kpi-money", "kpi-products"),
}  # fmt: skip

# Problems of the page as a list of sentences: horizontal overflow, a chart label outside
# its chart, two labels of a chart overlapping (by more than a pixel). Labels are compared
# as the rotated rectangles they are drawn in (screen corners of their SVG boxes), not by
# their upright bounding boxes, which overlap for any two neighbouring rotated labels.
# Labels under a clip path (the pages of a scrolling legend not shown) are clipped to a
# region of the chart on purpose: they can neither leave it nor cover anything.
MEASURE = """
() => {
  const problems = [];
  const page = document.documentElement;
  if (page.scrollWidth > window.innerWidth) {
    problems.push(`page is ${page.scrollWidth}px wide in a ${window.innerWidth}px window`);
  }
  const corners = (t) => {
    const b = t.getBBox(), m = t.getScreenCTM(), p = t.ownerSVGElement.createSVGPoint();
    const [x0, y0, x1, y1] = [b.x, b.y, b.x + b.width, b.y + b.height];
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
      .map(([x, y]) => { p.x = x; p.y = y; const q = p.matrixTransform(m); return [q.x, q.y]; });
  };
  const apart = (a, b) => [a, b].some((poly) => poly.some((p, i) => {
    const q = poly[(i + 1) % 4], nx = q[1] - p[1], ny = p[0] - q[0];
    const along = (c) => c.map(([x, y]) => x * nx + y * ny);
    const [pa, pb] = [along(a), along(b)];
    const norm = Math.hypot(nx, ny) || 1;
    return (Math.max(...pa) - Math.min(...pb)) / norm < 1 ||
      (Math.max(...pb) - Math.min(...pa)) / norm < 1;
  }));
  for (const chart of document.querySelectorAll(".chart")) {
    const box = chart.getBoundingClientRect();
    const texts = [...chart.querySelectorAll("svg text")]
      .filter((t) => t.textContent.trim() && !t.closest("[clip-path]"))
      .map((t) => ({ text: t.textContent, r: t.getBoundingClientRect(), poly: corners(t) }))
      .filter((t) => t.r.width > 0 && t.r.height > 0);
    for (const { text, r } of texts) {
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 ||
          r.bottom > box.bottom + 1) {
        problems.push(`${chart.id}: "${text}" leaves the chart`);
      }
    }
    texts.forEach((a, i) => texts.slice(i + 1).forEach((b) => {
      if (!apart(a.poly, b.poly)) { problems.push(`${chart.id}: "${a.text}" covers "${b.text}"`); }
    }));
  }
  return problems;
}
"""


@pytest.fixture
def two_runs(demo_store, staff, org):
    """Two runs over the demo store, 60 of whose customers the account manager looks after."""
    portfolio = [c.pk for c in demo_store[:60]]
    Customer.objects.filter(pk__in=portfolio).update(
        owner=staff["account_manager"], branch=org["north"]
    )
    for _ in range(2):
        run = services.run_analysis()
        assert run.status == "finished", run.error


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
@pytest.mark.parametrize("username", ["analyst", "am"])
def test_chart_labels_stay_inside_their_charts_at_desktop_and_phone_widths(
    open_page,  # noqa: F811
    two_runs,
    locale,
    username,
):
    page = open_page(locale)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Content-Security-Policy violations (an inline style of the SVG renderer) on the console
    page.on("console", lambda m: errors.append(m.text) if "Security Policy" in m.text else None)
    login(page, username)
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for url, charts in PAGES.items():
            page.goto(url)
            for chart in charts:
                expect(page.locator(f"#chart-{chart} svg")).to_have_count(1)
            page.wait_for_timeout(1200)  # the charts' entry animation
            problems += [f"{url} at {width}px: {p}" for p in page.evaluate(MEASURE)]
            if username == "analyst":
                page.screenshot(
                    path=str(
                        Path(f"/tmp/guanxi-{url.strip('/').replace('/', '-')}-{locale}-{width}.png")
                    ),
                    full_page=True,
                )
    assert not problems, "\n".join(problems)
    assert errors == []
