"""Shared by the People tests: the link in an invitation email, and who is in a district."""

import re

from django.conf import settings

from tests.mailserver import body

LINK = re.compile(r"https?://\S+?/join/[A-Za-z0-9_-]+/")


def join_link(message) -> str:
    """The join link in an email's plain-text part, as the path a browser (or the test client) opens."""
    [link] = LINK.findall(body(message))
    assert link.startswith(settings.SITE_URL), link
    assert link in body(message, "html"), "the HTML part links to the same place"
    return link.removeprefix(settings.SITE_URL)


def invite_form(emails, role="leader", language="en", committees=()):
    return {"emails": emails, "role": role, "language": language, "committees": [c.pk for c in committees]}
