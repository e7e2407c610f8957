"""The main text of a fetched page, as a reader would see it: trafilatura, with recall favoured because a
vendor's landing page is many short blocks (headline, tiles, quotes) rather than one article."""

import codecs

import trafilatura

MAX_TEXT = 200_000  # the same ceiling as pasted marketing copy


def _decoded(body: bytes, charset: str | None) -> str | bytes:
    if charset:
        try:
            codecs.lookup(charset)
            return body.decode(charset, errors="replace")
        except LookupError:
            pass
    return body  # trafilatura guesses the encoding from the bytes and the page's <meta>


def main_text(body: bytes, charset: str | None = None, url: str | None = None) -> str:
    if not body:
        return ""
    content = _decoded(body, charset)
    text = trafilatura.extract(content, url=url, favor_recall=True, include_comments=False, include_tables=True)
    if not text or not text.strip():
        text = trafilatura.html2txt(content)
    return (text or "").strip()[:MAX_TEXT]
