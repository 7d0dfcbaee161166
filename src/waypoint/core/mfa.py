"""The second sign-in factor (issue 16; docs/SIGN-IN.md): TOTP through django-otp, with
single-use recovery codes (django-otp's static device).

A staff member of a role in ``WAYPOINT_MFA_REQUIRED_ROLES`` must enrol before reaching any
page; others may enrol from their account page. Once enrolled, signing in takes two steps:
the password (Django's sign-in), then a 6-digit code or a recovery code (``verify``), which
marks the session verified the way django-otp does (``django_otp.login``). Enrolments,
recovery-code renewals and an admin's reset are audited through ``core.auditing`` in the
same transaction; sign-ins and failures are audited by ``audit/signins.py``.
"""

from __future__ import annotations

import base64
import re
import secrets
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import auditing
from .errors import DomainError

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.utils.safestring import SafeString
    from django_otp.models import Device

    from .actor import Actor
    from .models import User

RECOVERY_CODES = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


# --- reads ---------------------------------------------------------------------------------
def required(user: Any) -> bool:
    """Whether ``user``'s role must use a second factor."""
    return str(getattr(user, "role", "")) in settings.WAYPOINT_MFA_REQUIRED_ROLES


def totp_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return (
        TOTPDevice.objects.filter(user=user, confirmed=confirmed, name=TOTP_NAME)
        .order_by("-pk")
        .first()
    )


def enrolled(user: User) -> bool:
    """Whether ``user`` has a confirmed authenticator."""
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def session_state(request: HttpRequest) -> str:
    """``"ok"`` (verified, or no second factor needed), ``"verify"`` (enrolled, the code
    step still to do) or ``"enrol"`` (a required role without an authenticator)."""
    user: Any = request.user
    if not user.is_authenticated:
        return "ok"
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return "ok"
    if enrolled(user):
        return "verify"
    return "enrol" if required(user) else "ok"


def secret_text(device: TOTPDevice) -> str:
    """The key as base32 in groups of four, for typing into an authenticator by hand."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The device's ``otpauth://`` address as a QR code, an inline SVG drawn on the server
    (segno: only rectangles of the code's modules and a fixed title, no text of anyone's)."""
    import segno
    from django.utils.safestring import mark_safe

    qr = segno.make(device.config_url, error="m", micro=False)
    svg = str(
        qr.svg_inline(scale=5, border=2, omitsize=True, title="QR code for your authenticator app")
    )
    return mark_safe(svg)  # noqa: S308 - modules and a fixed title only


# --- writes --------------------------------------------------------------------------------
def enrolment_start(user: User) -> TOTPDevice:
    """The authenticator being set up (unconfirmed): the same one until it is confirmed, so
    reloading the page keeps the key."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
        code = f"{raw[:5]}-{raw[5:]}"
        StaticToken.objects.create(device=device, token=code)
        codes.append(code)
    return codes


def enrolment_confirm(actor: Actor, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator being set up with a code it shows; replaces any earlier
    one and makes new recovery codes (returned once, never shown again)."""
    user = actor.user
    with transaction.atomic():
        device = totp_device(user, confirmed=False)
        if device is None:
            raise DomainError("no_enrolment", "Start again: open the set-up page.", field="code")
        digits = re.sub(r"\s", "", code or "")
        if not re.fullmatch(r"\d{6}", digits):
            raise DomainError("invalid_code", "Enter the 6-digit code.", field="code")
        if not device.verify_token(digits):
            raise DomainError(
                "wrong_code",
                "That code is not the one your app shows now: check the app's clock and "
                "enter the newest code.",
                field="code",
            )
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        auditing.record(actor, "second_factor_enrol", "user", user.pk, username=user.username)
    return device, codes


def recovery_codes_renew(actor: Actor) -> list[str]:
    """New recovery codes for the signed-in user (the old ones stop working)."""
    user = actor.user
    with transaction.atomic():
        if not enrolled(user):
            raise DomainError("not_enrolled", "Set up an authenticator first.")
        codes = _new_recovery_codes(user)
        auditing.record(actor, "recovery_codes_renew", "user", user.pk, username=user.username)
    return codes


def verify(user: User, code: str) -> tuple[Device | None, str]:
    """The device that accepts ``code`` (a 6-digit code, or a recovery code, used up) and
    which kind it was; ``(None, kind)`` when refused. django-otp throttles each device
    after failures."""
    text = (code or "").strip().lower()
    digits = re.sub(r"\s", "", text)
    # the devices are locked while a code is checked, so one code cannot be used twice by
    # two requests at once (as django_otp.verify_token does)
    with transaction.atomic():
        if re.fullmatch(r"\d{6}", digits):
            for totp in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
                if totp.verify_token(digits):
                    return totp, "totp"
            return None, "totp"
        recovery = re.sub(r"[\s-]", "", text)
        if re.fullmatch(r"[a-z0-9]{10}", recovery):
            formatted = f"{recovery[:5]}-{recovery[5:]}"
            devices = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
            for static in devices:
                if static.verify_token(formatted):
                    return static, "recovery_code"
            return None, "recovery_code"
    return None, "malformed"


def second_factor_reset(actor: Actor, user_id: int) -> User:
    """An admin removes a staff member's authenticator and recovery codes (a lost phone):
    they are signed out everywhere and enrol again at their next sign-in (required roles)
    or from their account page."""
    from .services import _end_sessions, _staff_locked

    actor.require("user.manage")
    with transaction.atomic():
        user = _staff_locked(actor, user_id)
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        removed += StaticDevice.objects.filter(user=user).delete()[0]
        auditing.record(
            actor, "second_factor_reset", "user", user.pk, username=user.username, devices=removed
        )
    _end_sessions(user)
    return user


def reauthenticate(
    organization_id: int, username: str, *, password: str = "", code: str = ""
) -> User:
    """A colleague confirms who they are inside someone else's request (the stock witness):
    their active account in this organization, and their password or a current 6-digit
    code of their authenticator. Refusals: ``witness_credentials_required`` (neither
    given), ``unknown_witness`` (no such active colleague, as before) and
    ``witness_not_verified`` (403: the password or code is wrong). Nothing is written by the
    caller when this refuses."""
    from .models import User

    username = (username or "").strip()[:150]
    if not password and not code:
        raise DomainError(
            "witness_credentials_required",
            "The witness confirms with their password or the code of their authenticator.",
            field="witness_password",
        )
    user = User.objects.filter(
        organization_id=organization_id, username=username, is_active=True
    ).first()
    if user is None:
        raise DomainError("unknown_witness", f"No staff member {username!r}.", field="witness")
    ok = False
    if password:
        ok = user.check_password(password[:200])
    elif code:
        digits = re.sub(r"\s", "", code)
        with transaction.atomic():
            devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
            ok = bool(re.fullmatch(r"\d{6}", digits)) and any(
                d.verify_token(digits) for d in devices
            )
    if not ok:
        raise DomainError(
            "witness_not_verified",
            "The witness's password or code is not right: nothing was recorded.",
            status=403,
            field="witness_password",
        )
    return user
