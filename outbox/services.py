"""Queue email: render it in the recipient's language, keep it as a row, hand it to a worker after commit."""

from dataclasses import dataclass

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from assetlens.models import District

from . import tasks
from .models import OutgoingMail


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str
    html: str


def compose(template: str, context: dict[str, object], language: str) -> Letter:
    """`template` names three files: `<template>_subject.txt`, `<template>.txt` and `<template>.html`."""
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context).strip() + "\n"
        html = render_to_string(f"{template}.html", {**context, "language": language})
    return Letter(subject=subject[:300], text=text, html=html)


def queue_mail(to: str, letter: Letter, *, kind: str, district: District | None = None,
               headers: dict[str, str] | None = None) -> OutgoingMail:
    mail = OutgoingMail.objects.create(district=district, kind=kind, to=to, subject=letter.subject,
                                       text=letter.text, html=letter.html, headers=headers or {})
    transaction.on_commit(lambda: tasks.enqueue_delivery(mail.pk))
    return mail
