"""How fast the copy reader reads: `python manage.py tone_bench [--size-kb 200] [--html] [FILE]`.

Prints sentences per second and KB per second for plain text and, with --html, the same copy as a web page (so
the HTML parser's share shows). Not asserted anywhere: a figure to watch, not a test. The copy is the labelled
corpus's sentences repeated (or FILE), so it has the density of findings real copy has.
"""

import re
import time
from html import escape
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from products import tone

SAMPLE = [
    "We celebrate the languages and stories every family brings.",
    "Don't let your child fall behind this summer!",
    "Only 3 spots left at this price.",
    "Struggling readers lose ground every week without help.",
    "Students build on what they already know, at their own pace.",
    "Our at-risk students meet with a tutor twice a week.",
]
SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


def corpus_sentences() -> list[str]:
    try:
        rows = tone.read_corpus()
    except (OSError, ValueError):
        return SAMPLE
    return [row[-1] for row in rows] or SAMPLE


class Command(BaseCommand):
    help = "Print the copy reader's throughput (sentences/s and KB/s) on plain text and on HTML."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="read this file instead of the built-in copy")
        parser.add_argument("--size-kb", type=float, default=200.0, help="how much copy to read (default 200 KB)")
        parser.add_argument("--html", action="store_true", help="also read the copy as a saved web page")
        parser.add_argument("--repeat", type=int, default=3, help="runs per measure; the fastest is reported")

    def handle(self, *args, file, size_kb, html, repeat, **options):
        if file:
            try:
                text = Path(file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"{file}: cannot be read ({exc})", returncode=2) from exc
        else:
            sentences = corpus_sentences()
            paragraphs, size, i = [], 0, 0
            while size < size_kb * 1024:
                paragraph = " ".join(sentences[(i + k) % len(sentences)] for k in range(4))
                paragraphs.append(paragraph)
                size += len(paragraph.encode()) + 2
                i += 4
            text = "\n\n".join(paragraphs)
        rules = tone.load_rules()
        tone.analyse("warm up the rules' compiled patterns", rules=rules)
        runs = [("plain text", text, "plain")]
        if html:
            page = ("<!DOCTYPE html><html><head><title>Copy</title><style>p{margin:0}</style></head><body>"
                    + "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n")) + "</body></html>")
            runs.append(("web page", page, "html"))
        sentences_in = sum(1 for m in SENTENCE.finditer(text) if m.group().strip())
        for name, copy, markup in runs:
            best = None
            for _ in range(max(1, repeat)):
                started = time.perf_counter()
                result = tone.analyse(copy, markup=markup, rules=rules)
                elapsed = time.perf_counter() - started
                best = elapsed if best is None else min(best, elapsed)
            kb = len(copy.encode()) / 1024
            seconds = best or 1e-9
            self.stdout.write(
                f"{name}: {kb:,.0f} KB, {sentences_in:,} sentences, {len(result.findings):,} findings, "
                f"{len(result.strengths):,} strengths in {seconds:.3f} s = {sentences_in / seconds:,.0f} sentences/s, "
                f"{kb / seconds:,.0f} KB/s")
