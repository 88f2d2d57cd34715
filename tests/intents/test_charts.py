"""Charts: PNG files of Slack's preview size with alt text, drawn only when there is
something to draw; matplotlib is loaded only by drawing."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

from intents.charts import (
    BudgetBar,
    EndpointSeries,
    ForecastDay,
    budget_chart,
    cost_chart,
    endpoint_chart,
)
from intents.reply import md
from intents.tables import csv_file, cut, more_line

PNG = b"\x89PNG\r\n\x1a\n"


def _size(png: bytes) -> tuple[int, int]:
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def test_importing_the_handlers_does_not_load_matplotlib() -> None:
    code = (
        "import sys, bot.app, intents, intents.charts;"
        "intents.registry();"
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_a_cost_chart_is_a_preview_sized_png_with_alt_text() -> None:
    days = [date(2026, 11, 1) + timedelta(days=i) for i in range(27)]
    chart = cost_chart(
        "Costs this month",
        days,
        [("Amazon SageMaker", [140.0] * 27), ("Other (9 services)", [50.0] * 27)],
        [
            ForecastDay(date(2026, 11, 28) + timedelta(days=i), 190.0, 170.0, 210.0)
            for i in range(3)
        ],
    )
    assert chart is not None and chart.content.startswith(PNG)
    assert _size(chart.content) == (1200, 600)
    assert chart.filename.endswith(".png") and chart.title == "Costs this month"
    assert "$5,130 in all" in chart.alt and "most from Amazon SageMaker" in chart.alt
    assert "forecast $570.00 more to Nov 30" in chart.alt


def test_charts_with_nothing_to_draw_are_not_made() -> None:
    assert cost_chart("x", [], []) is None
    assert cost_chart("x", [date(2026, 11, 1)], [("S3", [0.0])]) is None
    quiet = EndpointSeries([datetime(2026, 11, 27, tzinfo=UTC)], [0.0], [0.0], [0.0], [None])
    assert endpoint_chart("recsys-staging", quiet, window="last hour") is None
    assert budget_chart([BudgetBar("zero", 10.0, 0.0, None)]) is None


def test_endpoint_and_budget_charts() -> None:
    times = [datetime(2026, 11, 27, 11, tzinfo=UTC) + timedelta(minutes=5 * i) for i in range(12)]
    series = EndpointSeries(times, [600.0] * 12, [1.0] * 12, [30.0] * 12, [870.0] * 12)
    chart = endpoint_chart("fraud-detector-prod", series, window="last hour")
    assert chart is not None and _size(chart.content) == (1200, 600)
    assert "7,200 invocations, 360 5xx and 12 4xx errors" in chart.alt
    bars = budget_chart([BudgetBar("ml-platform-monthly", 4312.55, 5000.0, 5480.10)])
    assert bars is not None and "forecast over the limit: ml-platform-monthly" in bars.alt


def test_cut_lists_keep_whole_rows_and_count_the_rest() -> None:
    rows = [md("row {i} *bold*", i=i) for i in range(300)]
    shown = cut(rows, max_rows=25)
    assert len(shown.rows) == 25 and shown.more == 275 and shown.cut
    long_rows = [md("{x}", x="y" * 400) for _ in range(20)]
    assert sum(len(r) + 1 for r in cut(long_rows).rows) <= 2800
    assert str(more_line(1275, "jobs", attached="jobs.csv")) == (
        "…and 1,275 more jobs (the whole list is in jobs.csv)"
    )


def test_csv_keeps_formulas_as_text() -> None:
    f = csv_file("x.csv", ["name", "cost"], [["=HYPERLINK(1)", 2.5], ["ok, quoted", None]])
    assert f.content.decode() == 'name,cost\n\'=HYPERLINK(1),2.5\n"ok, quoted",\n'
    assert f.alt == "2 rows: name, cost"


def test_without_matplotlib_reports_are_text_only_and_say_so_once() -> None:
    code = (
        "import sys, logging; sys.modules['matplotlib'] = None\n"
        "logging.basicConfig(level=logging.WARNING, format='%(message)s')\n"
        "from datetime import date\n"
        "from intents.charts import cost_chart\n"
        "for _ in range(3):\n"
        "    assert cost_chart('x', [date(2026, 11, 1)], [('S3', [1.0])]) is None\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.count("matplotlib is not installed") == 1
