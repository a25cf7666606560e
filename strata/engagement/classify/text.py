"""Text made ready for the classifiers: the same steps at training and at run time.

Everything heard is written by strangers, so this never fails: lone surrogates and invalid
code points become U+FFFD, control characters become spaces, and a text is cut to
`MAX_CHARS` before any tokenizer sees it (the models read 64 tokens; a 1 MB post costs no more
than a tweet). Handles become `@user` and links `http`, as in the SemEval training files, so
that the models learn the shape of a message rather than who sent it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MAX_CHARS = 1000

_HANDLE = re.compile(r"(?<![\w@])@[\w.\-]+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# C0 and C1 controls other than the ordinary white space, and the zero-width and bidi marks.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"\s+")
_LINE_SPACES = re.compile(r"[^\S\n]+")
_LINE_EDGES = re.compile(r" ?\n ?")


def clean(text: str) -> str:
    """Return `text` cut, made valid, stripped of controls, with handles and links generalised."""
    text = text[:MAX_CHARS]
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = _CONTROL.sub(" ", text)
    text = _URL.sub(" http ", text)
    text = _HANDLE.sub("@user", text)
    return _SPACES.sub(" ", text).strip()


def clean_lines(texts: Sequence[str]) -> str:
    """Return `texts` cleaned as by `clean`, one per line, with every regular expression run
    once over the whole batch rather than once per text (the listening model's hot path)."""
    joined = "\n".join(t[:MAX_CHARS].replace("\n", " ").replace("\r", " ") for t in texts)
    joined = joined.encode("utf-8", "replace").decode("utf-8")
    joined = _CONTROL.sub(" ", joined)
    joined = _URL.sub(" http ", joined)
    joined = _HANDLE.sub("@user", joined)
    joined = _LINE_SPACES.sub(" ", joined)
    return _LINE_EDGES.sub("\n", joined)
