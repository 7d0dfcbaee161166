"""Privacy pages: the chart section's forms (consent, revocation, notice, restriction
request, court order, restricted record and care team), the disclosure that shows what will
be sent and the notice before sending, the printable consent (English and Spanish, and a PDF
where WeasyPrint can run) and accounting, the break-the-glass page and the privacy
officer's board. Thin views over the same services and selectors as the API; a refusal goes
back to the page with its sentence shown and nothing written."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from pydantic import ValidationError

from waypoint.clinical import privacy as rule
from waypoint.core.errors import DomainError, NotFound
from waypoint.core.schemas import MAX_ID, bounded_int
from waypoint.core.selectors import site_today
from waypoint.core.web import (
    Actor,
    FormState,
    done_redirect,
    refusal_message,
    refused,
    say_done,
    say_refused,
    staff_view,
)
from waypoint.patients.chart import chart_page, chart_url
from waypoint.patients.selectors import patient_ref

from . import pdf, selectors, services, texts
from .models import BreakGlassAccess, Consent, RecipientToken
from .schemas import (
    RECIPIENT_PURPOSES,
    BreakGlassIn,
    ComplaintIn,
    ConsentIn,
    CourtOrderIn,
    DisclosureIn,
    ExpiryEventIn,
    NoticeIn,
    RecipientTokenIn,
    ResolveIn,
    RestrictIn,
    RestrictionDecisionIn,
    RestrictionRequestIn,
    ReviewIn,
    RevokeIn,
)


def _chart(patient_id: int) -> HttpResponse:
    """The chart's Privacy tab (a GET of a privacy form's address lands there)."""
    return redirect(chart_url(patient_id, "privacy"))


def _recipient(p, prefix: str = "recipient_") -> dict | None:
    name = p.get(f"{prefix}name", "").strip()
    if not name:
        return None
    return {
        "name": name,
        "organization": p.get(f"{prefix}organization", "").strip(),
        **({"treating_provider": True} if p.get(f"{prefix}treating_provider") == "on" else {}),
    }


def _opt(value: str) -> str | None:
    value = (value or "").strip()
    return value or None


def _int(value: str) -> int | None:
    """A record id typed in the form, or None."""
    return bounded_int(value, 1, MAX_ID)


def _posted(request: HttpRequest, schema, data: dict[str, Any]):
    """The form as the API's schema; a bad field is a refusal with its sentence."""
    try:
        return schema(**{k: v for k, v in data.items() if v is not None})
    except ValidationError as exc:
        raise _Invalid(exc) from exc


class _Invalid(Exception):
    def __init__(self, exc: ValidationError) -> None:
        super().__init__(refusal_message(exc))
        self.exc = exc


def _refused(request: HttpRequest, exc: Exception) -> None:
    say_refused(request, exc.exc if isinstance(exc, _Invalid) else exc)


def _chart_refused(
    request: HttpRequest, actor: Actor, patient_id: int, key: str, exc: Exception, title: str
) -> HttpResponse:
    """The chart again, the refusal in words beside form ``key`` and what was typed kept
    (core/web.py's form mechanism); nothing was written."""
    form = refused(request, key, exc.exc if isinstance(exc, _Invalid) else exc, title=title)
    return chart_page(request, actor, patient_id, form=form)


def _chart_done(request: HttpRequest, patient_id: int, key: str, text: str) -> HttpResponse:
    say_done(request, key, text)
    return done_redirect(chart_url(patient_id, key), key)


# --- consents ------------------------------------------------------------------------------
def _consent_data(p) -> dict:
    return {
        "recipient": _recipient(p),
        "general_designation": "treating_providers" if p.get("treating_providers") else None,
        "purpose": p.get("purpose", ""),
        "purpose_detail": p.get("purpose_detail", ""),
        "categories": p.getlist("categories"),
        "expires_on": _opt(p.get("expires_on", "")),
        "expiry_event": p.get("expiry_event", ""),
        "signed_on": p.get("signed_on", ""),
        "signature_method": p.get("signature_method", ""),
        "witness": _int(p.get("witness", "")),
        "signature_reference": p.get("signature_reference", ""),
        "language": p.get("language", "en") or "en",
        "supersedes": _int(p.get("supersedes", "")),
    }


