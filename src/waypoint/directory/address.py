"""Street addresses and names compared across SAMHSA's files, which spell them differently
(``1124 International Blvd.`` against ``1124 International Boulevard``, ``St. Clair`` against
``Saint Clair``, ``Suite 302`` in the street line or in the second line).

Pure functions (no Django import). A street line is reduced to USPS standard abbreviations:
street suffixes from USPS Publication 28, Appendix C1 ("Street Suffix Abbreviations"; the
common ones), secondary unit designators from Appendix C2 (``SUITE`` -> ``STE`` …), and the
directionals of §233 (``NORTH`` -> ``N`` …); ``SAINT``/``MOUNT``/``FORT`` become ``ST``/``MT``/
``FT`` and spelled ordinals become digits (``FIRST`` -> ``1ST``). The unit (suite, floor,
building) is split off, and a P.O. Box is recognized (it is a mailing address, not a place).

A name is compared after folding case and accents and dropping the words of a legal form
(``Inc``, ``LLC``, ``OPCO`` …): ``likeness`` is difflib's ratio of the two names (as written
and with their words sorted), in [0, 1].
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass

# USPS Publication 28, Appendix C1: common suffixes and their variants -> the standard
SUFFIXES: dict[str, str] = {}
for _std, _variants in {
    "ALY": "ALLEY ALLEE ALLY",
    "AVE": "AVENUE AV AVEN AVENU AVN AVNUE",
    "BLVD": "BOULEVARD BOUL BOULV",
    "BND": "BEND",
    "BR": "BRANCH BRNCH",
    "BRG": "BRIDGE BRDGE",
    "BYP": "BYPASS BYPA BYPAS BYPS",
    "CIR": "CIRCLE CIRC CIRCL CRCL CRCLE",
    "CT": "COURT CRT",
    "CTR": "CENTER CENTR CENTRE CNTER CNTR CEN CENT",
    "CV": "COVE",
    "CRK": "CREEK",
    "CRES": "CRESCENT CRSENT CRSNT",
    "XING": "CROSSING CRSSNG",
    "DR": "DRIVE DRIV DRV",
    "EXPY": "EXPRESSWAY EXP EXPR EXPRESS EXPW",
    "EXT": "EXTENSION EXTN EXTNSN",
    "FWY": "FREEWAY FREEWY FRWAY FRWY",
    "GDNS": "GARDENS GARDN GRDEN GRDN",
    "GTWY": "GATEWAY GATEWY GATWAY GTWAY",
    "HTS": "HEIGHTS HT",
    "HWY": "HIGHWAY HIGHWY HIWAY HIWY HWAY",
    "HOLW": "HOLLOW HLLW HOLLOWS HOLWS",
    "IS": "ISLAND ISLND",
    "JCT": "JUNCTION JCTION JCTN JUNCTN JUNCTON",
    "LK": "LAKE",
    "LN": "LANE",
    "LOOP": "LOOPS",
    "MALL": "",
    "MNR": "MANOR",
    "MDWS": "MEADOWS MEDOWS",
    "ML": "MILL",
    "MTWY": "MOTORWAY",
    "OVAL": "OVL",
    "PARK": "PRK PARKS",
    "PKWY": "PARKWAY PARKWY PKWAY PKY PARKWAYS PKWYS",
    "PASS": "",
    "PIKE": "PIKES",
    "PL": "PLACE",
    "PLZ": "PLAZA PLZA",
    "PT": "POINT",
    "RDG": "RIDGE RDGE",
    "RD": "ROAD",
    "RTE": "ROUTE",
    "ROW": "",
    "RUN": "",
    "SQ": "SQUARE SQR SQRE SQU",
    "ST": "STREET STRT STR",
    "TER": "TERRACE TERR",
    "TRCE": "TRACE TRACES",
    "TRAK": "TRACK TRACKS TRK TRKS",
    "TRL": "TRAIL TRAILS TRLS",
    "TPKE": "TURNPIKE TRNPK TURNPK",
    "VIA": "VIADUCT VDCT VIADCT",
    "VW": "VIEW",
    "VLG": "VILLAGE VILL VILLAG VILLG VILLIAGE",
    "VL": "VILLE",
    "VIS": "VISTA VIST VST VSTA",
    "WALK": "WALKS",
    "WAY": "WY",
}.items():
    SUFFIXES[_std] = _std
    for _v in _variants.split():
        SUFFIXES[_v] = _std

# §233 directionals
DIRECTIONALS = {
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
    "NORTHEAST": "NE",
    "NORTHWEST": "NW",
    "SOUTHEAST": "SE",
    "SOUTHWEST": "SW",
    **{d: d for d in ("N", "S", "E", "W", "NE", "NW", "SE", "SW")},
}
# Appendix C2: secondary unit designators (what follows them is the unit, not the street)
UNIT_WORDS = {
    "APARTMENT": "APT", "APT": "APT", "BUILDING": "BLDG", "BLDG": "BLDG", "BLDGS": "BLDG",
    "DEPARTMENT": "DEPT", "DEPT": "DEPT", "FLOOR": "FL", "FLOORS": "FL", "FL": "FL",
    "FLR": "FL", "LEVEL": "LVL", "LVL": "LVL", "OFFICE": "OFC", "OFC": "OFC", "ROOM": "RM",
    "RM": "RM", "ROOMS": "RM", "SUITE": "STE", "SUITES": "STE", "STE": "STE", "STES": "STE",
    "SPACE": "SPC", "SPC": "SPC", "UNIT": "UNIT", "UNITS": "UNIT", "#": "#", "WING": "WING",
    "LOWER": "LOWR", "LOWR": "LOWR", "UPPER": "UPPR", "UPPR": "UPPR", "WARD": "WARD",
}  # fmt: skip
OTHER_WORDS = {"SAINT": "ST", "MOUNT": "MT", "FORT": "FT", "AND": "&"}
ORDINALS = {
    "FIRST": "1ST", "SECOND": "2ND", "THIRD": "3RD", "FOURTH": "4TH", "FIFTH": "5TH",
    "SIXTH": "6TH", "SEVENTH": "7TH", "EIGHTH": "8TH", "NINTH": "9TH", "TENTH": "10TH",
    "ELEVENTH": "11TH", "TWELFTH": "12TH",
}  # fmt: skip
NUMBER_WORDS = {
    "ONE": "1", "TWO": "2", "THREE": "3", "FOUR": "4", "FIVE": "5", "SIX": "6", "SEVEN": "7",
    "EIGHT": "8", "NINE": "9", "TEN": "10",
}  # fmt: skip
# every word mapped at once: ordinal, directional, suffix, other
_WORD = {**SUFFIXES, **OTHER_WORDS, **DIRECTIONALS, **ORDINALS}
_SUFFIX_SET = frozenset(SUFFIXES.values())
_DIRECTIONAL_SET = frozenset(DIRECTIONALS.values())
_PO_BOX = re.compile(r"\b(?:P\s*O|POST\s+OFFICE)\s*BOX\b|\bPOB\s+\d|^BOX\s+\d")
_INITIALS = re.compile(r"(?<=\b[A-Z])\.(?=[A-Z]\b)")  # N.W. -> NW, P.O. -> PO
_NOT_WORD = re.compile(r"[^A-Z0-9,&#/ -]")
_RANGE = re.compile(r"\d+(?:-\d+)+")
_NUMBER_LETTER = re.compile(r"\d+-?[A-Z]")  # 300-B, 31A
_LETTERS_NUMBER = re.compile(r"[A-Z]+-\d+")  # M-32 (a state highway)
_ORDINAL = re.compile(r"(\d+)(?:ST|ND|RD|TH)")
_HOUSE = re.compile(r"\d")


def _fold(text: str) -> str:
    """Upper case without accents or apostrophes; periods as spaces except inside initials
    (``N.W.`` -> ``NW``); ``&`` and ``#`` as words; other punctuation as spaces."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = _INITIALS.sub("", text.upper())
    text = text.replace("'", "").replace("\u2019", "").replace(".", " ")
    text = text.replace("&", " & ").replace("#", " # ").replace("PARK WAY", "PARKWAY")
    return _NOT_WORD.sub(" ", text)


