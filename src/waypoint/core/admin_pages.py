"""The administration pages (admin role): staff accounts, sites, organization settings.

Thin views over ``core.services`` (the functions the command line also uses, with the
same rules and refusal codes) and ``core.selectors``; every change is audited by the
service. A deactivation or a site's closing asks for a confirmation first. Included from
``core/urls.py`` under ``/manage/``.
"""

from __future__ import annotations

import zoneinfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from . import mfa, selectors, services
from .errors import DomainError
from .permissions import ROLE_LABELS, Role, allowed
from .web import (
    EMPTY_FORM,
    Actor,
    FormState,
    confirm_page,
    confirmed,
    done_redirect,
    refused,
    say_done,
    staff_view,
)

STAFF_IDS = {
    "username": "username",
    "role": "role",
    "site": "site",
    "password": "password",
    "first_name": "first_name",
    "last_name": "last_name",
    "email": "email",
    "reason": "reason",
}
SITE_IDS = {"code": "code", "name": "name", "timezone": "timezone", "active": "active"}
# refusals of the shared rules that concern one field of the form
FIELD_OF = {
    "unknown_role": "role",
    "invalid_username": "username",
    "user_exists": "username",
    "weak_password": "password",
    "invalid_site_code": "code",
    "site_exists": "code",
    "invalid_site_name": "name",
    "invalid_timezone": "timezone",
}


def _refused(request: HttpRequest, key: str, exc: DomainError, ids: dict[str, str]) -> FormState:
    if not exc.extra.get("field") and exc.code in FIELD_OF:
        exc.extra["field"] = FIELD_OF[exc.code]
    state = refused(request, key, exc, ids=ids)
    state.values.pop("password", None)  # a password is never sent back to the page
    return state


def _roles() -> list[tuple[str, str]]:
    return [(r.value, ROLE_LABELS[r]) for r in Role]


TIMEZONES = sorted(
    z for z in zoneinfo.available_timezones() if z.startswith(("America/", "Pacific/", "US/"))
)


@staff_view("user.manage")
def manage_home(request: HttpRequest, actor: Actor) -> HttpResponse:
    staff = selectors.staff_members(actor)
    sites = selectors.organization_sites(actor)
    return render(
        request,
        "core/manage/home.html",
        {
            "active_staff": sum(1 for u in staff if u.is_active),
            "inactive_staff": sum(1 for u in staff if not u.is_active),
            "locked": selectors.locked_out([u.username for u in staff]),
            "sites": sites,
            "can_sites": actor.can("site.manage"),
            "settings": _settings(actor),
        },
    )


def _settings(actor: Actor) -> list[dict[str, str]]:
    """The organization's settings and where each is changed."""
    out = []
    if actor.can("medication.settings"):
        out.append(
            {
                "name": "Dosing, take-home and drug-testing limits",
                "where": "/medication/settings/",
                "url": reverse("medication:settings"),
                "note": "A federal limit (42 CFR 8.12) may only be tightened. "
                "For integrators: GET / PATCH /api/v1/settings/medication.",
            }
        )
    if actor.can("incentives.settings"):
        out.append(
            {
                "name": "Contingency management schedule and yearly cap",
                "where": "/incentives/settings/",
                "url": reverse("incentives:settings"),
                "note": "First award, step, bonus, reset and the cap. "
                "For integrators: GET / PATCH /api/v1/settings/incentives.",
            }
        )
    if actor.can("rewards.manage"):
        out.append(
            {
                "name": "Rewards catalog and monthly budget of each site",
                "where": "/incentives/ (the coordinator's board)",
                "url": reverse("incentives:board"),
                "note": "",
            }
        )
    if actor.can("directory.publish"):
        out.append(
            {
                "name": "The sites listed in the public treatment locator",
                "where": "/directory/listing/",
                "url": reverse("directory:listing"),
                "note": "",
            }
        )
    return out


@staff_view("user.manage")
def staff_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = EMPTY_FORM
    if request.method == "POST":
        try:
            user = services.staff_create(
                actor,
                username=request.POST.get("username", ""),
                role=request.POST.get("role", ""),
                site_id=request.POST.get("site"),
                password=request.POST.get("password", ""),
                first_name=request.POST.get("first_name", ""),
                last_name=request.POST.get("last_name", ""),
                email=request.POST.get("email", ""),
            )
        except DomainError as exc:
            form = _refused(request, "staff-new", exc, STAFF_IDS)
        else:
            say_done(
                request,
                "staff-list",
                f"Account {user.username} created ({user.role_label}, "
                f"{user.site.code if user.site else 'no site'}). "
                "Give the password to the person in private; they should change it.",
            )
            return done_redirect(reverse("manage:staff"), "staff-list")
    staff = selectors.staff_members(actor)
    return render(
        request,
        "core/manage/staff.html",
        {
            "staff": staff,
            "locked": selectors.locked_out([u.username for u in staff]),
            "roles": _roles(),
            "sites": selectors.organization_sites(actor, include_closed=False),
            "form": form,
        },
        status=form.status if form.key else 200,
    )