@staff_view("consent.record")
def consent_new(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    if request.method != "POST":
        return _chart(patient_id)
    patient = patient_ref(actor, patient_id)
    try:
        c = services.consent_record(
            actor, patient.pk, _posted(request, ConsentIn, _consent_data(request.POST))
        )
    except (DomainError, _Invalid) as exc:
        return _chart_refused(request, actor, patient.pk, "consent", exc, "Consent not recorded")
    cats = ", ".join(rule.CATEGORY_LABELS[x].split(" (")[0].lower() for x in c.categories)
    return _chart_done(
        request,
        patient.pk,
        "consents",
        f"Consent recorded (version {c.version}): {c.purpose_label.lower()}; {cats}.",
    )


@staff_view("consent.revoke")
def consent_revoke(request: HttpRequest, actor: Actor, consent_id: int) -> HttpResponse:
    c = selectors.consent_in_org(actor.organization_id, consent_id)
    if request.method != "POST":
        return _chart(c.patient_id)
    p = request.POST
    key = f"revoke-{c.pk}"
    try:
        kind = p.get("kind", "revoked")
        if kind == "expiry_event":
            data = _posted(
                request, ExpiryEventIn, {"on": p.get("on", ""), "note": p.get("note", "")}
            )
            services.consent_expiry_event(actor, c.pk, data)
            text = f"Consent {c.pk}: its expiry event is recorded; it has ended."
        else:
            data = _posted(
                request,
                RevokeIn,
                {
                    "on": p.get("on", ""),
                    "method": p.get("method", ""),
                    "reference": p.get("reference", ""),
                    "note": p.get("note", ""),
                },
            )
            services.consent_revoke(actor, c.pk, data)
            text = f"Consent {c.pk} revoked: from now on nothing more is disclosed under it."
    except (DomainError, _Invalid) as exc:
        return _chart_refused(request, actor, c.patient_id, key, exc, "Consent not revoked")
    return _chart_done(request, c.patient_id, "consents", text)


@staff_view("privacy.view")
def consent_print(request: HttpRequest, actor: Actor, consent_id: int) -> HttpResponse:
    """The consent as the patient reads it, print-styled, in English or Spanish."""
    lang = request.GET.get("lang", "")
    row = selectors.consent_get(actor, consent_id, view="print")
    c = row.consent
    lang = lang if lang in texts.LANGUAGES else c.language
    ctx = _form_context(c, row, lang)
    if request.path.endswith("/pdf/"):
        body = pdf.render("privacy/consent_print.html", ctx, request)
        if body is None:
            raise NotFound("PDF (WeasyPrint is not available on this server)")
        resp = HttpResponse(body, content_type="application/pdf")
        resp["Content-Disposition"] = f'inline; filename="consent-{c.pk}-{lang}.pdf"'
        return resp
    return render(request, "privacy/consent_print.html", ctx)


def _form_context(c: Consent, row, lang: str) -> dict:
    words: dict[str, Any] = dict(texts.FORM[lang])
    return {
        "c": c,
        "row": row,
        "lang": lang,
        "w": words,
        "purpose": texts.PURPOSES[lang][c.purpose],
        "categories": [texts.CATEGORIES[lang][x] for x in c.categories],
        "signed_how": words["signed_how"][c.signature_method],
        "revocation": texts.REVOCATION[lang] if lang != c.language else c.revocation_statement,
        "pdf": pdf.available(),
    }


# --- disclosures ---------------------------------------------------------------------------
def _disclosure_data(p) -> dict:
    basis = p.get("basis", "consent") or "consent"
    data: dict[str, Any] = {
        "recipient": _recipient(p) or {"name": ""},
        "purpose": p.get("purpose", ""),
        "categories": p.getlist("categories"),
        "basis": basis,
        "consent": _int(p.get("consent", "")),
        "court_order": _int(p.get("court_order", "")),
    }
    if basis == "medical_emergency":
        data["emergency"] = {
            "nature": p.get("emergency_nature", ""),
            "facility": p.get("emergency_facility", ""),
        }
    return data


@staff_view("privacy.view")
def disclose(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """Step 1 (``step=preview``): what will be sent and the notice, nothing written yet.
    Step 2 (``step=send``): the disclosure is made; the page shows what went and its hash."""
    if request.method != "POST":
        return _chart(patient_id)
    patient = patient_ref(actor, patient_id)
    raw = _disclosure_data(request.POST)
    sending = request.POST.get("step") == "send"
    try:
        data = _posted(request, DisclosureIn, raw)
        if sending:
            p = services.disclosure_make(actor, patient.pk, data)
        else:
            p = services.disclosure_preview(actor, patient.pk, data)
    except (DomainError, _Invalid) as exc:
        return _chart_refused(
            request, actor, patient.pk, "disclose", exc, "Not disclosed: nothing was sent"
        )
    return render(
        request,
        "privacy/disclose.html",
        {
            "patient": patient,
            "prepared": p,
            "sent": sending,
            "package_json": selectors.canonical(p.package).decode(),
            "hidden": [
                (k, v)
                for k in request.POST
                if k not in ("csrfmiddlewaretoken", "step")
                for v in request.POST.getlist(k)
            ],
            "labels": rule.CATEGORY_LABELS,
        },
    )


@staff_view("privacy.view")
def accounting_print(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """The accounting of disclosures, printable for the patient (2.24/2.25)."""
    rows = selectors.accounting(actor, patient_id)
    patient = patient_ref(actor, patient_id)
    return render(
        request,
        "privacy/accounting_print.html",
        {
            "patient": patient,
            "rows": rows,
            "today": site_today(patient.site),
            "labels": rule.CATEGORY_LABELS,
        },
    )


# --- notice, requests, court orders, complaints --------------------------------------------
@staff_view("privacy.notice")
def notice_new(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    if request.method == "POST":
        p = request.POST
        try:
            data = _posted(
                request,
                NoticeIn,
                {
                    "received_on": p.get("received_on", ""),
                    "version": p.get("version", ""),
                    "language": p.get("language", "en") or "en",
                    "method": p.get("method", "paper") or "paper",
                },
            )
            n = services.notice_record(actor, patient_id, data)
            messages.success(request, f"Part 2 notice {n.version} received on {n.received_on}.")
        except (DomainError, _Invalid) as exc:
            _refused(request, exc)
    return _chart(patient_id)


REQUEST_LABELS = {
    "requested_on": "the date of the request",
    "recipient": "the recipient",
    "purposes": "the purposes",
    "categories": "what is to be kept back",
    "detail": "the request in the patient's words",
}
COURT_ORDER_LABELS = {
    "court": "the court",
    "case_number": "the case number",
    "order_date": "the date of the order",
    "findings": "the court's findings (42 CFR 2.64)",
    "recipient": "to whom the order allows disclosure",
    "purposes": "the purposes the order allows",
    "categories": "what the order allows to be disclosed",
    "valid_until": "until when the order holds",
    "reference": "the scanned order's reference",
}
COMPLAINT_LABELS = {
    "received_on": "the date it was received",
    "complainant": "who complains",
    "summary": "the complaint",
}


def _chart_patient(request: HttpRequest, actor: Actor) -> int | None:
    """The chart a form was posted from (its ``chart`` field), or None (the board)."""
    pid = _int(request.POST.get("chart", ""))
    return patient_ref(actor, pid).pk if pid is not None else None


@staff_view("restriction_request.record")
def request_new(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    if request.method != "POST":
        return _chart(patient_id)
    patient = patient_ref(actor, patient_id)
    p = request.POST
    try:
        data = _posted(
            request,
            RestrictionRequestIn,
            {
                "requested_on": p.get("requested_on", ""),
                "recipient": _recipient(p),
                "purposes": p.getlist("purposes"),
                "categories": p.getlist("categories"),
                "to_health_plan": p.get("to_health_plan") == "on",
                "paid_in_full": p.get("paid_in_full") == "on",
                "detail": p.get("detail", ""),
            },
        )
        r = services.restriction_request_record(actor, patient.pk, data)
    except (DomainError, _Invalid) as exc:
        form = refused(
            request,
            "request",
            exc.exc if isinstance(exc, _Invalid) else exc,
            labels=REQUEST_LABELS,
            title="Restriction request not recorded",
        )
        return chart_page(request, actor, patient.pk, form=form)
    return _chart_done(
        request,
        patient.pk,
        "requests",
        f"Restriction request {r.pk} recorded: the privacy officer agrees or denies it.",
    )


@staff_view("restriction_request.decide")
def request_decide(request: HttpRequest, actor: Actor, request_id: int) -> HttpResponse:
    """Agree or deny, from the chart (the form carries ``chart``: a refusal goes back to
    the chart beside the request) or from the privacy board."""
    back = request.POST.get("back") or reverse("privacy:board")
    if request.method != "POST":
        return redirect(_safe(request, back))
    chart_patient = _chart_patient(request, actor)
    key = f"request-decide-{request_id}"
    try:
        data = _posted(
            request,
            RestrictionDecisionIn,
            {"agree": request.POST.get("agree") == "yes", "note": request.POST.get("note", "")},
        )
        r = services.restriction_request_decide(actor, request_id, data)
    except (DomainError, _Invalid) as exc:
        if chart_patient is None:
            _refused(request, exc)
            return redirect(_safe(request, back))
        return _chart_refused(request, actor, chart_patient, key, exc, "Not decided")
    text = f"Restriction request {r.pk} {r.status}."
    if chart_patient is None:
        messages.success(request, text)
        return redirect(_safe(request, back))
    return _chart_done(request, r.patient_id, "requests", text)


@staff_view("court_order.record")
def court_order_new(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    if request.method != "POST":
        return _chart(patient_id)
    patient = patient_ref(actor, patient_id)
    p = request.POST
    try:
        data = _posted(
            request,
            CourtOrderIn,
            {
                "court": p.get("court", ""),
                "case_number": p.get("case_number", ""),
                "order_date": p.get("order_date", ""),
                "findings": p.get("findings", ""),
                "recipient": _recipient(p) or {"name": ""},
                "purposes": p.getlist("purposes"),
                "categories": p.getlist("categories"),
                "valid_until": _opt(p.get("valid_until", "")),
                "reference": p.get("reference", ""),
            },
        )
        o = services.court_order_record(actor, patient.pk, data)
    except (DomainError, _Invalid) as exc:
        form = refused(
            request,
            "court_order",
            exc.exc if isinstance(exc, _Invalid) else exc,
            labels=COURT_ORDER_LABELS,
            title="Court order not recorded",
        )
        return chart_page(request, actor, patient.pk, form=form)
    return _chart_done(
        request,
        patient.pk,
        "court_orders",
        f"Court order {o.pk} recorded ({o.court}, {o.order_date:%Y-%m-%d}).",
    )


@staff_view("complaint.record")
def complaint_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    """A complaint (2.4), from the privacy board or from a chart (the form carries
    ``chart``: the answer is on that chart)."""
    back = request.POST.get("back") or reverse("privacy:board")
    if request.method != "POST":
        return redirect(_safe(request, back))
    chart_patient = _chart_patient(request, actor)
    p = request.POST
    try:
        data = _posted(
            request,
            ComplaintIn,
            {
                "received_on": p.get("received_on", ""),
                "patient": chart_patient
                if chart_patient is not None
                else _int(p.get("patient", "")),
                "complainant": p.get("complainant", ""),
                "summary": p.get("summary", ""),
            },
        )
        c = services.complaint_record(actor, data)
    except (DomainError, _Invalid) as exc:
        if chart_patient is None:
            _refused(request, exc)
            return redirect(_safe(request, back))
        form = refused(
            request,
            "complaint",
            exc.exc if isinstance(exc, _Invalid) else exc,
            labels=COMPLAINT_LABELS,
            title="Complaint not logged",
        )
        return chart_page(request, actor, chart_patient, form=form)
    text = f"Complaint {c.pk} logged; the privacy officer answers it."
    if chart_patient is None:
        messages.success(request, text)
        return redirect(_safe(request, back))
    return _chart_done(request, chart_patient, "complaints", text)


@staff_view("privacy.review")
def complaint_resolve(request: HttpRequest, actor: Actor, complaint_id: int) -> HttpResponse:
    if request.method == "POST":
        try:
            data = _posted(request, ResolveIn, {"resolution": request.POST.get("resolution", "")})
            services.complaint_resolve(actor, complaint_id, data)
            messages.success(request, f"Complaint {complaint_id} answered.")
        except (DomainError, _Invalid) as exc:
            _refused(request, exc)
    return redirect("privacy:board")


# --- restricted records --------------------------------------------------------------------
@staff_view("record.restrict")
def restrict(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    if request.method == "POST":
        p = request.POST
        try:
            op = p.get("op", "")
            if op == "restrict":
                data = _posted(
                    request, RestrictIn, {"reason": p.get("reason", ""), "note": p.get("note", "")}
                )
                services.record_restrict(actor, patient_id, data)
                messages.success(request, "The record is restricted: only its care team opens it.")
            elif op == "lift":
                services.record_unrestrict(actor, patient_id)
                messages.success(request, "The restriction is lifted.")
            elif op == "add":
                services.care_team_add(actor, patient_id, _int(p.get("user", "")) or 0)
                messages.success(request, "Added to the care team.")
            elif op == "remove":
                services.care_team_remove(actor, patient_id, _int(p.get("user", "")) or 0)
                messages.success(request, "Removed from the care team.")
        except (DomainError, _Invalid) as exc:
            _refused(request, exc)
    return _chart(patient_id)


def _safe(request: HttpRequest, target: str) -> str:
    ok = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if ok and target.startswith("/") else reverse("home")


@staff_view("patient.view")
def open_restricted(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """Break the glass: the page shown instead of a restricted record. Stating a reason opens
    it for this staff member for 8 hours; the opening is logged and reviewed."""
    patient = patient_ref(actor, patient_id)  # 404 across organizations; nothing shown
    nxt = _safe(request, request.GET.get("next") or request.POST.get("next") or "")
    if nxt == reverse("home"):
        nxt = reverse("patients:chart", args=[patient.pk])
    if selectors.open_restriction(actor.organization_id, patient.pk) is None or (
        selectors.may_open(actor, patient.pk)
    ):
        return redirect(nxt)
    error = ""
    if request.method == "POST":
        try:
            data = _posted(
                request,
                BreakGlassIn,
                {
                    "reason": request.POST.get("reason", ""),
                    "explanation": request.POST.get("explanation", ""),
                },
            )
            services.break_glass(actor, patient.pk, data)
            return redirect(nxt)
        except (DomainError, _Invalid) as exc:
            error = refusal_message(exc.exc if isinstance(exc, _Invalid) else exc)
    return render(
        request,
        "privacy/break_glass.html",
        {
            "patient_id": patient.pk,
            "next": nxt,
            "reasons": BreakGlassAccess.REASONS,
            "hours": selectors.BREAK_GLASS_HOURS,
            "error": error,
        },
        status=403 if request.method == "GET" else 422,
    )


def restricted_refusal(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A staff page refused with ``restricted_record``: the break-the-glass page for that
    record, coming back here once a reason is stated (registered in ``PrivacyConfig.ready()``
    with ``core.web.register_refusal_page``)."""
    patient_id = exc.extra.get("patient")
    if not isinstance(patient_id, int):
        return render(request, "errors/403.html", status=403)
    back = (
        request.get_full_path()
        if request.method == "GET"
        else reverse("patients:chart", args=[patient_id])
    )
    return redirect(f"{reverse('privacy:open', args=[patient_id])}?{urlencode({'next': back})}")


# --- the privacy officer's board -----------------------------------------------------------
@staff_view("privacy.review")
def board(request: HttpRequest, actor: Actor) -> HttpResponse:
    ctx = selectors.board(actor)
    ctx["perms_recipients"] = actor.can("recipient_token.manage")
    ctx["today"] = timezone.localdate()
    return render(request, "privacy/board.html", ctx)


@staff_view("privacy.review")
def review(request: HttpRequest, actor: Actor, kind: str, item_id: int) -> HttpResponse:
    if request.method == "POST":
        try:
            data = _posted(
                request,
                ReviewIn,
                {"outcome": request.POST.get("outcome", ""), "note": request.POST.get("note", "")},
            )
            services.review(actor, kind, item_id, data)
            messages.success(request, "Reviewed.")
        except (DomainError, _Invalid) as exc:
            _refused(request, exc)
    return redirect("privacy:board")


# --- outside recipients' FHIR tokens (issue 20) ----------------------------------------------
RECIPIENT_TOKEN_LABELS = {
    "recipient_name": "the recipient's name",
    "recipient_organization": "the recipient's organization",
    "purpose": "the purpose",
    "label": "the label",
    "days": "how many days it lasts",
}


def _recipients_page(
    request: HttpRequest,
    actor: Actor,
    *,
    form: FormState | None = None,
    issued: tuple[RecipientToken, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    response = render(
        request,
        "privacy/recipients.html",
        {
            "tokens": selectors.recipient_tokens(actor.organization_id),
            "purposes": [(p, rule.PURPOSE_LABELS[p]) for p in RECIPIENT_PURPOSES],
            "form": form,
            "issued": issued,
            "now": timezone.now(),
        },
        status=status,
    )
    if issued is not None:
        response["Cache-Control"] = "no-store"  # the raw token is shown this once
    return response


@staff_view("recipient_token.manage")
def recipients(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The privacy officer's page of outside recipients' FHIR tokens: the list, and a token
    issued to one recipient for one purpose (its raw value shown once, here)."""
    if request.method != "POST":
        return _recipients_page(request, actor)
    p = request.POST
    try:
        data = _posted(
            request,
            RecipientTokenIn,
            {
                "recipient_name": p.get("recipient_name", ""),
                "recipient_organization": p.get("recipient_organization", ""),
                "purpose": p.get("purpose", ""),
                "label": p.get("label", ""),
                "days": p.get("days", "") or None,
            },
        )
        issued = services.recipient_token_issue(actor, data)
    except (DomainError, _Invalid) as exc:
        form = refused(
            request,
            "recipient-token",
            exc.exc if isinstance(exc, _Invalid) else exc,
            labels=RECIPIENT_TOKEN_LABELS,
            title="No token issued",
        )
        return _recipients_page(request, actor, form=form, status=form.status)
    return _recipients_page(request, actor, issued=issued, status=201)


@staff_view("recipient_token.manage")
def recipient_revoke(request: HttpRequest, actor: Actor, token_id: int) -> HttpResponse:
    if request.method == "POST":
        token = services.recipient_token_revoke(actor, token_id)
        say_done(
            request,
            "recipient-tokens",
            f"The token {token.prefix}… of {token.recipient_name} is revoked.",
        )
    return redirect("privacy:recipients")
