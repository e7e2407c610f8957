"""`python manage.py tone_check FILE...`: a linter for deficit framing that districts can run on their own words."""

import json
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

LINE = re.compile(
    r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+) (?P<category>[a-z-]+) (?P<message>.+?) — try: (?P<try>.+)$")


def run(*args):
    """(exit code, stdout, stderr) as the shell would see them."""
    out, err = StringIO(), StringIO()
    try:
        call_command("tone_check", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    except Exception as exc:  # CommandError: Django's runner prints it and exits with its returncode
        err.write(str(exc))
        code = getattr(exc, "returncode", 1)
    return code, out.getvalue(), err.getvalue()


def test_findings_print_as_linter_lines_with_line_and_column(tmp_path):
    letter = tmp_path / "letter.txt"
    letter.write_text("Dear families,\nPlease don't let your child fall behind.\n", encoding="utf-8")
    code, out, _ = run(str(letter))
    lines = out.strip().splitlines()
    assert code == 1
    first, second = (LINE.match(line) for line in lines)
    # Line 2: "Please " is 7 characters, so "don't let your child" starts at column 8 and "fall behind" at 29.
    assert (first["line"], first["col"], first["category"]) == ("2", "8", "family-shame")
    assert (second["line"], second["col"], second["category"]) == ("2", "29", "urgency")
    assert first["file"] == str(letter) and first["try"]


def test_asset_based_copy_passes_with_exit_zero_and_strengths_do_not_fail(tmp_path):
    letter = tmp_path / "letter.txt"
    letter.write_text("We celebrate your child's progress and curiosity.", encoding="utf-8")
    code, out, err = run(str(letter), "--strengths")
    assert code == 0
    assert "strength" in out  # listed on request, never a failure
    assert "0 finding(s)" in out + err


def test_html_and_template_files_report_the_line_and_column_in_the_original_file(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<main>\n  <p class="lead">{% translate "Only 3 spots left!" %}</p>\n</main>\n', encoding="utf-8")
    code, out, _ = run(str(page))
    match = LINE.match(out.strip().splitlines()[0])
    assert code == 1
    # Line 2: two spaces, then '<p class="lead">' (16) and '{% translate "' (14): "Only" starts at column 33.
    assert (match["line"], match["col"], match["category"]) == ("2", "33", "scarcity")


def test_missing_folder_and_binary_files_get_clear_messages_and_exit_2_without_a_traceback(tmp_path):
    binary = tmp_path / "logo.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    latin = tmp_path / "old.txt"
    latin.write_bytes("Caf\xe9".encode("latin-1"))
    code, _, err = run(str(tmp_path / "nope.txt"), str(tmp_path), str(binary), str(latin))
    assert code == 2
    assert "nope.txt: no such file" in err
    assert "is a folder" in err
    assert "logo.png: looks like a binary file" in err
    assert "old.txt: is not UTF-8 text" in err
    assert "Traceback" not in err


def test_a_readable_file_with_findings_still_fails_when_another_is_missing(tmp_path):
    letter = tmp_path / "letter.txt"
    letter.write_text("Don't let your child fall behind.", encoding="utf-8")
    code, out, _ = run(str(letter), str(tmp_path / "missing.txt"))
    assert code == 2 and "letter.txt:1:1 family-shame" in out


def test_assetlens_own_templates_pass_tone_check():
    templates = sorted(str(p) for p in (Path(settings.BASE_DIR) / "templates").rglob("*.html"))
    assert templates
    code, out, err = run(*templates)
    assert code == 0, out + err


@pytest.mark.parametrize("command", ["tone_eval"])
def test_tone_eval_prints_precision_recall_and_throughput(command):
    out = StringIO()
    call_command(command, "--size-mb", "0.05", stdout=out)
    text = out.getvalue()
    precision, recall = map(float, re.search(r"precision ([\d.]+)\s+recall ([\d.]+)", text).groups())
    assert precision >= 0.9 and recall >= 0.85
    assert re.search(r"throughput: [\d,]+ KB in [\d.]+ s = [\d,]+ KB/s", text)


def test_from_the_shell_exit_codes_are_1_for_findings_and_2_for_unreadable_files(tmp_path):
    letter = tmp_path / "letter.txt"
    letter.write_text("Only 3 spots left!", encoding="utf-8")

    def shell(*args):
        return subprocess.run([sys.executable, "manage.py", "tone_check", *args], cwd=settings.BASE_DIR,
                              capture_output=True, text=True, timeout=120)

    found = shell(str(letter))
    assert found.returncode == 1 and f"{letter}:1:1 scarcity" in found.stdout
    missing = shell(str(tmp_path / "missing.txt"))
    assert missing.returncode == 2 and "no such file" in missing.stderr and "Traceback" not in missing.stderr


# --- Markdown, HTML with entities, JSON output, bad usage (issue 18, item 9) -------------------------------

def test_markdown_letters_are_read_with_line_and_column(tmp_path):
    letter = tmp_path / "letter.md"
    letter.write_text("# Dear families\n\nOur **at-risk students** meet every Tuesday.\n", encoding="utf-8")
    code, out, _ = run(str(letter))
    first = LINE.match(out.strip().splitlines()[0])
    # Line 3: "Our **" is 6 characters, so "at-risk students" starts at column 7.
    assert code == 1 and (first["line"], first["col"], first["category"]) == ("3", "7", "deficit-label")


def test_html_letters_show_the_phrase_as_read_without_tags_or_entities(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<p>Don&rsquo;t let your <b>child</b> fall behind.</p>", encoding="utf-8")
    code, out, _ = run(str(page))
    assert code == 1
    assert "“Don’t let your child”" in out and "<b>" not in out and "&rsquo;" not in out


def test_json_format_lists_each_finding_with_file_line_column_and_category(tmp_path):
    letter = tmp_path / "letter.txt"
    letter.write_text("Dear families,\nPlease don't let your child fall behind.\n", encoding="utf-8")
    clean = tmp_path / "clean.txt"
    clean.write_text("We celebrate every learner's progress.\n", encoding="utf-8")
    code, out, _ = run("--format", "json", str(letter), str(clean))
    report = json.loads(out)
    assert code == 1
    findings = report["files"][0]["findings"]
    assert [(f["line"], f["col"], f["category"]) for f in findings] == [
        (2, 8, "family-shame"), (2, 29, "urgency")]
    assert findings[0]["phrase"] == "don't let your child" and findings[0]["suggestions"]
    assert report["files"][1] == {"file": str(clean), "findings": []} and report["errors"] == []


def test_json_format_on_clean_files_exits_0_and_names_unreadable_ones_with_exit_2(tmp_path):
    clean = tmp_path / "clean.txt"
    clean.write_text("We celebrate every learner's progress.\n", encoding="utf-8")
    assert run("--format", "json", str(clean))[0] == 0
    code, out, _ = run("--format", "json", str(clean), str(tmp_path / "gone.md"))
    assert code == 2 and json.loads(out)["errors"] == [{"file": str(tmp_path / "gone.md"), "error": "no such file"}]


def test_from_the_shell_bad_usage_exits_2_with_a_usage_message(tmp_path):
    clean = tmp_path / "clean.txt"
    clean.write_text("Hello.\n", encoding="utf-8")
    for args in ([], ["--format", "xml", str(clean)]):
        done = subprocess.run([sys.executable, "manage.py", "tone_check", *args], cwd=settings.BASE_DIR,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and "usage:" in done.stderr and "Traceback" not in done.stderr


def test_tone_bench_prints_sentences_and_kilobytes_per_second_for_text_and_html():
    out = StringIO()
    call_command("tone_bench", "--size-kb", "5", "--html", "--repeat", "1", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["plain text", "web page"]
    assert all(re.search(r"= [\d,]+ sentences/s, [\d,]+ KB/s$", line) for line in lines)