@staff_view("user.manage")
def staff_detail(request: HttpRequest, actor: Actor, user_id: int) -> HttpResponse:
    member = selectors.staff_member(actor, user_id)
    url = reverse("manage:staff_member", args=[member.pk])
    form = EMPTY_FORM
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            if op == "update":
                services.staff_update(
                    actor,
                    member.pk,
                    role=request.POST.get("role", ""),
                    site_id=request.POST.get("site"),
                    first_name=request.POST.get("first_name", ""),
                    last_name=request.POST.get("last_name", ""),
                    email=request.POST.get("email", ""),
                )
                say_done(request, "staff-update", "Account saved.")
                return done_redirect(url, "staff-update")
            if op == "password":
                if request.POST.get("password", "") != request.POST.get("password2", ""):
                    raise DomainError(
                        "passwords_differ", "The two passwords differ.", field="password"
                    )
                services.staff_password_reset(actor, member.pk, request.POST.get("password", ""))
                say_done(
                    request,
                    "staff-password",
                    "Password reset: the person is signed out everywhere and any lockout "
                    "is lifted. Give them the new password in private.",
                )
                return done_redirect(url, "staff-password")
            if op == "unlock":
                services.staff_unlock(actor, member.pk)
                say_done(request, "staff-access", "Sign-in lockout lifted.")
                return done_redirect(url, "staff-access")
            if op == "deactivate":
                reason = request.POST.get("reason", "").strip()
                if reason and member.is_active and not confirmed(request):
                    return confirm_page(
                        request,
                        question=f"Deactivate {member.get_full_name() or member.username}?",
                        action=url,
                        back_url=url,
                        confirm_label="Deactivate the account",
                        facts=[
                            ("Account", member.username),
                            ("Role", member.role_label),
                            ("Reason", reason),
                        ],
                        consequence=(
                            "They are signed out at once, cannot sign in, and their API "
                            "tokens stop working. Their records and audit history stay. "
                            "You can reactivate the account later."
                        ),
                    )
                services.staff_set_active(actor, member.pk, False, reason)
                say_done(request, "staff-access", "Account deactivated.")
                return done_redirect(url, "staff-access")
            if op == "second_factor_reset":
                if not confirmed(request):
                    return confirm_page(
                        request,
                        question=(
                            "Reset the second factor of "
                            f"{member.get_full_name() or member.username}?"
                        ),
                        action=url,
                        back_url=url,
                        confirm_label="Reset the second factor",
                        facts=[("Account", member.username), ("Role", member.role_label)],
                        consequence=(
                            "Their authenticator and recovery codes stop working and they are "
                            "signed out everywhere. They set up a new authenticator at their "
                            "next sign-in (required for their role) or from their account page. "
                            "Do this only once you are sure who asked (a lost phone)."
                        ),
                        fields=("op",),
                    )
                mfa.second_factor_reset(actor, member.pk)
                say_done(
                    request,
                    "staff-access",
                    "Second factor reset: they set up a new authenticator when they next sign in.",
                )
                return done_redirect(url, "staff-access")
            if op == "reactivate":
                services.staff_set_active(actor, member.pk, True)
                say_done(request, "staff-access", "Account reactivated.")
                return done_redirect(url, "staff-access")
            raise DomainError("unknown_operation", "Choose an action.")
        except DomainError as exc:
            key = {"update": "staff-update", "password": "staff-password"}.get(op, "staff-access")
            form = _refused(request, key, exc, STAFF_IDS)
    member = selectors.staff_member(actor, user_id)
    return render(
        request,
        "core/manage/staff_member.html",
        {
            "member": member,
            "is_self": member.pk == actor.user.pk,
            "locked": member.username in selectors.locked_out([member.username]),
            "tokens": member.api_tokens.filter(revoked_at__isnull=True).count(),
            "second_factor": mfa.enrolled(member),
            "second_factor_required": mfa.required(member),
            "roles": _roles(),
            "sites": selectors.organization_sites(actor, include_closed=False),
            "form": form,
            "permissions": [a for a in _actions() if allowed(member.role, a[0])],
        },
        status=form.status if form.key else 200,
    )


def _actions() -> list[tuple[str, str]]:
    from .permissions import MATRIX

    return [(a, meaning) for a, (_, meaning) in MATRIX.items()]


@staff_view("site.manage")
def site_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = EMPTY_FORM
    if request.method == "POST":
        try:
            site = services.site_add(
                actor,
                code=request.POST.get("code", ""),
                name=request.POST.get("name", ""),
                tz=request.POST.get("timezone", ""),
                address=request.POST.get("address", ""),
                phone=request.POST.get("phone", ""),
            )
        except DomainError as exc:
            form = _refused(request, "site-new", exc, SITE_IDS)
        else:
            say_done(request, "site-list", f"Site {site.code} created.")
            return done_redirect(reverse("manage:sites"), "site-list")
    return render(
        request,
        "core/manage/sites.html",
        {"sites": selectors.organization_sites(actor), "timezones": TIMEZONES, "form": form},
        status=form.status if form.key else 200,
    )


@staff_view("site.manage")
def site_detail(request: HttpRequest, actor: Actor, site_id: int) -> HttpResponse:
    site = selectors.organization_site(actor, site_id)
    url = reverse("manage:site", args=[site.pk])
    form = EMPTY_FORM
    if request.method == "POST":
        active = request.POST.get("active") == "1"
        if site.active and not active and not confirmed(request):
            return confirm_page(
                request,
                question=f"Close site {site.code} ({site.name})?",
                action=url,
                back_url=url,
                confirm_label="Close the site",
                facts=[("Site", f"{site.name} ({site.code})"), ("Time zone", site.timezone)],
                consequence=(
                    "It leaves the site pickers and boards; its patients, staff and history "
                    "stay. You can open it again later."
                ),
            )
        try:
            services.site_update(
                actor,
                site.pk,
                name=request.POST.get("name", ""),
                tz=request.POST.get("timezone", ""),
                address=request.POST.get("address", ""),
                phone=request.POST.get("phone", ""),
                active=active,
            )
        except DomainError as exc:
            form = _refused(request, "site-edit", exc, SITE_IDS)
        else:
            say_done(request, "site-edit", "Site saved.")
            return done_redirect(url, "site-edit")
    return render(
        request,
        "core/manage/site.html",
        {"site": site, "timezones": TIMEZONES, "form": form},
        status=form.status if form.key else 200,
    )
