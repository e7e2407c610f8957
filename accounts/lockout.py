"""When sign-in waits, as plain arithmetic (no Django): an account's backoff and an address's window.

An account: the first FREE failures cost nothing; the next waits one minute, and each failure after that doubles
the wait, up to an hour (5 → 1 min, 6 → 2, 7 → 4, 8 → 8, 9 → 16, 10 → 32, 11 and more → 60). A day without a
failure forgets them. An address: LIMIT failures inside a 15-minute window pause new browsers there until the
window ends; browsers that signed in as the person before are not affected (see accounts.services).
"""

from datetime import datetime, timedelta

FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
FORGET_AFTER = timedelta(days=1)
ADDRESS_WINDOW = timedelta(minutes=15)


def account_wait(failures: int, free: int) -> timedelta:
    """How long after the latest failure the account waits, given how many failures it has."""
    if failures < free:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** (failures - free), LONGEST_WAIT)


def account_locked_until(failures: int, last_failure_at: datetime, free: int) -> datetime | None:
    wait = account_wait(failures, free)
    return last_failure_at + wait if wait else None


def forgotten(last_failure_at: datetime, now: datetime) -> bool:
    return now - last_failure_at >= FORGET_AFTER


def address_window_over(first_failure_at: datetime, now: datetime) -> bool:
    return now - first_failure_at >= ADDRESS_WINDOW


def address_locked_until(failures: int, first_failure_at: datetime, limit: int) -> datetime | None:
    return first_failure_at + ADDRESS_WINDOW if failures >= limit else None
