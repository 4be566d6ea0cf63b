"""The weekly digest as a picture: the support figures of the last weeks drawn as a PNG.

The figures come from the digest (`DigestMaker.chart`); this module only draws them, with
matplotlib's Agg backend (no screen needed). matplotlib is imported when a chart is drawn, never
when the core starts. A running bot draws in a separate process (`draw_apart`): a drawing takes
a second or so of CPU that would otherwise hold up the event loop, and the import would keep
some 40 MB in the bot's memory for a picture made once a week. `python -m bot.ops.chart` is that
process: the chart as JSON on stdin, the PNG on stdout.
"""

from __future__ import annotations

import asyncio
import io
import json
import sys
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.texts import CHART_TEXTS

DRAW_TIMEOUT = 120  # seconds; a first drawing builds matplotlib's font cache
LEGEND_ROOM = 1.3  # bar charts reach this high, so that the legend above the bars stays clear


class ChartError(Exception):
    """The chart could not be drawn (the message says why)."""


@dataclass(frozen=True)
class WeekFigures:
    """One week of support as the chart shows it."""

    week: str  # the ISO week, "2026-48"
    starts: str  # its Monday, "2026-11-23"
    questions: dict[str, int]  # area name -> questions asked that week
    answered: int  # of them, answered by the bot from the FAQ
    opened: int  # escalations opened that week
    closed: int  # escalations closed that week
    hours_to_answer: float | None  # median, opening to answer, of those answered that week

    @property
    def asked(self) -> int:
        return sum(self.questions.values())

    @property
    def answered_share(self) -> float | None:
        return self.answered / self.asked if self.asked else None

    @property
    def label(self) -> str:
        return CHART_TEXTS["week_label"].format(week=int(self.week.split("-")[1]))


@dataclass(frozen=True)
class SupportChart:
    """The last weeks' support figures, oldest week first, and the chart's title."""

    title: str
    weeks: list[WeekFigures] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing happened in any of the weeks: a chart would show only zeros."""
        return not any(w.asked or w.opened or w.closed for w in self.weeks)

    @property
    def filename(self) -> str:
        return f"support-{self.weeks[0].week}-{self.weeks[-1].week}.png" if self.weeks else ""

    @property
    def description(self) -> str:
        """What the chart shows in words (Slack's alt text, the PNG's description)."""
        return CHART_TEXTS["alt"].format(title=self.title)

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "weeks": [asdict(w) for w in self.weeks]}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> SupportChart:
        return cls(str(values["title"]), [WeekFigures(**w) for w in values["weeks"]])


def draw(chart: SupportChart) -> bytes:
    """The chart as a PNG: questions per area, the share the bot answered, escalations opened
    and closed, and the median time to answer, one bar or point per week."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    texts = CHART_TEXTS
    labels = [w.label for w in chart.weeks]
    places = list(range(len(chart.weeks)))
    figure = Figure(figsize=(11, 7.5), dpi=100, layout="constrained")
    figure.suptitle(chart.title, fontsize=14)
    (per_area, share), (escalations, answer_time) = figure.subplots(2, 2)

    areas = list(dict.fromkeys(area for w in chart.weeks for area in w.questions))
    below = [0] * len(places)
    for area in areas:
        counts = [w.questions.get(area, 0) for w in chart.weeks]
        per_area.bar(places, counts, bottom=below, label=area)
        below = [b + c for b, c in zip(below, counts, strict=True)]
    per_area.set_title(texts["per_area"])
    if areas:
        per_area.legend(fontsize=8, loc="upper left")

    shares = [w.answered_share for w in chart.weeks]
    share.plot(places, [s if s is not None else float("nan") for s in shares], marker="o")
    share.set_ylim(0, 1.05)
    share.yaxis.set_major_formatter(PercentFormatter(1.0))
    share.set_title(texts["answered_share"])

    width = 0.4
    escalations.bar(
        [p - width / 2 for p in places],
        [w.opened for w in chart.weeks],
        width,
        label=texts["opened"],
    )
    escalations.bar(
        [p + width / 2 for p in places],
        [w.closed for w in chart.weeks],
        width,
        label=texts["closed"],
    )
    escalations.set_title(texts["escalations"])
    escalations.legend(fontsize=8, loc="upper left")

    hours = [w.hours_to_answer for w in chart.weeks]
    answer_time.plot(places, [h if h is not None else float("nan") for h in hours], marker="o")
    answer_time.set_ylim(0, max((h for h in hours if h is not None), default=1) * 1.1)
    answer_time.set_title(texts["hours_to_answer"])
    moved = [w.opened + w.closed or None for w in chart.weeks]
    for axes, values in ((share, shares), (escalations, moved), (answer_time, hours)):
        if all(value is None for value in values):
            axes.text(
                0.5, 0.5, texts["nothing"], transform=axes.transAxes, ha="center", color="gray"
            )

    for axes in (per_area, escalations):
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylim(0, max(axes.get_ylim()[1], 1) * LEGEND_ROOM)
    for axes in (per_area, share, escalations, answer_time):
        axes.set_xticks(places, labels, fontsize=8)
        axes.set_xlim(-0.6, len(places) - 0.4)
        axes.grid(axis="y", alpha=0.3)
    out = io.BytesIO()
    weeks = ",".join(w.week for w in chart.weeks)
    metadata = {"Title": chart.title, "Description": chart.description, "Comment": weeks}
    figure.savefig(out, format="png", metadata=metadata)
    return out.getvalue()


async def draw_apart(chart: SupportChart) -> bytes:
    """`draw` in a separate Python process, so the running bot neither waits for it nor keeps
    matplotlib in its memory."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.ops.chart",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    given = json.dumps(chart.as_dict(), ensure_ascii=False).encode()
    try:
        png, errors = await asyncio.wait_for(process.communicate(given), DRAW_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise ChartError(f"drawing the chart took more than {DRAW_TIMEOUT} s") from None
    if process.returncode != 0:
        why = errors.decode(errors="replace").strip().splitlines()
        raise ChartError(why[-1] if why else f"the drawing process exited {process.returncode}")
    return png


def main() -> int:
    chart = SupportChart.from_dict(json.load(sys.stdin))
    sys.stdout.buffer.write(draw(chart))
    return 0


if __name__ == "__main__":
    sys.exit(main())
