"""Dates and times as a district's people read them: in the district's zone (activated per request by
assetlens.tenancy) and in the reader's language, with the zone named so nobody has to guess it."""

from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache

from django.utils import dateformat, timezone
from django.utils.dateformat import DateFormat, re_escaped, re_formatchars
from django.utils.translation import get_language, pgettext

MONTH_NAMES, DAY_NAMES = frozenset("bEFMN"), frozenset("Dl")  # dateformat's letters for names


def moment_format() -> str:
    """The pattern for the active language, read once per page and reused for every row."""
    # Translators: PHP date() letters. j day, M/b month (Dec / dic), Y year, H:i 24-hour time, T zone (CET).
    return pgettext("date and time with its time zone", "j M Y, H:i T")


def moment(value: datetime, pattern: str | None = None) -> str:
    """"3 Dec 2026, 07:28 CET" in English, "3 dic 2026, 07:28 CET" in Spanish."""
    return dateformat.format(timezone.localtime(value), pattern or moment_format())


def formatter(pattern: str) -> Callable[[datetime], str]:
    """`dateformat.format(value, pattern)` for a list's many values: the pattern is read once, not once a row
    (twenty rows spent two thirds of their formatting time reading the same pattern again)."""
    pieces = [(bool(i % 2), piece if i % 2 else re_escaped.sub(r"\1", piece))
              for i, piece in enumerate(re_formatchars.split(str(pattern))) if piece]
    # A month's or a weekday's name is translated once a list, not once a row (a translation a row was a third
    # of a row's formatting).
    named: dict[tuple[str, int], str] = {}

    def format_value(value: datetime) -> str:
        parts = DateFormat(value)
        text = []
        for special, piece in pieces:
            if not special:
                text.append(piece)
            elif piece in MONTH_NAMES or piece in DAY_NAMES:
                key = (piece, value.month if piece in MONTH_NAMES else value.weekday())
                if key not in named:
                    named[key] = str(getattr(parts, piece)())
                text.append(named[key])
            else:
                text.append(str(getattr(parts, piece)()))
        return "".join(text)

    return format_value


def list_moments(pattern: str) -> Callable[[datetime], tuple[str, str]]:
    """For a list's rows: each time as (ISO 8601 in the active zone, its text in `pattern`), kept by the time, the
    zone, the language and the pattern, which are all it depends on. A busy list shows mostly the rows it showed
    last time, so most of its times are formatted once, not once a view."""
    zone, language = timezone.get_current_timezone_name(), get_language()
    return lambda value: _moment(value, zone, language, pattern)


@lru_cache(maxsize=8192)
def _moment(value: datetime, zone: str, language: str, pattern: str) -> tuple[str, str]:
    local = timezone.localtime(value)  # in `zone`, the active one, as is `language`
    return local.isoformat(), _formatter(pattern, language)(local)


@lru_cache(maxsize=64)
def _formatter(pattern: str, language: str) -> Callable[[datetime], str]:
    return formatter(pattern)  # its month and day names are `language`'s


def aware(value: datetime) -> datetime:
    """A time read by a plain SQL statement as the ORM would give it: SQLite hands it naive (in UTC),
    PostgreSQL aware."""
    return timezone.make_aware(value, UTC) if timezone.is_naive(value) else value
