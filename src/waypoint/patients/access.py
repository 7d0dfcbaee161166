"""Restricted records in lists: who may see whom by name on a search, a board or a list.

A restricted record (a staff member in treatment, a public figure; marked by the privacy
officer) is opened only by its care team, or by someone who states a reason first. Opening
it is guarded where every access passes, the audit trail (``audit.subjects.check_access``);
lists are guarded here: a selector that shows patients passes them through ``mask`` (or
``mask_rows``), and each restricted patient the viewer may not open appears as a masked
copy, "Restricted record" with no name, MRN or date of birth, whose link leads to the page
that asks for the reason.

The registry knows no privacy app: the privacy app registers which patients a viewer may not
see (``register_visibility``) from its ``AppConfig.ready()``; with none registered nobody is
hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .models import Patient

# (actor, patient ids) -> the ids among them the actor may not see by name
Visibility = Callable[[Any, set[int]], set[int]]

_visibility: list[Visibility] = []

MASKED_FIRST, MASKED_LAST = "Restricted", "record"


def register_visibility(check: Visibility) -> None:
    """Set the check (from ``AppConfig.ready()``); setting it again replaces it."""
    _visibility[:] = [check]


def hidden_ids(actor: Any, ids: Iterable[int]) -> set[int]:
    wanted = {int(i) for i in ids if i is not None}
    if not wanted or not _visibility:
        return set()
    return _visibility[0](actor, wanted)


def masked_copy(p: Patient) -> Patient:
    """An unsaved stand-in for ``p`` that shows nothing of the person: same id (so links
    lead to the reason page) and site, no name, MRN, date of birth or contact details."""
    m = Patient(
        pk=p.pk,
        organization_id=p.organization_id,
        site_id=p.site_id,
        mrn="",
        first_name=MASKED_FIRST,
        last_name=MASKED_LAST,
        first_name_key="",
        last_name_key="",
        preferred_language="",
    )
    if "site" in p._state.fields_cache:
        m.site = p.site
    m.date_of_birth = None  # type: ignore[assignment]  # a display stand-in: no birth date
    m.restricted = True
    m._state.adding = False
    m.save = _refuse_save  # type: ignore[method-assign]  # a stand-in is never written
    return m


def _refuse_save(*args, **kwargs):
    raise RuntimeError("a masked patient is a stand-in for display and is never saved")


def mask(actor: Any, patients: Iterable[Patient]) -> list[Patient]:
    """The list with each patient ``actor`` may not see by name replaced by a masked copy."""
    rows = list(patients)
    hidden = hidden_ids(actor, (p.pk for p in rows))
    return [masked_copy(p) if p.pk in hidden else p for p in rows]


def mask_rows(actor: Any, rows: Iterable[Any], key: str = "patient") -> list[Any]:
    """Rows (dicts or objects) holding a patient under ``key``: each hidden patient's row
    gets a masked copy instead (dicts are copied; objects get the attribute replaced)."""
    rows = list(rows)
    patients = [r[key] if isinstance(r, dict) else getattr(r, key) for r in rows]
    hidden = hidden_ids(actor, (p.pk for p in patients if p is not None))
    if not hidden:
        return rows
    out = []
    for r, p in zip(rows, patients, strict=True):
        if p is not None and p.pk in hidden:
            if isinstance(r, dict):
                r = {**r, key: masked_copy(p)}
            else:
                setattr(r, key, masked_copy(p))
        out.append(r)
    return out
