"""The index explainer's interval: a fixed-width window from a start year, or a range dragged across the chart."""

from __future__ import annotations

import pandas as pd

WINDOW_CHOICES = (1, 2, 5, 10, 20)  # window widths on offer, in years


def years_label(width: float) -> str:
    """A width in words: ``"1 year"``, ``"2.5 years"``."""
    return f"{width:g} year" + ("" if width == 1 else "s")


def window_options(dragged: float | None = None) -> list[dict]:
    """The window widths on offer; a dragged width that is not one of them is added, labelled as dragged."""
    options = [{"label": years_label(n), "value": str(n)} for n in WINDOW_CHOICES]
    if dragged is not None and dragged not in WINDOW_CHOICES:
        options.append({"label": f"{years_label(dragged)} (dragged)", "value": f"{dragged:g}"})
    return options


def dragged_interval(start, end) -> dict:
    """A dragged x range (Plotly date strings) as an interval, with its width in years to one decimal."""
    start, end = sorted((pd.Timestamp(str(start)[:10]), pd.Timestamp(str(end)[:10])))
    width = max(0.1, round((end - start) / pd.Timedelta(days=365.25), 1))
    return {"start": str(start.date()), "end": str(end.date()), "years": width}


def window_interval(start_year: int, years: float) -> dict:
    """The window of ``years`` from 1 January of ``start_year``; whole years end on 31 December."""
    start = pd.Timestamp(year=start_year, month=1, day=1)
    if float(years).is_integer():
        end = start + pd.DateOffset(years=int(years)) - pd.Timedelta(days=1)
    else:
        end = start + pd.Timedelta(days=round(years * 365.25)) - pd.Timedelta(days=1)
    return {"start": str(start.date()), "end": str(end.date()), "years": float(years)}
