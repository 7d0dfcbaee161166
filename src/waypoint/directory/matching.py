"""Which facility of the directory is a certified opioid treatment program (OTP)?

Pure functions (no Django import). SAMHSA's OTP directory names a program by its operator's
legal name (``BHG LXX, LLC``) where the facility directory has the name people know
(``Stevenson Recovery Center``), and abbreviates its addresses (``St.`` for ``Street``), so a
program is matched to a facility in two ways, the first that holds:

1. **Same address** (address.py): a house number in common, the same street name, no
   contradiction in suffix or directionals, and within ``ADDRESS_MILES`` of each other
   (``SAME_ZIP_MILES`` in the same ZIP code: two geocoders place one door differently).
   Names are not required to agree (legal name against trade name). Several facilities at
   that address: the one in the same unit (suite, floor), else the one whose name is most
   alike; when none is alike (likeness below
   ``AMBIGUOUS_LIKENESS``) and no unit tells them apart, the program is not pinned on a
   neighbour: it is added as a facility of its own.
2. **Short distance and a like name**: a facility within ``NEAR_MILES`` whose name has a
   likeness of at least ``NAME_LIKENESS`` (the geocodes agree, the street is spelled
   differently: ``31 East Main St`` against ``31 East Main Avenue``).

Each program takes one facility; programs are served best match first (same address before
distance, then unit, likeness, distance). A facility already taken is shared only by a
program at its very address (two programs of one building); a program whose only candidate
by distance is taken is added as its own facility. Anything else: no match (added).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .address import Street, likeness, parse_street
from .geo import haversine_miles

ADDRESS_MILES = 1.0
SAME_ZIP_MILES = 2.0
NEAR_MILES = 0.25
NAME_LIKENESS = 0.75
AMBIGUOUS_LIKENESS = 0.5
# grid cells per degree: a cell is 6.9 miles of latitude and at least 2.4 miles of longitude
# up to 70 degrees north, so a cell and its neighbours hold every point within SAME_ZIP_MILES
_CELL = 10


@dataclass
class Candidate:
    """A facility a program may be: its id, names, address and location."""

    id: int
    name1: str
    name2: str
    street1: str
    street2: str
    zip: str
    latitude: float
    longitude: float
    street: Street = field(init=False)

    def __post_init__(self) -> None:
        self.street = parse_street(self.street1, self.street2)

    def likeness(self, name: str, at_least: float = 0.0) -> float:
        """The program's name against the facility's first name, second name (often the
        trade name) and both together: the best."""
        best = likeness(name, self.name1, at_least)
        if self.name2:
            for other in (self.name2, f"{self.name1} {self.name2}"):
                best = max(best, likeness(name, other, max(best, at_least)))
        return best


@dataclass(frozen=True)
class Program:
    """One program of the OTP directory (what matching needs of it)."""

    key: str
    name: str
    street1: str
    zip: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Match:
    program: str  # Program.key
    facility: int | None  # Candidate.id, or None: add the program as a facility
    how: str  # "address", "name_distance", or "added"
    likeness: float | None = None
    distance_miles: float | None = None
    note: str = ""  # why it was added although a facility is close


@dataclass(frozen=True)
class _Option:
    tier: int  # 2 same address, 1 distance and name
    unit: bool
    likeness: float
    distance: float
    facility: int

    def rank(self) -> tuple:
        return (self.tier, self.unit, round(self.likeness, 6), -self.distance, -self.facility)


class Grid:
    """Candidates bucketed by location, to find those within a mile or two quickly."""

    def __init__(self, candidates: list[Candidate]):
        self.cells: dict[tuple[int, int], list[Candidate]] = {}
        for c in candidates:
            self.cells.setdefault(self._cell(c.latitude, c.longitude), []).append(c)

    @staticmethod
    def _cell(lat: float, lon: float) -> tuple[int, int]:
        return int(lat * _CELL // 1), int(lon * _CELL // 1)

    def near(self, lat: float, lon: float, miles: float) -> list[tuple[float, Candidate]]:
        i, j = self._cell(lat, lon)
        out = []
        for a in (-1, 0, 1):
            for b in (-1, 0, 1):
                for c in self.cells.get((i + a, j + b), ()):
                    d = haversine_miles(lat, lon, c.latitude, c.longitude)
                    if d <= miles:
                        out.append((d, c))
        return out


def options(program: Program, grid: Grid) -> tuple[list[_Option], str]:
    """Every facility the program may be, best first, and a note when it is ambiguous."""
    street = parse_street(program.street1)
    near = grid.near(program.latitude, program.longitude, SAME_ZIP_MILES)
    same: list[_Option] = []
    close: list[_Option] = []
    for d, c in near:
        if (d <= ADDRESS_MILES or c.zip == program.zip) and street.same_place(c.street):
            unit = bool(street.unit) and street.unit == c.street.unit
            same.append(_Option(2, unit, c.likeness(program.name), d, c.id))
        elif d <= NEAR_MILES:
            s = c.likeness(program.name, NAME_LIKENESS)
            if s >= NAME_LIKENESS:
                close.append(_Option(1, False, s, d, c.id))
    note = ""
    ambiguous = len(same) > 1 and not any(o.unit for o in same)
    if ambiguous and max(o.likeness for o in same) < AMBIGUOUS_LIKENESS:
        note = f"{len(same)} facilities at this address, none of them by a like name"
        same = []
    return sorted(same + close, key=_Option.rank, reverse=True), note


def match(
    programs: list[Program], candidates: list[Candidate], taken: set[int] | None = None
) -> list[Match]:
    """Each program's facility (or None), in the programs' order. ``taken``: facilities
    already other programs' (from an earlier import)."""
    grid = Grid(candidates)
    found = {p.key: options(p, grid) for p in programs}
    order = sorted(
        programs,
        key=lambda p: (found[p.key][0][0].rank() if found[p.key][0] else (0,), p.key),
        reverse=True,
    )
    taken = set(taken or ())
    chosen: dict[str, Match] = {}
    for p in order:
        opts, note = found[p.key]
        pick = next((o for o in opts if o.facility not in taken), None)
        if pick is None:
            pick = next((o for o in opts if o.tier == 2), None)  # share its building
        if pick is None:
            if opts:
                note = "the facility near it by a like name is another program's"
            chosen[p.key] = Match(p.key, None, "added", note=note)
            continue
        taken.add(pick.facility)
        how = "address" if pick.tier == 2 else "name_distance"
        chosen[p.key] = Match(p.key, pick.facility, how, pick.likeness, pick.distance)
    return [chosen[p.key] for p in programs]
