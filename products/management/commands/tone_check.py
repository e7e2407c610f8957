"""Lint files for deficit framing, like a code linter: `python manage.py tone_check FILE...`.

Reads .txt, .md and .html (and templates). Prints `file:line:col category message — try: suggestion` for each
finding, or with `--format json` one JSON document: {"files": [{"file", "findings": [...]}], "errors": [...]}.
Exit status: 0 when no deficit framing is found (strengths never fail), 1 when some is, 2 on bad usage or when a
file could not be read.
"""

import bisect
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from products import tone

MARKUP_SUFFIXES = {".html", ".htm", ".xhtml", ".djhtml", ".jinja", ".j2", ".svg", ".xml"}
MAX_BYTES = 50 * 1024 * 1024


def read_text(path):
    """The file's text, or raise ValueError with a message a person can act on."""
    p = Path(path)
    if not p.exists():
        raise ValueError("no such file")
    if p.is_dir():
        raise ValueError("is a folder; pass the files inside it (e.g. templates/**/*.html)")
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise ValueError(f"is {size // (1024 * 1024)} MB; tone_check reads files up to 50 MB")
        data = p.read_bytes()
    except PermissionError as exc:
        raise ValueError("cannot be read (permission denied)") from exc
    except OSError as exc:
        raise ValueError(f"cannot be read ({exc.strerror or exc})") from exc
    if b"\x00" in data[:8192]:
        raise ValueError("looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"is not UTF-8 text (byte {exc.start})") from exc


def line_col(line_starts, offset):
    line = bisect.bisect_right(line_starts, offset)
    return line, offset - line_starts[line - 1] + 1


def shown_phrase(finding):
    """The phrase as a reader sees it: in an HTML file, without its tags and with entities decoded."""
    if "<" in finding.matched or "&" in finding.matched:
        return " ".join(tone.strip_markup(finding.matched)[0].split())
    return " ".join(finding.matched.split())


def format_finding(path, line_starts, finding):
    line, col = line_col(line_starts, finding.start)
    suggestion = f" — try: {finding.suggestions[0]}" if finding.suggestions else ""
    return f"{path}:{line}:{col} {finding.category} {finding.message}: “{shown_phrase(finding)}”{suggestion}"


def finding_json(path, line_starts, finding):
    line, col = line_col(line_starts, finding.start)
    return {"file": str(path), "line": line, "col": col, "category": finding.category, "rule": finding.rule_id,
            "severity": finding.severity, "message": finding.message, "phrase": shown_phrase(finding),
            "suggestions": list(finding.suggestions), "start": finding.start, "end": finding.end}


class Command(BaseCommand):
    help = "Check files for deficit framing. Exit 1 when any is found, 2 when a file cannot be read."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--strengths", action="store_true", help="also list asset-based phrases found")
        parser.add_argument("--plain", action="store_true", help="read every file as plain text, even HTML")
        parser.add_argument("--format", choices=("text", "json"), default="text", dest="output",
                            help="text: one file:line:col line per finding (default); json: one JSON document")

    def handle(self, *args, files, strengths, plain, output, **options):
        rules = tone.load_rules()
        deficit_count = unreadable = 0
        report: dict = {"files": [], "errors": []}
        for path in files:
            try:
                text = read_text(path)
            except ValueError as exc:
                if output == "json":
                    report["errors"].append({"file": str(path), "error": str(exc)})
                self.stderr.write(f"{path}: {exc}")
                unreadable += 1
                continue
            # .txt and .md: read as HTML only if they carry some (Markdown may hold inline HTML).
            markup = "plain" if plain else ("html" if Path(path).suffix.lower() in MARKUP_SUFFIXES else "auto")
            result = tone.analyse(text, markup=markup, rules=rules)
            line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
            shown = sorted(result.findings + (result.strengths if strengths else []), key=lambda f: f.start)
            if output == "json":
                report["files"].append({"file": str(path), "findings": [
                    finding_json(path, line_starts, f) for f in shown]})
            else:
                for finding in shown:
                    self.stdout.write(format_finding(path, line_starts, finding))
            deficit_count += len(result.findings)
        checked = len(files) - unreadable
        summary = f"{checked} file(s) checked, {deficit_count} finding(s) of deficit framing"
        if output == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        (self.stderr if deficit_count or unreadable or output == "json" else self.stdout).write(summary)
        if unreadable:
            raise CommandError(f"{unreadable} file(s) could not be read", returncode=2)
        if deficit_count:
            sys.exit(1)