@dataclass(frozen=True)
class Street:
    """A street line in USPS abbreviations, and the parts two spellings are compared by."""

    primary: str  # "1124 INTERNATIONAL BLVD" (no unit); "" if none
    numbers: frozenset[str]  # house numbers: {"1124"}; "119-121" -> {"119", "121", "119121"}
    name: str  # the street's name alone: "INTERNATIONAL" (no number, directional, suffix)
    suffix: str  # "BLVD"; "" if none
    pre: str  # directional before the name: "N"; "" if none
    post: str  # directional after the suffix: "NW"; "" if none
    unit: str  # "STE 302"; "" if none
    po_box: bool  # the line names a P.O. Box

    def same_place(self, other: Street) -> bool:
        """The same house on the same street: a house number in common, the same street
        name, and no contradiction in suffix or directionals (one side may omit them)."""
        if not (self.numbers & other.numbers) or not self.name or self.name != other.name:
            return False
        for a, b in ((self.suffix, other.suffix), (self.pre, other.pre), (self.post, other.post)):
            if a and b and a != b:
                return False
        return True


def is_po_box(line: str) -> bool:
    """Whether the line is only a P.O. Box (no street address beside it)."""
    street = parse_street(line)
    return street.po_box and not street.primary


def _tokens(segment: str) -> list[str]:
    out: list[str] = []
    for raw in segment.split():
        if "-" not in raw:
            out.append(raw)
        elif _RANGE.fullmatch(raw):
            out.append(raw)  # 119-121, 75-59: a range or a Queens house number
        elif _NUMBER_LETTER.fullmatch(raw) or _LETTERS_NUMBER.fullmatch(raw):
            out.append(raw.replace("-", ""))  # 300-B -> 300B, M-32 -> M32
        else:
            out.extend(t for t in raw.split("-") if t)  # STE-B -> STE B
    return out


