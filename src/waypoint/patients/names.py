"""Name keys for search and the duplicate check: pure functions, no Django.

- ``fold``: a name as it is compared, whatever the accents, case and apostrophes
  ("Dávila" and "DAVILA" both fold to "davila"; "O’Brien" to "obrien").
- ``sound``: a phonetic key of the folded name (Metaphone, by jellyfish), so that
  misspellings that sound alike share a key ("Castelano" and "Castellano": KSTLN).
- ``similarity``: how alike two names are, 0 to 1 (Jaro-Winkler of the folded names), to
  rank the close matches a phonetic key finds.

Both keys are stored on the patient row when it is saved (``Patient.save``) and indexed,
so the database finds candidates the same way on SQLite and PostgreSQL; the ranking runs in
Python over that bounded candidate set.
"""

from __future__ import annotations

import unicodedata

import jellyfish

# Letters that Unicode decomposition does not split into a base letter and a mark.
_EXTRA = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th"})
_DROP = "'’‘`´"

CLOSE = 0.85  # similarity from which a name counts as a close match


def fold(name: str) -> str:
    """Lower case without accents or apostrophes; spaces and hyphens kept, runs of spaces
    made one."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = bare.translate(_EXTRA)
    bare = "".join(c for c in bare if c not in _DROP)
    return " ".join(bare.split())


def sound(name: str) -> str:
    """The Metaphone key of the folded name's letters ("" for a name without letters)."""
    letters = "".join(c for c in fold(name) if "a" <= c <= "z")
    return jellyfish.metaphone(letters)[:40] if letters else ""


def similarity(a: str, b: str) -> float:
    """Jaro-Winkler similarity of the folded names: 1.0 for the same name."""
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return 0.0
    return jellyfish.jaro_winkler_similarity(fa, fb)


def term_matches(term: str, name: str) -> float:
    """How well a search term matches a name: 1.0 when the folded name (or one of its
    words) starts with the folded term, else their similarity (also word by word)."""
    t, n = fold(term), fold(name)
    if not t or not n:
        return 0.0
    words = [n, *n.replace("-", " ").split()]
    if any(w.startswith(t) for w in words):
        return 1.0
    return max(similarity(t, w) for w in words)
