"""Dates and times as a district's people read them: in the district's zone (activated per request by
assetlens.tenancy) and in the reader's language, with the zone named so nobody has to guess it."""

from datetime import datetime

from django.utils import dateformat, timezone
from django.utils.translation import pgettext


def moment_format() -> str:
    """The pattern for the active language, read once per page and reused for every row."""
    # Translators: PHP date() letters. j day, M/b month (Dec / dic), Y year, H:i 24-hour time, T zone (CET).
    return pgettext("date and time with its time zone", "j M Y, H:i T")


def moment(value: datetime, pattern: str | None = None) -> str:
    """"3 Dec 2026, 07:28 CET" in English, "3 dic 2026, 07:28 CET" in Spanish."""
    return dateformat.format(timezone.localtime(value), pattern or moment_format())