def _house_numbers(token: str) -> set[str]:
    if _RANGE.fullmatch(token):
        parts = token.split("-")
        return {*parts, "".join(parts)}
    m = re.match(r"\d+", token)
    return {m.group(0)} if m else set()


def parse_street(line: str, line2: str = "") -> Street:
    """A street line (and an optional second line) reduced to USPS abbreviations, with the
    unit and any P.O. Box split off."""
    segments = [s.strip() for s in _fold(f"{line},{line2}").split(",")]
    po_box = False
    kept: list[str] = []
    for seg in segments:
        m = _PO_BOX.search(seg)
        if m:
            po_box = True
            seg = seg[: m.start()].strip()
        if seg:
            kept.append(seg)
    primary_i = next((i for i, s in enumerate(kept) if s[:1].isdigit()), 0 if kept else -1)
    if primary_i < 0:
        return Street("", frozenset(), "", "", "", "", "", po_box)
    units: list[str] = []
    words: list[str] = []
    for i, seg in enumerate(kept):
        toks = _tokens(seg)
        if i != primary_i:
            if i > primary_i and not units and all(t in DIRECTIONALS for t in toks):
                words += toks  # "1320 Good Hope Road, SE"
            else:
                units.append(" ".join(UNIT_WORDS.get(t, t) for t in toks))
            continue
        words = toks
        for j, tok in enumerate(toks):
            # a unit word after at least a number and a name starts the unit
            if j >= 2 and tok in UNIT_WORDS:
                start = j
                if UNIT_WORDS[tok] == "FL" and j >= 3 and _ORDINAL.fullmatch(toks[j - 1]):
                    start = j - 1  # "2ND FLOOR"
                words = toks[:start]
                units.append(" ".join(UNIT_WORDS.get(t, t) for t in toks[start:]))
                break
    if words and words[0] in NUMBER_WORDS:
        words[0] = NUMBER_WORDS[words[0]]  # "One Veterans Dr"
    std = [_WORD.get(t, t) for t in words]
    numbers: set[str] = set()
    k = 0
    if std and _HOUSE.match(std[0]):
        numbers |= _house_numbers(std[0])
        k = 1
        while k + 1 < len(std) and std[k] == "&" and std[k + 1][:1].isdigit():
            numbers |= _house_numbers(std[k + 1])  # "7207 & 7225 N Nebraska Ave"
            k += 2
        if (
            len(std) - k >= 3
            and len(std[k]) == 1
            and std[k].isalpha()
            and std[k] not in _DIRECTIONAL_SET
            and std[k + 1] not in _SUFFIX_SET
        ):
            k += 1  # "1924 C Dauphin Island Pkwy": a unit letter, not the street
    rest = std[k:]
    pre = rest[0] if len(rest) > 1 and rest[0] in _DIRECTIONAL_SET else ""
    rest = rest[1:] if pre else rest
    # the street name runs to its first suffix (what follows is a unit or a cross street)
    cut = next((j for j in range(1, len(rest)) if rest[j] in _SUFFIX_SET), None)
    suffix = post = ""
    if cut is not None:
        suffix = rest[cut]
        after = rest[cut + 1 : cut + 2]
        post = after[0] if after and after[0] in _DIRECTIONAL_SET else ""
        rest = rest[:cut]
    elif len(rest) > 1 and rest[-1] in _DIRECTIONAL_SET:
        post, rest = rest[-1], rest[:-1]
    name = " ".join(_ORDINAL.sub(r"\1", t) for t in rest)  # 151ST -> 151
    return Street(
        primary=" ".join(std),
        numbers=frozenset(numbers),
        name=name,
        suffix=suffix,
        pre=pre,
        post=post,
        unit=" ".join(u for u in units if u),
        po_box=po_box,
    )


