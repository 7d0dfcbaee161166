"""What the native providers share: a provider over one model's rows of an organization,
filtered by a ``registry.Query`` (patient, date with prefixes, code, _id)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from ..registry import DateBound, Found, Query, make_id
from ..search import day_range


def _instant(value: dt.date | dt.datetime, end: bool) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    start, next_day = day_range(value)
    return next_day if end else start


def date_q(field: str, bound: DateBound, moments: bool) -> Q:
    """``bound`` on ``field`` (a DateTimeField when ``moments``, else a DateField). A day
    is the range [its first moment, the next day's); a moment is itself."""
    value, prefix = bound.value, bound.prefix
    if moments:
        start, end = _instant(value, False), _instant(value, True)
        if isinstance(value, dt.datetime):
            eq = Q(**{field: value})
            after, before = Q(**{f"{field}__gt": value}), Q(**{f"{field}__lt": value})
        else:
            eq = Q(**{f"{field}__gte": start, f"{field}__lt": end})
            after, before = Q(**{f"{field}__gte": end}), Q(**{f"{field}__lt": start})
    else:
        day = timezone.localtime(value).date() if isinstance(value, dt.datetime) else value
        eq = Q(**{field: day})
        after, before = Q(**{f"{field}__gt": day}), Q(**{f"{field}__lt": day})
    return {
        "eq": eq,
        "ne": ~eq,
        "gt": after,
        "lt": before,
        "ge": after | eq,
        "le": before | eq,
    }[prefix]


def iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def ref(patient_id: int) -> dict[str, str]:
    return {"reference": f"Patient/{patient_id}"}


class ModelProvider:
    """A provider over ``rows(organization_id)``; subclasses name the fields and build
    the resource in ``resource(row)``."""

    resource_type: str
    prefix: str
    permission: str
    category: str
    search_params: tuple[str, ...] = ("patient", "subject", "date", "code")
    patient_field: str = "patient_id"
    date_field: str = ""
    date_moments: bool = True
    order: tuple[str, ...] = ("pk",)

    def rows(self, organization_id: int) -> QuerySet[Any]:
        raise NotImplementedError

    def code_q(self, system: str | None, code: str) -> Q | None:
        """The rows coded ``system|code``; None when this provider has no such code."""
        return None

    def resource(self, row: Any) -> dict[str, Any]:
        raise NotImplementedError

    def patient_of(self, row: Any) -> int | None:
        return getattr(row, self.patient_field)

    # the registry's interface
    def read(self, organization_id: int, pk: int) -> Found | None:
        row = self.rows(organization_id).filter(pk=pk).first()
        return self.found(row) if row is not None else None

    def count(self, organization_id: int, q: Query) -> int:
        return self.filtered(organization_id, q).count()

    def page(self, organization_id: int, q: Query, offset: int, limit: int) -> list[Found]:
        rows = self.filtered(organization_id, q).order_by(*self.order)[offset : offset + limit]
        return [self.found(r) for r in rows]

    def found(self, row: Model) -> Found:
        body = {"resourceType": self.resource_type, "id": make_id(self.prefix, row.pk)}
        body.update(self.resource(row))
        return Found(body, self.patient_of(row), self.category)

    def filtered(self, organization_id: int, q: Query) -> QuerySet[Any]:
        qs = self.rows(organization_id)
        if q.patient_ids is not None:
            qs = qs.filter(**{f"{self.patient_field}__in": q.patient_ids})
        if q.hidden_patient_ids:
            qs = qs.exclude(**{f"{self.patient_field}__in": q.hidden_patient_ids})
        if q.ids:
            qs = qs.filter(pk__in=q.ids)
        for bound in q.dates:
            if not self.date_field:
                return qs.none()
            qs = qs.filter(date_q(self.date_field, bound, self.date_moments))
        if q.codes:
            coded = [self.code_q(system, code) for system, code in q.codes]
            wanted = [c for c in coded if c is not None]
            if not wanted:
                return qs.none()
            any_of = wanted[0]
            for c in wanted[1:]:
                any_of |= c
            qs = qs.filter(any_of)
        return qs
