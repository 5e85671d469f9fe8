"""Publication dates as exports write them: ISO, RFC 2822, GDELT, and day/month orders.

Numeric dates such as ``12/05/2025`` are read day-first or month-first. The order is
settled once per file (:func:`detect_order`) from the values that admit only one
reading (a first number over 12 is a day), or given by the user.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from analysis.clean import parse_date_text

DateOrder = Literal["dayfirst", "monthfirst"]
ORDER_OPTIONS = "--dayfirst or --monthfirst"
"""The command-line options that settle the order, named in messages."""

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d])")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T?\d{4,6}(?:\.\d+)?Z?)?$")
"""GDELT's ``20250512T101500Z`` (DOC API ``seendate``) and ``20250512101500`` (event exports)."""
_NUMERIC = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\.?"
    r"(?:[ T,]+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}))?)?$"
)


def numeric_parts(value: str) -> tuple[int, int, int] | None:
    """The three numbers of a ``dd/mm/yyyy`` or ``mm/dd/yyyy`` date (with an optional time), else None."""
    m = _NUMERIC.match(value.strip())
    if not m:
        return None
    year = int(m.group(3))
    if len(m.group(3)) == 2:
        year += 2000
    return int(m.group(1)), int(m.group(2)), year


@dataclass(frozen=True)
class OrderFinding:
    """What the numeric dates of one file say about their order.

    Attributes:
        order: The order the values settle, or None when they do not.
        evidence: A value that settles it (e.g. ``25/04/2025`` for day-first).
        ambiguous: A value that could be read both ways, when no value settles the order.
        conflict: Two values that settle it in opposite ways (day-first, month-first).
    """

    order: DateOrder | None = None
    evidence: str | None = None
    ambiguous: str | None = None
    conflict: tuple[str, str] | None = None

    def refusal(self) -> str | None:
        """Why a file with these dates cannot be read without an order option, or None."""
        if self.conflict:
            return (f"dates are written both day-first ({self.conflict[0]!r}) and month-first "
                    f"({self.conflict[1]!r}); rerun with {ORDER_OPTIONS} to choose (dates in the "
                    "other order are then dropped)")
        if self.ambiguous:
            return (f"dates such as {self.ambiguous!r} can be read day-first or month-first and no date "
                    f"in the file settles it; rerun with {ORDER_OPTIONS}")
        return None


def detect_order(values: Iterable[str | None]) -> OrderFinding:
    """Settle the day/month order of the numeric dates among ``values``."""
    day_first = month_first = ambiguous = None
    for value in values:
        parts = numeric_parts(value) if value else None
        if parts is None:
            continue
        a, b, _ = parts
        if a > 12 >= b:
            day_first = day_first or value.strip()
        elif b > 12 >= a:
            month_first = month_first or value.strip()
        elif a != b and a <= 12 and b <= 12:
            ambiguous = ambiguous or value.strip()
    if day_first and month_first:
        return OrderFinding(conflict=(day_first, month_first))
    if day_first:
        return OrderFinding(order="dayfirst", evidence=day_first)
    if month_first:
        return OrderFinding(order="monthfirst", evidence=month_first)
    return OrderFinding(ambiguous=ambiguous)


class DateProblem(ValueError):
    """A date value that was read but is not a usable date; the message says why."""


def parse_date(value: str, *, order: DateOrder | None = None) -> date | None:
    """Read a publication date; None when the value is in no known form.

    Forms: ISO dates and timestamps with or without a zone (the date is taken as
    written, in the outlet's own time zone), ``2025/05/12``, GDELT's
    ``20250512T101500Z``, RFC 2822 (``Mon, 12 May 2025 10:15:00 +0000``),
    ``May 12, 2025``, ``12 May 2025`` and numeric ``12/05/2025``, ``12.05.2025``
    (read in ``order``; a value over 12 in the first place is always a day).

    Raises:
        DateProblem: for a value in a known form that is not a real date, or a numeric
            date whose order is unknown or contradicts ``order``.
    """
    value = value.strip()
    m = _ISO.match(value) or _COMPACT.match(value)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise DateProblem("is not a real date") from None
    parts = numeric_parts(value)
    if parts:
        a, b, year = parts
        if order is None:
            if a != b and a <= 12 and b <= 12:
                raise DateProblem(f"can be read day-first or month-first; use {ORDER_OPTIONS}")
            order = "dayfirst" if a > 12 else "monthfirst"
        day, month = (a, b) if order == "dayfirst" else (b, a)
        try:
            return date(year, month, day)
        except ValueError:
            if month > 12 and day <= 12:
                raise DateProblem(f"is not a {order.removesuffix('first')}-first date") from None
            raise DateProblem("is not a real date") from None
    when = parse_date_text(value)
    if when is not None:
        return when
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.date() if isinstance(parsed, datetime) else None
