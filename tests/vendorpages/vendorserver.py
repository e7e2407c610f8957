"""A vendor's web site for the tests: a real HTTP server on loopback, in a thread of the test process.

It serves a realistic landing page (and, after `server.version = 2`, a changed one), plus the pages a
hostile or broken site could answer with: redirects to private and metadata addresses, a redirect loop, a
page that never answers, one that trickles forever, one of 1 GB (sent until the client stops reading), a PDF
and an image. Every request is recorded, so a test can prove something was NOT fetched.
"""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ReadAlong Stories · Reading that starts with your child</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/site.css"><script src="/static/analytics.js"></script></head>
<body>
<header class="site-header"><nav><a href="/">Home</a> <a href="/pricing">Pricing</a> <a href="/login">Log in</a>
<a class="cta" href="/demo">Book a demo</a></nav></header>
<main>
<article>
<h1>Reading that starts with your child</h1>
<p class="lead">{lead}</p>
<h2>Built with families</h2>
<p>Every child brings stories, languages and curiosity to school. ReadAlong builds on the languages your child
speaks at home, with books in English, Spanish, Vietnamese and Arabic read aloud by people from those
communities.</p>
<p>Families are partners: a weekly note in your language shows what your child read and which stories they chose,
and celebrates growth in their own words.</p>
<h2>For teachers</h2>
<p>{teachers}</p>
<p>Teachers see which books each reader returns to, so a class library can follow what students love. Reading
groups are formed by interest, never by a single test score.</p>
<h2>Privacy</h2>
<p>We never sell student data. Schools own their data and can delete it at any time. Signed data privacy
agreements are available for every state.</p>
</article>
</main>
<footer><p>© 2026 Open Shelf Learning · <a href="/privacy">Privacy</a> · <a href="/terms">Terms</a></p></footer>
</body></html>"""

VERSIONS = {
    1: {"lead": "ReadAlong Stories is a K–5 reading app where children choose the books they love and read them "
                "with a friendly narrator, at their own pace.",
        "teachers": "Teachers plan with short, joyful read-alouds that fit into morning meeting or centers."},
    2: {"lead": "Don't let your child fall behind! ReadAlong fixes struggling readers who are below grade level. "
                "Act now: only 3 seats left in our summer program.",
        "teachers": "Teachers plan with short, joyful read-alouds that fit into morning meeting or centers."},
}

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


class Handler(BaseHTTPRequestHandler):
    server_version = "VendorSite/1.0"

    def log_message(self, *args):  # quiet test output
        pass

    def _send(self, status, body=b"", content_type="text/html; charset=utf-8", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: C901 - one branch per kind of page, read top to bottom
        self.server.requests.append((self.path, dict(self.headers)))
        path = self.path.split("?", 1)[0]
        if path in ("/", "/vendor", "/families"):
            body = PAGE.format(**VERSIONS[self.server.version])
            if self.server.respace:
                body = body.replace(". ", ".   \n  ")
            return self._send(200, body.encode("utf-8"))
        if path == "/moved":
            return self._send(301, headers={"Location": "/vendor"})
        if path.startswith("/chain/"):
            n = int(path.rsplit("/", 1)[1])
            return self._send(302, headers={"Location": f"/chain/{n - 1}" if n > 0 else "/vendor"})
        if path == "/redirect-private":
            return self._send(302, headers={"Location": "http://10.0.0.7/admin"})
        if path == "/redirect-metadata":
            return self._send(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
        if path == "/redirect-loopback":
            return self._send(302, headers={"Location": f"http://localhost:{self.server.server_port}/vendor"})
        if path == "/redirect-file":
            return self._send(302, headers={"Location": "file:///etc/passwd"})
        if path == "/slow":
            time.sleep(self.server.slow_seconds)  # never answers within the fetch's time limit
            return self._send(200, b"<html><body>late</body></html>")
        if path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                self.wfile.write(b"<html><body>")
                for _ in range(600):
                    self.wfile.write(b"a")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
            return None
        if path in ("/huge", "/huge-declared"):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            if path == "/huge-declared":
                self.send_header("Content-Length", str(1024 ** 3))
            self.end_headers()
            chunk = b"<p>" + b"x" * 65_530 + b"</p>"
            sent = 0
            try:
                while sent < 1024 ** 3:
                    self.wfile.write(chunk)
                    sent += len(chunk)
            except OSError:
                pass  # the client stopped reading: what we want
            self.server.huge_sent = sent
            return None
        if path == "/brochure.pdf":
            return self._send(200, PDF, "application/pdf")
        if path == "/logo.png":
            return self._send(200, PNG, "image/png")
        if path == "/gone":
            return self._send(404, b"<html><body>Not found</body></html>")
        return self._send(404, b"not here", "text/plain")


class VendorSite:
    def __init__(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.httpd.requests = []
        self.httpd.version = 1
        self.httpd.respace = False
        self.httpd.slow_seconds = 5.0
        self.httpd.huge_sent = 0
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def port(self):
        return self.httpd.server_port

    @property
    def host(self):
        return f"127.0.0.1:{self.port}"

    def url(self, path="/vendor"):
        return f"http://{self.host}{path}"

    @property
    def requests(self):
        return self.httpd.requests

    def set_version(self, version, respace=False):
        self.httpd.version, self.httpd.respace = version, respace

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
