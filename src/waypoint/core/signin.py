"""The sign-in pages (issue 16; docs/SIGN-IN.md): the password step with its per-address
throttle, the second step (a 6-digit code or a recovery code), the authenticator set-up,
and the account page (second factor, recovery codes, API tokens).

Thin views over ``core.mfa``, ``core.lockout`` and ``core.services``; every refusal is
shown in words beside its field, with the status of the refusal.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from . import auditing, mfa, selectors, services
from .actor import Actor, client_address
from .errors import DomainError
from .lockout import reset_username, throttle_signin
from .web import EMPTY_FORM, FormState, done_redirect, refused, say_done, staff_view

CODE_IDS = {"code": "id_code"}


def _actor(request: HttpRequest) -> Actor:
    return Actor(
        user=request.user,  # type: ignore[arg-type]
        client_address=client_address(request),
        purpose="operations",
        channel="html",
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


class SignInView(LoginView):
    """Django's sign-in (the password step), behind a per-address throttle of its POSTs.
    A password alone completes the sign-in only for someone with no second factor who is
    not required to have one; otherwise the session goes on to the code step or the set-up
    page (core/middleware.py ``SecondFactorMiddleware``)."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = throttle_signin(request)
        if wait:
            response = render(
                request,
                "registration/throttled.html",
                {"minutes": max(1, (wait + 59) // 60)},
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        if not mfa.enrolled(user) and not mfa.required(user):
            reset_username(user.get_username())  # the sign-in is complete
        return response


def verify(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator, or a recovery code. A wrong one
    counts toward the lockout like a wrong password (it is a failed sign-in)."""
    from axes.handlers.proxy import AxesProxyHandler
    from django_otp import login as otp_login

    user: Any = request.user
    if not user.is_authenticated:
        return redirect("login")
    state = mfa.session_state(request)
    if state != "verify":
        return redirect(_next(request)) if state == "ok" else redirect("account_mfa")
    form = EMPTY_FORM
    credentials = {"username": user.get_username()}
    if request.method == "POST":
        if not AxesProxyHandler.is_allowed(request, credentials):
            logout(request)
            request.axes_locked_out = True  # type: ignore[attr-defined]
            return render(request, "registration/locked_out.html", status=429)
        device, kind = mfa.verify(user, request.POST.get("code", "")[:40])
        if device is not None:
            otp_login(request, device)
            reset_username(user.get_username())
            auditing.record(
                _actor(request),
                "sign_in_verified",
                "session",
                user.pk,
                method=kind,
                **(
                    {"recovery_codes_left": mfa.recovery_codes_left(user)} if kind != "totp" else {}
                ),
            )
            return HttpResponseRedirect(_next(request))
        user_login_failed.send(
            sender=__name__,
            credentials={**credentials, "second_factor": kind},
            request=request,
        )
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return render(request, "registration/locked_out.html", status=429)
        message = {
            "totp": "That code is not right. Enter the newest code your app shows.",
            "recovery_code": "That recovery code is not right or was already used.",
        }.get(kind, "Enter the 6-digit code from your app, or one of your recovery codes.")
        form = refused(request, "verify", {"code": message}, ids=CODE_IDS, title="Not signed in")
        form.status = 401
    return render(
        request,
        "registration/verify.html",
        {"form": form, "next": _next(request), "hide_menu": True},
        status=form.status if form.key else 200,
    )


def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator: the QR code and the key in text, then the code it shows.
    Required roles land here right after the password until it is done."""
    from django_otp import login as otp_login

    user: Any = request.user
    if not user.is_authenticated:
        return redirect("login")
    state = mfa.session_state(request)
    if state == "verify":
        return redirect("login_verify")
    if mfa.enrolled(user):
        return redirect("account")
    device = mfa.enrolment_start(user)
    form = EMPTY_FORM
    if request.method == "POST":
        try:
            device, codes = mfa.enrolment_confirm(
                _actor(request), request.POST.get("code", "")[:40]
            )
        except DomainError as exc:
            form = refused(request, "enrol", exc, ids=CODE_IDS, title="Not set up yet")
        else:
            otp_login(request, device)
            return render(
                request, "core/account/recovery_codes.html", {"codes": codes, "first": True}
            )
    return render(
        request,
        "core/account/enrol.html",
        {
            "form": form,
            "qr": mfa.qr_svg(device),
            "secret": mfa.secret_text(device),
            "required": mfa.required(user),
            "hide_menu": state == "enrol",
        },
        status=form.status if form.key else 200,
    )


@staff_view()
def account(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The staff member's own account: the second factor (set up, recovery codes left, new
    recovery codes) and their API tokens (revoke); an admin also sees and revokes the
    organization's tokens."""
    url = reverse("account")
    form: FormState = EMPTY_FORM
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            if op == "recovery":
                codes = mfa.recovery_codes_renew(actor)
                return render(
                    request, "core/account/recovery_codes.html", {"codes": codes, "first": False}
                )
            if op == "revoke":
                token_id = request.POST.get("token", "")
                if not token_id.isdigit() or len(token_id) > 18:
                    raise DomainError("invalid_token_id", "Choose a token.")
                token = services.token_revoke_one(actor, int(token_id))
                say_done(request, "tokens", f"Token {token.prefix}… revoked.")
                return done_redirect(url, "tokens")
            raise DomainError("unknown_operation", "Choose an action.")
        except DomainError as exc:
            form = refused(request, "tokens" if op == "revoke" else "second-factor", exc)
    user: Any = actor.user
    return render(
        request,
        "core/account/account.html",
        {
            "enrolled": mfa.enrolled(user),
            "required": mfa.required(user),
            "recovery_left": mfa.recovery_codes_left(user),
            "tokens": selectors.api_tokens(actor),
            "org_tokens": (
                selectors.api_tokens(actor, organization=True) if actor.can("user.manage") else []
            ),
            "token_days": settings.WAYPOINT_TOKEN_DAYS,
            "form": form,
        },
        status=form.status if form.key else 200,
    )
