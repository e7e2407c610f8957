"""Names people type or paste (products, vendors, committees, rubrics, people): the invisible characters that
would let one reverse how a name, and the text around it, reads on screen are taken out.

The Unicode direction overrides, embeddings, isolates and marks (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F,
U+061C) are never needed in a name: a right-to-left name still reads right to left without them, because every
page shows names inside <bdi>. Pure: plain text in, plain text out.
"""

import re

BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def without_bidi_controls(text: str) -> str:
    """The text with every direction control character removed."""
    return BIDI_CONTROLS.sub("", text)


def clean_name(text: str) -> str:
    """A name as it is kept: no direction controls, no spaces at either end."""
    return without_bidi_controls(text).strip()
