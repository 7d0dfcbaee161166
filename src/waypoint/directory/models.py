"""The public directory of treatment facilities (not patient data: no organization scope,
readable by anyone). A facility comes from an import (SAMHSA's layouts), the synthetic
generator, or a site of an organization that publishes itself."""

from __future__ import annotations

from django.db import models

SOURCES = [
    ("samhsa", "SAMHSA directory file"),
    ("findtreatment", "FindTreatment.gov answer"),
    ("otp", "SAMHSA OTP directory"),
    ("synthetic", "Synthetic (tests and benchmarks)"),
    ("site", "Published by a site of the organization"),
]


class Facility(models.Model):
    # Identity: sha256 of the normalized name1, name2, street1, street2, city, state, zip
    # (imports) or "site:<id>" (a published site). A re-import finds the row by it.
    key = models.CharField(max_length=64, unique=True)
    source = models.CharField(max_length=16, choices=SOURCES)
    source_id = models.CharField(max_length=100, blank=True, default="")  # e.g. frid
    # a hash of every imported value: an unchanged re-imported row is not rewritten
    content_hash = models.CharField(max_length=64, blank=True, default="")
    active = models.BooleanField(default=True)

    name1 = models.CharField(max_length=200)
    name2 = models.CharField(max_length=200, blank=True, default="")
    street1 = models.CharField(max_length=200)
    street2 = models.CharField(max_length=200, blank=True, default="")
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    zip = models.CharField(max_length=5)
    zip4 = models.CharField(max_length=4, blank=True, default="")
    county = models.CharField(max_length=100, blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")
    intake_phone = models.CharField(max_length=40, blank=True, default="")
    hotline = models.CharField(max_length=40, blank=True, default="")
    website = models.CharField(max_length=300, blank=True, default="")
    latitude = models.FloatField()
    longitude = models.FloatField()
    type_facility = models.CharField(max_length=20, blank=True, default="")

    # What it offers, in Waypoint's names (directory/codes.py), and the raw source codes.
    levels_of_care = models.JSONField(default=list, blank=True)
    medications = models.JSONField(default=list, blank=True)
    payments = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    ages = models.JSONField(default=list, blank=True)
    populations = models.JSONField(default=list, blank=True)
    walk_in = models.BooleanField(null=True, blank=True)  # None: not known
    walk_in_hours = models.CharField(max_length=200, blank=True, default="")
    same_day_intake = models.BooleanField(null=True, blank=True)
    service_codes = models.JSONField(default=list, blank=True)  # per-value codes, sorted
    raw_services = models.JSONField(default=list, blank=True)  # the source's own form
    filter_mask = models.BigIntegerField(default=0)  # codes.FILTER_BITS of what it offers
    # A source listed what it offers (a FindTreatment.gov answer, a CSV with service columns,
    # the site itself); False: nobody published its services (SAMHSA's CSV has none).
    services_published = models.BooleanField(default=False)
    # The filter bits its sources have spoken to (codes.known_mask): a bit known and not in
    # filter_mask is "does not offer"; unknown is "not published: call to ask".
    known_mask = models.BigIntegerField(default=0)
    # The locator's answer for it (without id and distance), rendered at every write so a
    # server process builds its search index from five columns (index.public_fields).
    listing_json = models.TextField(blank=True, default="")

    # A site of an organization that published itself (contact requests go there).
    site = models.OneToOneField(
        "core.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="directory_listing",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="facility_lat_lon"),
            models.Index(fields=["zip"], name="facility_zip"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90)
                & models.Q(longitude__gte=-180, longitude__lte=180),
                name="facility_coordinates_in_range",
            ),
        ]
        verbose_name_plural = "facilities"

    def __str__(self) -> str:
        return f"{self.name1} ({self.city}, {self.state})"

    @property
    def name(self) -> str:
        return self.name1

    @property
    def accepts_contact(self) -> bool:
        return self.site_id is not None and self.active


MATCHES = [
    ("address", "Same address as a facility of the directory"),
    ("name_distance", "A facility close by with a like name"),
    ("added", "No facility matched: added as a facility of its own"),
]


class CertifiedProgram(models.Model):
    """A program of SAMHSA's directory of certified opioid treatment programs, as the file
    gives it (its raw identity), and the facility of the directory it is (matching.py).
    The facility offers methadone and the opioid_treatment_program level of care because of
    it; its name and address stay the richer source's."""

    # sha256 of the normalized name, street, city, state and five-digit ZIP (importer.py)
    key = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=300)
    street = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    zip = models.CharField(max_length=5)
    zip4 = models.CharField(max_length=4, blank=True, default="")
    latitude = models.FloatField()
    longitude = models.FloatField()
    po_box = models.BooleanField(default=False)  # the address is a P.O. Box (mail only)
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="otp_programs")
    match = models.CharField(max_length=16, choices=MATCHES)
    likeness = models.FloatField(null=True, blank=True)  # of the names, 0-1
    distance_miles = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"OTP {self.name} ({self.city}, {self.state})"


class DirectoryVersion(models.Model):
    """One row: changed (a new random token) by every write to the directory, so each
    server process knows when to rebuild its in-memory search index."""

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"directory version {self.token}"


class ContactThrottle(models.Model):
    """When a self-check contact request came from a client (an HMAC of its address, not
    the address): at most a few an hour per client. Rows older than a day are deleted."""

    client = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["client", "at"], name="contact_throttle_client_at")]

    def __str__(self) -> str:
        return f"contact from {self.client[:8]} at {self.at}"


class SelfCheckNonce(models.Model):
    """A self-check result's single-use permission to ask for contact (issue 16): the
    SHA-256 of the random nonce the result page hands out (never the nonce, never an
    answer), when, and to which client (an HMAC of its address, as ContactThrottle). A
    contact request uses it up in the transaction that writes the inquiry. The rows also
    count a client's self-check results for their hourly limit; rows older than a day are
    deleted."""

    nonce_hash = models.CharField(max_length=64, unique=True)
    client = models.CharField(max_length=64)
    issued_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["client", "issued_at"], name="self_check_nonce_client_at")]

    def __str__(self) -> str:
        return f"self-check nonce {self.nonce_hash[:8]} at {self.issued_at}"
