"""Measure the copy reader: on the held-out sentences (--held-out), or precision/recall on a labelled corpus and
throughput (the default, as before)."""

import time

from django.core.management.base import BaseCommand, CommandError

from products import tone, tone_evaluation


def _pct(value):
    return "  n/a" if value is None else f"{value:.3f}"


class Command(BaseCommand):
    help = ("Print precision/recall of the copy reader. --held-out: on sentences from sites it was never tuned on "
            "(products/data/tone_eval/test.tsv), with the false-positive rate on ordinary sentences and corpus sizes.")

    def add_arguments(self, parser):
        parser.add_argument("--corpus", default=str(tone.CORPUS_PATH), help="label<TAB>language<TAB>sentence file")
        parser.add_argument("--size-mb", type=float, default=5.0, help="size of the synthetic throughput text")
        parser.add_argument("--show-errors", action="store_true",
                            help="list misses and false alarms (with --held-out: of the tuning set only)")
        parser.add_argument("--held-out", action="store_true",
                            help="measure on the held-out test sources (and show the tuning figures beside them)")

    def handle(self, *args, corpus, size_mb, show_errors, held_out, **options):
        if held_out:
            return self.held_out(show_errors)
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

    def held_out(self, show_errors):
        try:
            tuning = tone_evaluation.read_rows(tone_evaluation.TUNING_PATH)
            test = tone_evaluation.read_rows(tone_evaluation.TEST_PATH)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Could not read the evaluation sentences: {exc}") from exc
        overlap = tone_evaluation.overlapping_sites(tuning, test)
        if overlap:
            raise CommandError(f"Tuning and test share sources, so the figures would mean nothing: {sorted(overlap)}")
        rules = tone.load_rules()

        def reader(sentence):
            return tone.flags(tone.analyse(sentence, rules=rules))

        out = self.stdout.write
        out(f"copy reader, rules version {tone.rules_version()}")
        for name, rows in (("test (held out)", test), ("tuning", tuning)):
            report = tone_evaluation.score(rows, reader)
            langs = ", ".join(f"{k} {v}" for k, v in report["languages"].items())
            out(f"\n{name}: {report['sentences']} sentences from {report['sites']} sites ({langs})")
            for cls, c in report["classes"].items():
                out(f"  {cls:9} precision {_pct(c['precision'])}  recall {_pct(c['recall'])}  "
                    f"(tp {c['tp']}, fp {c['fp']}, fn {c['fn']}; {c['support']} {cls} sentences)")
            kinds = ", ".join(f"{k} {v['caught']}/{v['total']}" for k, v in report["pressure_kinds"].items())
            out(f"  pressure caught by kind: {kinds}")
            o = report["ordinary"]
            out(f"  ordinary sentences flagged: {o['flagged']}/{o['total']} = {_pct(o['rate'])}")
        if show_errors:
            # Only the tuning set: reading the test set's errors while changing the reader would make it tuning.
            out("\ntuning-set disagreements (label → found):")
            for row, found in tone_evaluation.errors(tuning, reader):
                out(f"  {','.join(sorted(row.labels))} → {','.join(sorted(found)) or 'nothing'}: {row.sentence}")
