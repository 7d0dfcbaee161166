"""Recovery check-ins: links a person answers without signing in, check-ins by phone,
trends and abstinence days: pages.

The public page ``/check-in/<secret>/`` has no sign-in and sets no cookie: it never
touches the session or the messages framework and renders no CSRF token, so it is
``csrf_exempt`` — the secret in the address is the capability (CSRF abuses the authority
of a signed-in browser; this page relies on none). It loads nothing from another host and
never shows the person's name (a link may be seen by others), only the clinic's. An
unknown, revoked or expired link answers the same 404 page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from waypoint.clinical import checkins as rules
from waypoint.clinical.recovery import PHQ2_POSITIVE
from waypoint.core.errors import DomainError, NotFound
from waypoint.core.netaddr import client_address
from waypoint.core.selectors import site_today
from waypoint.core.web import Actor, done_redirect, refused, say_done, staff_view
from waypoint.patients.chart import ChartSection, chart_done, register_section
from waypoint.patients.selectors import patient_get

from ..selectors import checkins as selectors
from ..services import checkins as services
from .checkin_trend import trend_svg

SECTION_KEY = "check-ins"

# --- the public page's words (English, Spanish) --------------------------------------------
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Recovery check-in",
        "intro": "A few questions from your clinic. It takes a minute. Only your care team "
        "sees the answers.",
        "craving": "How strong is your craving right now? (0 = none, 10 = the strongest)",
        "days": "How many days since you last used? (leave empty if you prefer not to say)",
        "meetings": "How many recovery meetings (AA, NA, SMART, alumni group…) did you go "
        "to in the past 7 days? (optional)",
        "phq_intro": "Over the last 2 weeks, how often have you been bothered by:",
        "q1": "Little interest or pleasure in doing things",
        "q2": "Feeling down, depressed, or hopeless",
        "a0": "Not at all",
        "a1": "Several days",
        "a2": "More than half the days",
        "a3": "Nearly every day",
        "help": "I need help now: please have someone from the clinic contact me",
        "send": "Send my answers",
        "errors": "Some answers need a look:",
        "thanks": "Thank you. Your answers were sent to your care team.",
        "help_now": "You asked for help. Someone from your clinic will try to reach you "
        "within the hour. Don't wait if you need help now:",
        "call988": "Call or text 988 (Suicide & Crisis Lifeline), any time.",
        "samhsa": "SAMHSA National Helpline: 1-800-662-4357 (free, confidential, 24/7).",
        "danger": "If you or someone else is in danger, or someone may be overdosing, call "
        "911 and give naloxone.",
        "crisis": "In crisis? Call or text 988 any time. In danger? Call 911.",
        "again": "You can answer again later with the same link.",
        "not_found_title": "Link not found",
        "not_found": "This check-in link does not work: it may have expired or been "
        "replaced. Ask your clinic for a new one.",
        "busy_title": "Already answered today",
        "foot": "No sign-in, no cookies: this page loads nothing from any other site.",
        "other_lang": "Español",
        "yes": "Yes",
        "optional": "optional",
    },
    "es": {
        "title": "Seguimiento de recuperación",
        "intro": "Unas preguntas de su clínica. Toma un minuto. Solo su equipo de atención "
        "ve las respuestas.",
        "craving": "¿Qué tan fuerte es su deseo de consumir ahora? (0 = nada, 10 = el más fuerte)",
        "days": "¿Cuántos días han pasado desde la última vez que consumió? (déjelo vacío "
        "si prefiere no decirlo)",
        "meetings": "¿A cuántas reuniones de recuperación (AA, NA, SMART, grupo de "
        "exalumnos…) fue en los últimos 7 días? (opcional)",
        "phq_intro": "Durante las últimas 2 semanas, ¿con qué frecuencia le han molestado:",
        "q1": "Poco interés o placer en hacer cosas",
        "q2": "Sentirse decaído(a), deprimido(a) o sin esperanza",
        "a0": "Nunca",
        "a1": "Varios días",
        "a2": "Más de la mitad de los días",
        "a3": "Casi todos los días",
        "help": "Necesito ayuda ahora: que alguien de la clínica se comunique conmigo",
        "send": "Enviar mis respuestas",
        "errors": "Revise algunas respuestas:",
        "thanks": "Gracias. Sus respuestas se enviaron a su equipo de atención.",
        "help_now": "Usted pidió ayuda. Alguien de su clínica intentará comunicarse con "
        "usted dentro de una hora. Si necesita ayuda ahora, no espere:",
        "call988": "Llame o envíe un mensaje de texto al 988 (Línea de Prevención del "
        "Suicidio y Crisis), a cualquier hora.",
        "samhsa": "Línea Nacional de Ayuda de SAMHSA: 1-800-662-4357 (gratis, confidencial, 24/7).",
        "danger": "Si usted u otra persona está en peligro, o alguien puede estar "
        "sufriendo una sobredosis, llame al 911 y dé naloxona.",
        "crisis": "¿En crisis? Llame o envíe un texto al 988. ¿En peligro? Llame al 911.",
        "again": "Puede responder otra vez más tarde con el mismo enlace.",
        "not_found_title": "Enlace no encontrado",
        "not_found": "Este enlace no funciona: puede haber vencido o haber sido "
        "reemplazado. Pida uno nuevo a su clínica.",
        "busy_title": "Ya respondió hoy",
        "foot": "Sin inicio de sesión, sin cookies: esta página no carga nada de otros sitios.",
        "other_lang": "English",
        "yes": "Sí",
        "optional": "opcional",
    },
}
ERRORS_ES = {
    "craving": "El deseo de consumir debe ser un número entero de 0 a 10.",
    "days_since_use": "Los días desde el último consumo deben ser un número entero de 0 a "
    f"{rules.DAYS_SINCE_USE_MAX:,}, o quedar vacío.",
    "meetings": f"Las reuniones deben ser un número entero de 0 a {rules.MEETINGS_MAX}, o "
    "quedar vacío.",
    "phq2_q1": "Poco interés o placer: elija una respuesta.",
    "phq2_q2": "Sentirse decaído(a): elija una respuesta.",
    "need_help": "Diga si necesita ayuda ahora.",
}
BUSY_ES = "Este enlace ya se respondió varias veces hoy. Intente mañana o llame a su clínica."


def _lang(request: HttpRequest) -> str:
    value = request.POST.get("lang") or request.GET.get("lang") or ""
    return "es" if value == "es" else "en"


def _public(
    request: HttpRequest, template: str, context: dict, status: int = 200, lang: str = "en"
) -> HttpResponse:
    # Never the session, messages or a CSRF token here: each would set a cookie.
    return render(
        request,
        template,
        {**context, "w": WORDS[lang], "lang": lang, "other": "en" if lang == "es" else "es"},
        status=status,
    )


def _whole(raw: str | None) -> object:
    """A typed answer as a whole number; empty as ``None``; anything else as typed (the
    rule then says what is wrong)."""
    text = (raw or "").strip()
    if not text:
        return None
    if text.isascii() and (text.isdigit() or (text.startswith("-") and text[1:].isdigit())):
        return int(text[:12])
    return text[:20]


def posted_answers(post) -> dict[str, object]:
    """The check-in form's answers (public page and phone page share the names)."""
    return {
        "craving": _whole(post.get("craving")),
        "days_since_use": _whole(post.get("days_since_use")),
        "meetings": _whole(post.get("meetings")),
        "phq2_q1": _whole(post.get("phq2_q1")),
        "phq2_q2": _whole(post.get("phq2_q2")),
        "need_help": post.get("need_help") in ("on", "yes", "1", "true"),
    }


