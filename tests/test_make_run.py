"""`make run` (scripts/run.sh): any port, the address printed only once the server answers, no debug pages."""

import os
import queue
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request

from tests.mailserver import free_port
from tests.realstack import BASE_DIR


def test_make_run_serves_on_the_chosen_port_says_so_once_it_answers_and_shows_a_plain_404():
    port = free_port()
    env = {**os.environ, "PORT": str(port), "PY": sys.executable, "PYTHONUNBUFFERED": "1"}
    env.pop("DEBUG", None)
    process = subprocess.Popen([str(BASE_DIR / "scripts" / "run.sh")], cwd=BASE_DIR, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    # Lines are read on a thread, so the wait below has a limit even when the script prints nothing at all.
    lines: queue.Queue = queue.Queue()

    def read_lines():
        for line in process.stdout:
            lines.put(line)
        lines.put("")  # the end: the script has stopped

    threading.Thread(target=read_lines, daemon=True).start()
    try:
        said = ""
        while "AssetLens is on" not in said:
            try:
                said = lines.get(timeout=120)
            except queue.Empty:
                raise AssertionError("nothing said for 120 s: the server did not answer") from None
            assert said or process.poll() is None, "the server stopped before it answered"
        assert said.strip() == f"AssetLens is on http://127.0.0.1:{port} (Ctrl+C to stop)"
        # Printed only once the server answers: the very next request is served.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as response:
            assert response.status == 200
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/no-such-page/", timeout=5)
        except urllib.error.HTTPError as error:
            assert error.code == 404
            page = error.read().decode()
        assert "URLconf" not in page and "DEBUG = True" not in page  # not Django's page listing every URL
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
