"""Work a worker holds under a lease: claimed once, kept alive by its progress, taken over when the lease runs out,
swept back to the queue by beat, and failed with a reason after a bounded number of tries.

Any model can be such work (comparison reports, tone readings; later mail or vendor page fetches) when it has
these columns: `status` (with a queued, a running and a failed value), `attempts` (claims so far), `queued_at`
(when it was last handed to the queue), `started_at` (the claim's stamp), `lease_until` and `failure_message`.

Why a lease and not a fixed age: a worker that is alive says so with every progress update, so a long build is
never taken away from it, and a build whose worker died (pool process killed, whole machine gone, database cut so
that it could not even hand the work back) is taken over as soon as its lease runs out, by a redelivered message
or by the sweep, whichever comes first. Every later write of the worker is conditioned on its claim's stamp, so a
worker that lost its lease (paused, partitioned) can never overwrite the one that took over.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone


@dataclass(frozen=True)
class Kind:
    """One kind of leased work: its model, its status values and its clock."""

    model: type[models.Model]
    queued: str = "queued"
    running: str = "running"
    failed: str = "failed"
    # Claims (each one a worker starting it) before the sweep gives up and marks it failed with a reason.
    max_attempts: int = 3

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=settings.ASSETLENS_LEASE_SECONDS)

    @property
    def patience(self) -> timedelta:
        """How long it may wait queued before the sweep hands it to the queue again (its message may be lost)."""
        return timedelta(seconds=settings.ASSETLENS_QUEUE_PATIENCE_SECONDS)


@dataclass(frozen=True)
class Claim:
    """What a worker holds: the row and the stamp of its claim (the fencing token for its later writes)."""

    pk: int
    stamp: datetime


@dataclass(frozen=True)
class Swept:
    requeued: list[int]
    failed: list[int]


class LeaseLost(Exception):
    """Another worker took this work over (our lease ran out); stop without writing anything more."""


def claim(kind: Kind, pk: int, **fields: Any) -> Claim | None:
    """queued → running for exactly one worker (a conditional UPDATE); running with a lapsed lease is taken over.
    None when someone holds a live lease on it, or it is ready or failed."""
    now = timezone.now()
    taken = kind.model._default_manager.filter(pk=pk).filter(
        Q(status=kind.queued) | Q(status=kind.running, lease_until__lt=now)
    ).update(status=kind.running, started_at=now, lease_until=now + kind.lease, attempts=F("attempts") + 1,
             **fields)
    return Claim(pk, now) if taken else None


def _held(kind: Kind, held: Claim) -> models.QuerySet:
    return kind.model._default_manager.filter(pk=held.pk, status=kind.running, started_at=held.stamp)


def renew(kind: Kind, held: Claim, **fields: Any) -> None:
    """Progress: extend the lease and write `fields`. Raises LeaseLost when another worker has taken over."""
    if not _held(kind, held).update(lease_until=timezone.now() + kind.lease, **fields):
        raise LeaseLost(f"{kind.model.__name__} {held.pk}")


def finish(kind: Kind, held: Claim, status: str, **fields: Any) -> bool:
    """running → `status` (ready, usually), only while this claim still holds it."""
    return bool(_held(kind, held).update(status=status, lease_until=None, **fields))


def release(kind: Kind, held: Claim, **fields: Any) -> bool:
    """running → queued, so a retry of the task can claim it again at once."""
    return bool(_held(kind, held).update(status=kind.queued, lease_until=None, queued_at=timezone.now(), **fields))


def fail(kind: Kind, pk: int, message: str, **fields: Any) -> bool:
    """Queued or running → failed with the reason people will read beside "Try again"."""
    return bool(kind.model._default_manager.filter(pk=pk, status__in=[kind.queued, kind.running]).update(
        status=kind.failed, lease_until=None, failure_message=message[:2000], **fields))


def _due(kind: Kind, now: datetime) -> Q:
    return (Q(status=kind.queued, queued_at__lt=now - kind.patience)
            | Q(status=kind.queued, queued_at__isnull=True)
            | Q(status=kind.running, lease_until__lt=now)
            | Q(status=kind.running, lease_until__isnull=True))


def try_again(kind: Kind, pk: int, enqueue: Callable[[int], None], **fields: Any) -> bool:
    """A person's "Try again": a failed one, or one waiting past patience, goes back to the queue with its attempts
    counted afresh. False when there is nothing to do (someone else did it, or it is being built)."""
    now = timezone.now()
    with transaction.atomic():
        taken = kind.model._default_manager.filter(pk=pk).filter(
            Q(status=kind.failed) | Q(status=kind.queued, queued_at__lt=now - kind.patience)
        ).update(status=kind.queued, queued_at=now, lease_until=None, attempts=0, failure_message="", **fields)
        if taken:
            transaction.on_commit(lambda: enqueue(pk))
    return bool(taken)


def sweep(kind: Kind, enqueue: Callable[[int], None], give_up: str, limit: int = 500,
          **requeued_fields: Any) -> Swept:
    """What beat runs: work queued past patience (its message lost with a Redis outage, or never sent) or running
    past its lease (its worker died) goes back to the queue; after `max_attempts` claims it is failed with
    `give_up` as the reason instead. Each row is moved with a conditional UPDATE, so two sweeps never both
    enqueue it, and a worker that claims it meanwhile keeps it."""
    now = timezone.now()
    manager = kind.model._default_manager
    due = list(manager.filter(_due(kind, now)).values_list("pk", "attempts")[:limit])
    requeued, failed = [], []
    for pk, attempts in due:
        still_due = manager.filter(_due(kind, now), pk=pk)
        if attempts >= kind.max_attempts:
            if still_due.update(status=kind.failed, lease_until=None, failure_message=give_up[:2000]):
                failed.append(pk)
        elif still_due.update(status=kind.queued, queued_at=now, lease_until=None, **requeued_fields):
            requeued.append(pk)
    for pk in requeued:
        enqueue(pk)
    return Swept(requeued, failed)