def _form_context(lang: str) -> dict:
    w = WORDS[lang]
    return {
        "craving_values": list(range(0, 11)),
        "phq_answers": [(i, w[f"a{i}"]) for i in range(4)],
        "phq_items": [("phq2_q1", w["q1"]), ("phq2_q2", w["q2"])],
        "days_max": rules.DAYS_SINCE_USE_MAX,
        "meetings_max": rules.MEETINGS_MAX,
    }


@csrf_exempt  # see the module docstring: the secret in the address is the capability
@require_http_methods(["GET", "POST"])
def public_check_in(request: HttpRequest, secret: str) -> HttpResponse:
    lang = _lang(request)
    link = selectors.link_by_secret(secret)
    if link is None:
        return _public(request, "recovery/checkins_public_gone.html", {}, 404, lang)
    clinic = link.organization.name
    context = {"clinic": clinic, "values": {}, "errors": {}, **_form_context(lang)}
    if request.method == "GET":
        return _public(request, "recovery/checkins_public.html", context, lang=lang)
    values = posted_answers(request.POST)
    try:
        check_in = services.check_in_submit(secret, client_address(request), values)
    except NotFound:
        return _public(request, "recovery/checkins_public_gone.html", {}, 404, lang)
    except DomainError as exc:
        if exc.code == "rate_limited":
            message = BUSY_ES if lang == "es" else exc.message
            return _public(
                request,
                "recovery/checkins_public_busy.html",
                {"clinic": clinic, "message": message},
                429,
                lang,
            )
        errors = dict(exc.extra.get("errors") or {"": exc.message})
        if lang == "es":
            errors = {k: ERRORS_ES.get(k, v) for k, v in errors.items()}
        context.update(
            values={k: ("" if v is None else v) for k, v in values.items()}, errors=errors
        )
        return _public(request, "recovery/checkins_public.html", context, 422, lang)
    return _public(
        request,
        "recovery/checkins_public_done.html",
        {"clinic": clinic, "need_help": check_in.need_help},
        lang=lang,
    )


