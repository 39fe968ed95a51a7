"""The board pack (nrr_engine.board_pack, README "Board pack"), rendered from the generated
book's build (300 accounts, seed 7) with the command a user runs.

- Its headline figures (as-of month, ending ARR, TTM NRR and GRR) equal the plain-Python
  reference computation from the raw parquet files (tests/python/reference/arr_reference.py).
- The HTML fetches nothing (no http(s) URL, no src or external href) and the PDF has pages.
- The diagnosis and scorecard sections render their marts when the warehouse has them
  (detected in information_schema), and say "not built in this warehouse" when not.
- Headless Chromium (Debian's chromium, installed by `make test`'s chromium-install, or here
  when missing and running as root) opens the HTML with no network: no console message, every
  chart's SVG in the DOM with drawn marks, and a screenshot that is not blank.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zlib
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from reference import arr_reference as ref

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging=stderr", "--v=0",
]  # fmt: skip
OPTIONAL_MARTS = ["fct_nrr_diagnosis", "fct_key_metrics_scorecard"]


@pytest.fixture(scope="module")
def pack(generated_build, tmp_path_factory):
    out = tmp_path_factory.mktemp("board_pack")
    result = _write(generated_build, out)
    assert result.returncode == 0, result.stdout + result.stderr
    htmls = sorted(out.glob("board_pack_*.html"))
    assert len(htmls) == 1, list(out.iterdir())
    html_path = htmls[0]
    return {
        "build": generated_build,
        "html_path": html_path,
        "html": html_path.read_text(encoding="utf-8"),
        "pdf_path": html_path.with_suffix(".pdf"),
    }


def _figure(html: str, key: str) -> str:
    found = re.findall(rf'data-figure="{re.escape(key)}">([^<]*)<', html)
    assert found, f"figure {key} not in the pack"
    return found[0]


def _pct(share: float) -> str:
    return f"{(Decimal(repr(share)) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def _usd(amount: float) -> str:
    return f"${Decimal(repr(amount)).quantize(Decimal('1'), ROUND_HALF_UP):,}"


@pytest.fixture(scope="module")
def reference(pack):
    book = ref.load_book(pack["build"].raw_path)
    as_of = ref.default_as_of_date(book)
    return book, as_of


def test_headline_figures_equal_the_reference(pack, reference):
    book, as_of = reference
    html = pack["html"]
    # The pack's month is the latest with a full TTM window: the month of as_of_date.
    month = ref.month_start(as_of)
    assert _figure(html, "as_of_month") == month.strftime("%Y-%m")
    assert pack["html_path"].name == f"board_pack_{month:%Y-%m}.html"
    ending = ref.total_month_arr(book, as_of)[month]
    assert _figure(html, "ending_arr") == _usd(ending)
    assert _figure(html, "ending_arr_headline") == _usd(ending)
    ttm = {r["as_of_month"]: r for r in ref.retention(book, as_of, 12)}[month]
    assert _figure(html, "ttm_nrr") == _pct(ttm["nrr"])
    assert _figure(html, "ttm_grr") == _pct(ttm["grr"])


def _write(build, out: Path, *args: str):
    return subprocess.run(
        [sys.executable, "-m", "nrr_engine.board_pack",
         "--duckdb-path", str(build.warehouse), "--out", str(out), *args],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def test_an_earlier_month_equals_the_reference(pack, reference, tmp_path):
    book, as_of = reference
    month = ref.add_months(ref.month_start(as_of), -6)
    result = _write(pack["build"], tmp_path, "--as-of", f"{month:%Y-%m}")
    assert result.returncode == 0, result.stdout + result.stderr
    html = (tmp_path / f"board_pack_{month:%Y-%m}.html").read_text(encoding="utf-8")
    assert _figure(html, "as_of_month") == f"{month:%Y-%m}"
    assert _figure(html, "ending_arr") == _usd(ref.total_month_arr(book, as_of)[month])
    ttm = {r["as_of_month"]: r for r in ref.retention(book, as_of, 12)}[month]
    assert _figure(html, "ttm_nrr") == _pct(ttm["nrr"])
    assert (tmp_path / f"board_pack_{month:%Y-%m}.pdf").stat().st_size > 0


def test_a_month_after_the_marts_is_refused(pack, reference, tmp_path):
    _book, as_of = reference
    later = ref.add_months(ref.month_start(as_of), 1)
    result = _write(pack["build"], tmp_path, "--as-of", f"{later:%Y-%m}")
    assert result.returncode == 2
    assert "is after the latest TTM month" in result.stderr
    assert list(tmp_path.iterdir()) == []
    missing = _write(pack["build"], tmp_path, "--duckdb-path", str(tmp_path / "none.duckdb"))
    assert missing.returncode == 2 and "no warehouse at" in missing.stderr


def test_pack_holds_every_section(pack):
    html = pack["html"]
    for section in ["diagnosis", "waterfall", "retention", "cohorts", "health", "churn-timing",
                    "renewals", "scorecard", "leading-indicators", "recovery-plan"]:  # fmt: skip
        assert f'<section id="{section}">' in html, section
    assert "docs/definitions.md" in html
    # Waterfall, trend, heatmap, health, churn timing: five charts at least.
    assert html.count('<div class="chart"><svg') >= 5


def test_html_fetches_nothing(pack):
    html = pack["html"]
    assert not re.search(r"https?://", html), re.findall(r"https?://[^\s\"'<>]*", html)[:5]
    assert not re.search(r"\ssrc\s*=", html)
    assert not re.search(r"<link\b", html)
    # url() only to the page's own fragments (an SVG gradient: url(#gradient_0)).
    for target in re.findall(r"url\(([^)]*)\)", html):
        assert target.strip("'\" ").startswith("#"), target
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith("#"), href


def _pdf_pages(data: bytes) -> int:
    """Page objects of a PDF, in its plain text and in its compressed object streams."""
    texts = [data]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            texts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", text)) for text in texts)


def test_pdf_has_pages(pack):
    data = pack["pdf_path"].read_bytes()
    assert data.startswith(b"%PDF-")
    assert _pdf_pages(data) >= 2


def _tables(build) -> set[str]:
    return {name for (name,) in build.query("select table_name from information_schema.tables")}


def test_an_absent_optional_mart_is_named_not_built(pack, tmp_path):
    """A warehouse built before the diagnosis existed: the pack names each absent mart in its
    section and computes nothing in its place."""
    warehouse = tmp_path / "without_diagnosis.duckdb"
    shutil.copy(pack["build"].warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_name in ({', '.join('?' for _ in OPTIONAL_MARTS)})",
            OPTIONAL_MARTS,
        ).fetchall():
            con.execute(f'drop table "{schema}"."{name}"')
    out = tmp_path / "pack"
    result = _write(pack["build"], out, "--duckdb-path", str(warehouse))
    assert result.returncode == 0, result.stdout + result.stderr
    (html_path,) = out.glob("board_pack_*.html")
    html = html_path.read_text(encoding="utf-8")
    for mart in OPTIONAL_MARTS:
        assert f'data-missing="{mart}"' in html
        assert f"{mart}: not built in this warehouse." in html


@pytest.mark.parametrize("mart", OPTIONAL_MARTS)
def test_optional_marts_rendered_when_built(pack, mart):
    html = pack["html"]
    build = pack["build"]
    assert mart in _tables(build)
    assert f'data-missing="{mart}"' not in html
    schema = build.query(
        "select table_schema from information_schema.tables where table_name = ?", [mart]
    )[0][0]
    month = _figure(html, "as_of_month") + "-01"
    # the latest rows at or before the pack's month (the diagnosis is made per complete quarter)
    (latest,) = build.query(
        f"select max(as_of_month) from {schema}.{mart} where as_of_month <= cast(? as date)",
        [month],
    )[0]
    assert latest is not None, f"{mart} has no rows at or before {month}"
    month = latest.isoformat()
    if mart == "fct_nrr_diagnosis":
        assert _figure(html, "diagnosis_as_of_month") == month[:7]
        statements = build.query(
            f"select distinct diagnosis_statement from {schema}.{mart} "
            "where as_of_month = cast(? as date)",
            [month],
        )
        assert len(statements) == 1, statements
        import html as html_lib

        assert _figure(html, "diagnosis_statement") == html_lib.escape(statements[0][0])
    else:
        keys = build.query(
            f"select metric_key from {schema}.{mart} where as_of_month = cast(? as date)", [month]
        )
        assert keys
        for (key,) in keys:
            _figure(html, f"scorecard_{key}")


# ------------------------------------------------------------------------------------------
# Headless Chromium
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium():
    path = shutil.which("chromium")
    if path is None and os.geteuid() == 0:
        subprocess.run(["apt-get", "update"], check=True, capture_output=True, timeout=600)
        subprocess.run(
            ["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
            check=True, capture_output=True, timeout=1200,
        )  # fmt: skip
        path = shutil.which("chromium")
    if path is None:
        pytest.skip("chromium is not installed and cannot be (not root): run make chromium-install")
    return path


def _run_chromium(chromium: str, page: Path, tmp_path: Path, *args: str):
    profile = tmp_path / f"profile_{len(list(tmp_path.iterdir()))}"
    profile.mkdir()
    return subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def test_console_check_catches_an_error(chromium, tmp_path):
    """The console check can fail: a page that throws is caught."""
    page = tmp_path / "throws.html"
    page.write_text('<html><body><script>throw new Error("planted")</script></body></html>')
    result = _run_chromium(chromium, page, tmp_path, "--dump-dom")
    assert any("planted" in line for line in _console(result.stderr)), result.stderr[-3000:]


def test_chromium_draws_every_chart(pack, chromium, tmp_path):
    result = _run_chromium(chromium, pack["html_path"], tmp_path, "--dump-dom")
    assert result.returncode == 0, result.stderr[-3000:]
    assert _console(result.stderr) == []
    dom = result.stdout
    charts = re.findall(r'<div class="chart">(.*?)</svg>', dom, re.S)
    assert len(charts) == pack["html"].count('<div class="chart"><svg')
    assert len(charts) >= 5
    for chart in charts:
        width = re.search(r'<svg[^>]*\swidth="([\d.]+)"', chart)
        assert width and float(width.group(1)) > 0, chart[:300]
        # Vega's marks: at least one mark group with a drawn shape in it.
        marks = re.findall(r'class="mark-(?:rect|line|symbol|text)[^"]*"(.*?)</g>', chart, re.S)
        assert any(re.search(r"<(path|rect|text)\b", m) for m in marks), chart[:300]


def test_chromium_screenshot_is_not_blank(pack, chromium, tmp_path):
    from PIL import Image, ImageStat

    shot = tmp_path / "board_pack.png"
    result = _run_chromium(
        chromium, pack["html_path"], tmp_path, "--window-size=1200,3000", f"--screenshot={shot}"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert _console(result.stderr) == []
    with Image.open(shot) as image:
        assert image.size == (1200, 3000)
        rgb = image.convert("RGB")
        spread = ImageStat.Stat(rgb).stddev
        colours = rgb.getcolors(maxcolors=1 << 20)
    assert min(spread) > 10, spread
    assert colours is None or len(colours) > 50
    saved = pack["html_path"].with_suffix(".png")
    shutil.copyfile(shot, saved)
    assert saved.stat().st_size > 10_000
