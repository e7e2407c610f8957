"""Measure the tone rules: precision and recall for deficit framing on a labelled corpus, and throughput."""

import time

from django.core.management.base import BaseCommand, CommandError

from products import tone


class Command(BaseCommand):
    help = "Print precision/recall of the tone rules on a labelled corpus (TSV) and throughput in KB/s."

    def add_arguments(self, parser):
        parser.add_argument("--corpus", default=str(tone.CORPUS_PATH), help="label<TAB>language<TAB>sentence file")
        parser.add_argument("--size-mb", type=float, default=5.0, help="size of the synthetic throughput text")
        parser.add_argument("--show-errors", action="store_true", help="list misses and false alarms")

    def handle(self, *args, corpus, size_mb, show_errors, **options):
        try:
            rows = tone.read_corpus(corpus)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Could not read the corpus {corpus}: {exc}") from exc
        if not rows:
            raise CommandError(f"The corpus {corpus} has no sentences.")
        rules = tone.load_rules()
        report = tone.evaluate(rows, rules)
        out = self.stdout.write
        out(f"corpus: {corpus} ({len(rows)} sentences)")
        out(f"deficit class: precision {report['precision']:.3f}  recall {report['recall']:.3f}  "
            f"(tp {report['tp']}, fp {report['fp']}, fn {report['fn']}, tn {report['tn']})")
        out("confusion (true label → flagged as deficit / not flagged):")
        for label, counts in report["confusion"].items():
            out(f"  {label:8} flagged {counts['flagged']:4}   clear {counts['clear']:4}")
        if show_errors:
            for sentence in report["misses"]:
                out(f"  missed: {sentence}")
            for sentence, matched in report["false_alarms"]:
                out(f"  false alarm: {sentence}  ← {matched}")

        # Throughput: the corpus repeated into paragraphs up to the requested size, read in one call.
        paragraph = "\n".join(sentence for _label, _lang, sentence in rows) + "\n\n"
        repeats = max(1, int(size_mb * 1024 * 1024 / len(paragraph.encode("utf-8"))))
        text = paragraph * repeats
        size_kb = len(text.encode("utf-8")) / 1024
        started = time.perf_counter()
        result = tone.analyse(text, markup="plain", rules=rules)
        elapsed = time.perf_counter() - started
        out(f"throughput: {size_kb:,.0f} KB in {elapsed:.2f} s = {size_kb / elapsed:,.0f} KB/s "
            f"({len(result.findings):,} findings, {len(result.strengths):,} strengths)")