# --- staff pages ----------------------------------------------------------------------------
def _qr(url: str) -> SafeString:
    """The link as a QR code, an inline SVG drawn on the server (segno: rectangles of the
    code's modules and a fixed title)."""
    import segno

    qr = segno.make(url, error="m", micro=False)
    return mark_safe(  # noqa: S308 - modules and a fixed title only
        str(qr.svg_inline(scale=4, border=2, omitsize=True, title="QR code of the check-in link"))
    )


@staff_view("checkin.manage")
@require_http_methods(["GET", "POST"])
def links_page(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    patient = patient_get(actor, patient_id, purpose_detail="check-in links")
    made = None
    form = None
    status = 200
    if request.method == "POST":
        raw = (request.POST.get("expires_in_days") or "").strip()
        days = _whole(raw) if raw else None
        try:
            if days is not None and not isinstance(days, int):
                raise DomainError(
                    "invalid_input",
                    f"A link lasts from {services.LINK_DAYS_MIN} to {services.LINK_DAYS_MAX} days.",
                    field="expires_in_days",
                )
            link, secret = services.link_create(actor, patient.pk, days)
        except DomainError as exc:
            form = refused(
                request,
                "check-in-link",
                exc,
                ids={"expires_in_days": "link-days"},
                title="No link made",
            )
            status = form.status
        else:
            url = request.build_absolute_uri(services.CHECK_IN_PATH.format(secret=secret))
            made = {"url": url, "expires_at": link.expires_at, "qr": _qr(url)}
            status = 201
    now = timezone.now()
    return render(
        request,
        "recovery/checkins_links.html",
        {
            "patient": patient,
            "made": made,
            "form": form,
            "links": selectors.links_with_counts(actor.organization_id, patient.pk, now),
            "default_days": services.DEFAULT_LINK_DAYS,
            "min_days": services.LINK_DAYS_MIN,
            "max_days": services.LINK_DAYS_MAX,
        },
        status=status,
    )


@staff_view("checkin.manage")
@require_http_methods(["POST"])
def link_revoke(request: HttpRequest, actor: Actor, link_id: int) -> HttpResponse:
    link = services.link_revoke(actor, link_id)
    say_done(request, "check-in-links", "Link revoked: it no longer opens the check-in.")
    return done_redirect(
        reverse("recovery:checkin_links", args=[link.patient_id]), "check-in-links"
    )


@staff_view("checkin.manage")
@require_http_methods(["GET", "POST"])
def phone_page(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    patient = patient_get(actor, patient_id, purpose_detail="phone check-in")
    form = None
    status = 200
    if request.method == "POST":
        try:
            check_in = services.check_in_record(actor, patient.pk, posted_answers(request.POST))
        except DomainError as exc:
            errors = exc.extra.get("errors")
            form = refused(
                request,
                "phone-check-in",
                errors if isinstance(errors, dict) else exc,
                ids={
                    "craving": "ci-craving",
                    "days_since_use": "ci-days",
                    "meetings": "ci-meetings",
                    "phq2_q1": "ci-phq2_q1",
                    "phq2_q2": "ci-phq2_q2",
                },
                title="Check-in not recorded",
            )
            status = form.status
        else:
            text = f"Check-in by phone recorded: craving {check_in.craving}, PHQ-2 " + (
                f"{check_in.phq2_total}."
            )
            if check_in.phq2_total >= PHQ2_POSITIVE:
                text += " PHQ-2 positive: give a PHQ-9."
            if check_in.need_help:
                text += " Help asked: an outreach task is open, due within 1 hour."
            return chart_done(request, patient.pk, SECTION_KEY, text)
    return render(
        request,
        "recovery/checkins_phone.html",
        {"patient": patient, "form": form, **_form_context("en")},
        status=status,
    )


# --- the chart section ----------------------------------------------------------------------
def chart_context(actor: Actor, patient) -> dict:
    """The chart's "Check-ins" section (the chart page's read is audited once for the whole
    chart)."""
    org = actor.organization_id
    tz = patient.site.tz
    now = timezone.now()
    today = site_today(patient.site)
    check_ins = list(selectors.check_ins_of(org, patient.pk)[:200])
    rows = selectors.trend_rows(check_ins, now)
    latest_help = next((c for c in check_ins if c.need_help), None)
    latest = check_ins[0] if check_ins else None
    phq9_due = bool(
        latest
        and latest.phq2_total >= PHQ2_POSITIVE
        and not selectors.phq9_since(org, patient.pk, latest.submitted_at)
    )
    abstinence = selectors.abstinence(org, patient.pk, tz, today)
    return {
        "check_ins": list(reversed(rows)),
        "shown": len(rows),
        "total": len(check_ins),
        "trend": trend_svg(rows, tz),
        "latest_help": latest_help,
        "latest": latest,
        "phq9_due": phq9_due,
        "phq9_url": reverse("assessments:record", args=[patient.pk, "phq9"]),
        "last_use_on": abstinence.last_use_on,
        "days_abstinent": abstinence.days_abstinent,
        "meetings_by_month": selectors.meetings_by_month(check_ins, tz),
        "can_manage": actor.can("checkin.manage"),
        "can_assess": actor.can("assessment.record"),
        "links_url": reverse("recovery:checkin_links", args=[patient.pk]),
        "phone_url": reverse("recovery:checkin_phone", args=[patient.pk]),
        "positive": PHQ2_POSITIVE,
    }


SECTION = ChartSection(
    SECTION_KEY,
    "Check-ins",
    "recovery/checkins_section.html",
    62,
    "recovery.view",
    chart_context,
)

urlpatterns: list[URLPattern] = [
    path("recovery/patients/<id:patient_id>/check-in-links/", links_page, name="checkin_links"),
    path("recovery/check-in-links/<id:link_id>/revoke/", link_revoke, name="checkin_link_revoke"),
    path("recovery/patients/<id:patient_id>/check-ins/", phone_page, name="checkin_phone"),
    path("check-in/<str:secret>/", public_check_in, name="check_in"),
]


def register() -> None:
    """Chart sections, banner providers, home panels and hooks of this part."""
    register_section(SECTION)
