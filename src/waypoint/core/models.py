"""Organizations (the tenant), sites, staff accounts and API tokens."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from .permissions import Role


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone")


class Organization(models.Model):
    """The tenant. Every table holding patient data carries ``organization_id``."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    # Next medical record number to hand out; locked with select_for_update when used.
    next_mrn = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A clinic location with its own time zone (a dosing day is a site-local day)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="sites")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    address = models.CharField(max_length=300, blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="site_code_unique_in_org")
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class User(AbstractUser):
    """A staff account: one organization, one role, a home site."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="staff", null=True
    )
    role = models.CharField(max_length=20, choices=[(r.value, r.value) for r in Role])
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="staff", null=True)

    REQUIRED_FIELDS = ["email"]

    @property
    def role_label(self) -> str:
        from .permissions import ROLE_LABELS

        return ROLE_LABELS.get(Role(self.role), self.role) if self.role else ""


def hash_token(raw: str) -> str:
    """Tokens are 256-bit random strings, so one SHA-256 is enough to store them safely."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the JSON API, stored hashed; revocable; it expires
    (``expires_at``, ``WAYPOINT_TOKEN_DAYS`` after it was made unless given) and knows when
    it was last used (written at most every ``WAYPOINT_TOKEN_LAST_USED_SECONDS``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    label = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # issue 16: expiry and last use (tokens made before expiry existed were given
    # WAYPOINT_TOKEN_DAYS from the migration's time: migration 0003)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token {self.prefix}… of {self.user_id}"

    @staticmethod
    def generate() -> str:
        return "wp_" + secrets.token_urlsafe(32)


class SignInThrottle(models.Model):
    """How many sign-in POSTs one client address made in the current window
    (core/lockout.py ``throttle_signin``); rows of old windows are deleted as it goes."""

    scope = models.CharField(max_length=20)
    address = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "address"], name="signin_throttle_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.address}: {self.count}"