# --- names ------------------------------------------------------------------------------------
LEGAL_WORDS = frozenset(
    ["INC", "INCORPORATED", "LLC", "LLP", "LP", "LTD", "PC", "PLLC", "PA", "CORP",
     "CORPORATION", "CO", "COMPANY", "OPCO", "DBA", "THE", "OF", "AND", "&", "AT", "FOR", "NA"]
)  # fmt: skip


def name_words(name: str) -> list[str]:
    """A name's words, folded, without punctuation or the words of a legal form."""
    words = re.sub(r"[^A-Z0-9& ]", " ", _fold(name).replace(",", " ")).split()
    return [w for w in words if w not in LEGAL_WORDS]


@functools.lru_cache(maxsize=65536)
def _name_key(name: str) -> tuple[str, str]:
    words = name_words(name)
    return " ".join(words), " ".join(sorted(words))


def likeness(a: str, b: str, at_least: float = 0.0) -> float:
    """How alike two facility names are, 0 to 1: difflib's ratio of the folded names, as
    written and with their words sorted (word order differs between files), the larger.
    A likeness below ``at_least`` may be reported as lower than it is (it is not worked out
    once difflib's upper bounds show it cannot reach ``at_least``)."""
    ka, kb = _name_key(a), _name_key(b)
    if not ka[0] or not kb[0]:
        return 0.0
    best = 0.0
    for x, y in zip(ka, kb, strict=True):
        if x == y:
            return 1.0
        m = difflib.SequenceMatcher(None, x, y, autojunk=False)
        floor = max(best, at_least)
        if m.real_quick_ratio() <= floor or m.quick_ratio() <= floor:
            continue
        best = max(best, m.ratio())
    return best
