"""Drawing the charts with matplotlib (imported here only, on the first chart).

Agg backend through `Figure` + `FigureCanvasAgg` (no pyplot: no global state, no display).
matplotlib shapes Arabic and lays it out right to left by itself; reshaping it again
(arabic-reshaper, python-bidi) would break it. Right-to-left charts mirror the axes: labels
on the right, time running from right to left, legend markers after their text.

Drawn at 1152×648, twice Element's inline 576×324, with type large enough for that size.
Everything a label says arrives already translated (`OverlapText`, `FairnessText`): this
module runs in a worker thread and chooses no words.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from importlib import resources
from typing import Any

from domain.charts import FairnessChart, OverlapChart

WIDTH, HEIGHT = 1152, 648
_DPI = 100
_FONTS = ("NotoSansArabic-Regular.ttf", "NotoSansDevanagari-Regular.ttf")
# Latin first (DejaVu, matplotlib's own), then the bundled scripts, glyph by glyph.
_FAMILY = ["DejaVu Sans", "Noto Sans Arabic", "Noto Sans Devanagari"]
_COLOURS = {
    "work": "#7cc48b", "off": "#d9d9d9", "band": "#3b6fb6", "outside": "#c62828",
    "early": "#f2a33a", "late": "#c62828", "dayoff": "#8e6bbf", "inside": "#7cc48b",
    "grid": "#bdbdbd", "text": "#212121",
}
# matplotlib's font cache and text layout are not thread-safe: one chart at a time.
_lock = threading.Lock()
_ready = False


@dataclass(frozen=True)
class OverlapText:
    title: str
    axis: str  # "Hours in Bogotá (UTC−5)"
    labels: tuple[str, ...]  # a row label per member
    band_labels: tuple[str, ...]  # the option's poll number
    legend_work: str
    legend_off: str
    legend_option: str
    legend_outside: str
    note: str = ""  # under the title: the options on other days than the one drawn


@dataclass(frozen=True)
class FairnessText:
    title: str
    labels: tuple[str, ...]
    meetings_axis: str
    turns_axis: str
    inside: str
    early: str
    late: str
    off: str
    roles: tuple[str, ...]


def _setup() -> None:
    """Load matplotlib and the bundled fonts once."""
    global _ready
    if _ready:
        return
    from matplotlib import font_manager

    folder = resources.files("commands.charts") / "fonts"
    for name in _FONTS:
        with resources.as_file(folder / name) as path:
            font_manager.fontManager.addfont(str(path))
    _ready = True


def _figure() -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH / _DPI, HEIGHT / _DPI), dpi=_DPI)
    return figure, FigureCanvasAgg(figure)


def _png(canvas: Any) -> bytes:
    """The canvas as a 64-colour PNG: a third of the full-colour size, and looks the same."""
    from PIL import Image

    canvas.draw()
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba()).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
    return out.getvalue()


def _style() -> dict[Any, Any]:  # matplotlib types the keys as literals
    return {"font.family": _FAMILY, "font.size": 17, "axes.titlesize": 21,
            "axes.edgecolor": _COLOURS["grid"], "text.color": _COLOURS["text"],
            "axes.labelcolor": _COLOURS["text"], "xtick.color": _COLOURS["text"],
            "ytick.color": _COLOURS["text"], "svg.fonttype": "none"}


def overlap_png(chart: OverlapChart, text: OverlapText, rtl: bool) -> bytes:
    with _lock:
        _setup()
        from matplotlib import rc_context

        with rc_context(_style()):
            return _overlap(chart, text, rtl)


def fairness_png(chart: FairnessChart, text: FairnessText, rtl: bool) -> bytes:
    with _lock:
        _setup()
        from matplotlib import rc_context

        with rc_context(_style()):
            return _fairness(chart, text, rtl)


def _overlap(chart: OverlapChart, text: OverlapText, rtl: bool) -> bytes:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    figure, canvas = _figure()
    axes = figure.add_subplot()
    rows = len(chart.rows)
    hours = chart.length / 60
    for y, row in enumerate(chart.rows):
        axes.broken_barh([(s.start / 60, (s.end - s.start) / 60) for s in row.off],
                         (y - 0.36, 0.72), facecolors=_COLOURS["off"], hatch="//",
                         edgecolor="#9e9e9e", linewidth=0)
        axes.broken_barh([(s.start / 60, (s.end - s.start) / 60) for s in row.working],
                         (y - 0.36, 0.72), facecolors=_COLOURS["work"])
    # Options at the same time of day (on other days) share one band and one label.
    shared: dict[tuple[int, int], list[int]] = {}
    for k, band in enumerate(chart.bands):
        shared.setdefault((band.span.start, band.span.end), []).append(k)
    levels: list[tuple[float, float, int]] = []  # (centre, half width, level) of labels
    for (first, last), members in sorted(shared.items()):
        start, end = first / 60, last / 60
        same_day = any(chart.bands[k].on(chart.day) for k in members)
        axes.axvspan(start, end, facecolor=_COLOURS["band"],
                     alpha=0.18 if same_day else 0.07,
                     linestyle="-" if same_day else "--", linewidth=1.5,
                     edgecolor=_COLOURS["band"])
        label = "·".join(text.band_labels[k] for k in members)
        centre, half = (start + end) / 2, 0.25 * len(label) * hours / 24 + 0.3
        # A label that would touch its neighbour's goes one line up.
        taken = {lvl for c, h, lvl in levels if abs(c - centre) < h + half}
        level = min(set(range(3)) - taken or {0})
        levels.append((centre, half, level))
        axes.text(centre, -0.62 - 0.62 * level, label, ha="center", va="bottom",
                  fontsize=17, fontweight="bold", color="white",
                  bbox={"boxstyle": "round,pad=0.25", "facecolor": _COLOURS["band"],
                        "edgecolor": "none", "alpha": 1 if same_day else 0.6})
        outside = sorted({row for k in members for row in chart.bands[k].outside})
        if outside:
            axes.scatter([(start + end) / 2] * len(outside), outside, marker="X",
                         s=170, color=_COLOURS["outside"], edgecolors="white",
                         linewidths=1.2, zorder=5)
    axes.set_ylim(rows - 0.5, -0.62 - 0.62 * (max(lvl for *_x, lvl in levels) + 1))
    axes.set_xlim(0, hours)
    axes.set_yticks(range(rows), text.labels)
    ticks = [h for h in range(0, int(hours) + 1, 3)]
    axes.set_xticks(ticks, [f"{h % 24:02d}" for h in ticks])
    axes.set_xticks(range(int(hours) + 1), minor=True)
    axes.grid(axis="x", which="major", color=_COLOURS["grid"], linewidth=0.8)
    axes.grid(axis="x", which="minor", color=_COLOURS["grid"], linewidth=0.3)
    axes.set_axisbelow(True)
    axes.tick_params(axis="y", length=0)
    axes.set_xlabel(text.axis)
    # Title and note across the whole figure, from the reading side (labels included).
    x, align = (0.98, "right") if rtl else (0.02, "left")
    figure.text(x, 0.975, text.title, ha=align, va="top", fontsize=21)
    if text.note:
        figure.text(x, 0.915, text.note, ha=align, va="top", fontsize=15, color="#555555")
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    handles = [
        Patch(facecolor=_COLOURS["work"], label=text.legend_work),
        Patch(facecolor=_COLOURS["off"], hatch="//", edgecolor="#9e9e9e",
              label=text.legend_off),
        Patch(facecolor=_COLOURS["band"], alpha=0.35, label=text.legend_option),
        Line2D([], [], marker="X", linestyle="none", markersize=12,
               color=_COLOURS["outside"], label=text.legend_outside),
    ]
    if rtl:
        axes.yaxis.tick_right()
        axes.invert_xaxis()
    figure.legend(handles=handles, loc="lower center", ncols=4, frameon=False,
                  fontsize=15, markerfirst=not rtl, reverse=rtl,
                  bbox_to_anchor=(0.5, 0.0))
    figure.subplots_adjust(left=0.04 if rtl else 0.30, right=0.70 if rtl else 0.97,
                           top=0.84 if text.note else 0.89, bottom=0.22)
    return _png(canvas)


def _fairness(chart: FairnessChart, text: FairnessText, rtl: bool) -> bytes:
    figure, canvas = _figure()
    with_turns = any(any(r.turns) for r in chart.rows) and chart.roles
    grid = figure.add_gridspec(1, 2, width_ratios=(3, 2) if with_turns else (1, 0.001),
                               wspace=0.15)
    left, right = (1, 0) if rtl else (0, 1)
    meetings = figure.add_subplot(grid[0, left])
    rows = len(chart.rows)
    ys = list(range(rows))
    before = [0] * rows
    for key, label in (("inside", text.inside), ("early", text.early), ("late", text.late),
                       ("off", text.off)):
        values = [getattr(r, key) for r in chart.rows]
        meetings.barh(ys, values, left=before, height=0.7, color=_COLOURS[
            "dayoff" if key == "off" else key], label=label)
        before = [b + v for b, v in zip(before, values, strict=True)]
    meetings.set_ylim(rows - 0.5, -0.5)
    meetings.set_yticks(ys, text.labels)
    meetings.tick_params(axis="y", length=0)
    meetings.set_xlabel(text.meetings_axis)
    meetings.xaxis.get_major_locator().set_params(integer=True)
    meetings.grid(axis="x", color=_COLOURS["grid"], linewidth=0.6)
    meetings.set_axisbelow(True)
    for side in ("top", "right", "left"):
        meetings.spines[side].set_visible(False)
    if rtl:
        meetings.yaxis.tick_right()
        meetings.invert_xaxis()
    handles, labels = meetings.get_legend_handles_labels()
    if with_turns:
        turns = figure.add_subplot(grid[0, right], sharey=meetings)
        count = len(chart.roles)
        height = 0.7 / count
        palette = ["#5c6bc0", "#26a69a", "#ffb300", "#8d6e63", "#ec407a"]
        for k, role in enumerate(text.roles):
            offset = -0.35 + height * (k + 0.5)
            turns.barh([y + offset for y in ys], [r.turns[k] for r in chart.rows],
                       height=height, color=palette[k % len(palette)], label=role)
        turns.tick_params(axis="y", left=False, right=False, labelleft=False,
                          labelright=False)
        turns.set_xlabel(text.turns_axis)
        turns.xaxis.get_major_locator().set_params(integer=True)
        turns.grid(axis="x", color=_COLOURS["grid"], linewidth=0.6)
        turns.set_axisbelow(True)
        for side in ("top", "right", "left"):
            turns.spines[side].set_visible(False)
        if rtl:
            turns.invert_xaxis()
        more_handles, more_labels = turns.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + more_labels
    figure.text(0.98 if rtl else 0.02, 0.975, text.title, ha="right" if rtl else "left",
                va="top", fontsize=21)
    figure.legend(handles, labels, loc="lower center", ncols=min(len(labels), 7),
                  frameon=False, fontsize=14, markerfirst=not rtl, reverse=rtl,
                  bbox_to_anchor=(0.5, 0.0), handlelength=1.2, columnspacing=1.0)
    figure.subplots_adjust(left=0.03 if rtl else 0.25, right=0.75 if rtl else 0.97,
                           top=0.89, bottom=0.22)
    return _png(canvas)
