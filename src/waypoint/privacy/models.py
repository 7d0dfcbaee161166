"""42 CFR Part 2: consents, disclosures and the accounting, court orders, the patient's notice,
restriction requests, complaints, restricted records with their care team, break-the-glass
openings, and the privacy officer's reviews.

What the law asks to be kept is kept as written: a consent never changes once recorded (a
change is a new consent that supersedes it, its end is a row of its own), a disclosure never
changes or goes away (the accounting of disclosures, 2.24/2.25, HIPAA 164.528: at least
three years; here, for ever). Both are guarded in the model, and every foreign key protects
the rows it points at.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from waypoint.clinical.privacy import (
    BASES,
    CONSENT_PURPOSES,
    DISCLOSURE_PURPOSES,
    GENERAL_DESIGNATIONS,
    PURPOSE_LABELS,
    REVOCATION_METHODS,
    SIGNATURE_METHODS,
)
from waypoint.core.tenancy import only

PURPOSE_CHOICES = [(p, PURPOSE_LABELS[p]) for p in CONSENT_PURPOSES]
DISCLOSURE_PURPOSE_CHOICES = [(p, PURPOSE_LABELS[p]) for p in DISCLOSURE_PURPOSES]
SIGNATURE_CHOICES = [
    ("electronic", "Signed electronically in the page"),
    ("wet", "Signed on paper (scanned)"),
    ("verbal_witnessed", "Given aloud, witnessed by staff"),
]
assert [c[0] for c in SIGNATURE_CHOICES] == list(SIGNATURE_METHODS)
BASIS_CHOICES = [
    ("consent", "Patient's consent"),
    ("medical_emergency", "Medical emergency (42 CFR 2.51)"),
    ("court_order", "Court order (42 CFR 2.61-2.68)"),
]
assert [c[0] for c in BASIS_CHOICES] == list(BASES)
LANGUAGES = [("en", "English"), ("es", "Español")]


class AppendOnly(models.Model):
    """Rows that are written once: saving an existing row or deleting one is refused."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError(f"{type(self).__name__} rows are written once, never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError(f"{type(self).__name__} rows are never deleted")


class Consent(AppendOnly):
    """One version of a patient's written consent to disclose (42 CFR 2.31). Immutable: a
    change is a new consent (``supersedes`` the old, which ends when the new one is
    recorded); a revocation or the expiry event is a ``ConsentEnd``."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    # who may disclose: the program (its organization's name as it stood when signed)
    discloser = models.CharField(max_length=200)
    recipient_name = models.CharField(max_length=200, blank=True, default="")
    recipient_organization = models.CharField(max_length=200, blank=True, default="")
    general_designation = models.CharField(
        max_length=30, blank=True, default="", choices=[(g, g) for g in GENERAL_DESIGNATIONS]
    )
    purpose = models.CharField(max_length=30, choices=PURPOSE_CHOICES)
    purpose_detail = models.CharField(max_length=300, blank=True, default="")
    categories = models.JSONField()  # in clinical.privacy.CATEGORIES order
    expires_on = models.DateField(null=True, blank=True)
    expiry_event = models.CharField(max_length=300, blank=True, default="")
    signed_on = models.DateField()
    signature_method = models.CharField(max_length=20, choices=SIGNATURE_CHOICES)
    signature_reference = models.CharField(max_length=200, blank=True, default="")
    witness = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=2, choices=LANGUAGES, default="en")
    # the statement of the right to revoke and how, as the patient was told (2.31(a)(5))
    revocation_statement = models.TextField()
    version = models.PositiveIntegerField(default=1)
    # at most one newer version ("consent_superseded_once"); ``superseded_by`` reads it
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseding",
        related_query_name="superseded_by",
    )
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["organization", "patient", "recorded_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("signed_on")),
                name="consent_expires_after_signature",
            ),
            models.CheckConstraint(
                condition=~Q(recipient_name="") | ~Q(general_designation=""),
                name="consent_names_a_recipient",
            ),
            models.UniqueConstraint(
                fields=["organization", "supersedes"], name="consent_superseded_once"
            ),
        ]

    def __str__(self) -> str:
        return f"consent {self.pk} v{self.version} of patient {self.patient_id}"

    # The reverse sides of ForeignKeys that a UniqueConstraint(organization, …) makes one at
    # most (they were OneToOneFields: core/tenancy.py). Prefetch "ends" and "superseding"
    # to read them without a query per consent.
    @property
    def end(self) -> ConsentEnd | None:
        return only(self.ends)

    @property
    def superseded_by(self) -> Consent | None:
        return only(self.superseding)

    @property
    def purpose_label(self) -> str:
        return PURPOSE_LABELS.get(self.purpose, self.purpose)


class ConsentEnd(AppendOnly):
    """How a consent ended before its date: the patient revoked it (in writing or aloud,
    recorded by staff; from that moment on, 2.31(c)) or its expiry event happened."""

    KINDS = [("revoked", "Revoked by the patient"), ("expiry_event", "Expiry event reached")]
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    # one end a consent: "consent_ends_once"; ``Consent.end`` reads it
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, related_name="ends", related_query_name="end"
    )
    kind = models.CharField(max_length=20, choices=KINDS)
    on = models.DateField()  # the day the patient revoked it or the event happened
    method = models.CharField(
        max_length=10, blank=True, default="", choices=[(m, m) for m in REVOCATION_METHODS]
    )
    reference = models.CharField(max_length=200, blank=True, default="")
    note = models.CharField(max_length=500, blank=True, default="")
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()  # when it takes effect: the moment it was recorded

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "consent"], name="consent_ends_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} of consent {self.consent_id}"


class CourtOrder(AppendOnly):
    """An order of a court authorizing disclosure of a patient's records (2.61-2.68),
    recorded by the privacy officer: the court, the order's date, its findings and its scope
    (recipient, purposes, categories, until when). Disclosures under it go no further."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    court = models.CharField(max_length=200)
    case_number = models.CharField(max_length=100, blank=True, default="")
    order_date = models.DateField()
    findings = models.TextField(max_length=4000)
    recipient_name = models.CharField(max_length=200)
    recipient_organization = models.CharField(max_length=200, blank=True, default="")
    purposes = models.JSONField()
    categories = models.JSONField()
    valid_until = models.DateField(null=True, blank=True)
    reference = models.CharField(max_length=200, blank=True, default="")  # scanned copy
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-order_date", "-id"]

    def __str__(self) -> str:
        return f"court order {self.pk} ({self.court}, {self.order_date})"


class Disclosure(AppendOnly):
    """One disclosure of a patient's records outside the program: the accounting of
    disclosures (2.24, 2.25; HIPAA 164.528). Who, when, to whom, why, which categories, on
    what basis (the consent, the emergency, the court order), the notice sent with it and
    the SHA-256 of the package exactly as sent. Never changed, never deleted."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    recipient_name = models.CharField(max_length=200)
    recipient_organization = models.CharField(max_length=200, blank=True, default="")
    purpose = models.CharField(max_length=30, choices=DISCLOSURE_PURPOSE_CHOICES)
    categories = models.JSONField()
    basis = models.CharField(max_length=20, choices=BASIS_CHOICES)
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures"
    )
    court_order = models.ForeignKey(
        CourtOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures"
    )
    emergency_nature = models.CharField(max_length=500, blank=True, default="")
    emergency_facility = models.CharField(max_length=200, blank=True, default="")
    notice = models.TextField()
    notice_version = models.CharField(max_length=30)
    package_sha256 = models.CharField(max_length=64)
    record_counts = models.JSONField(default=dict)  # category -> how many records sent

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organization", "patient", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(basis="consent") | Q(consent__isnull=False),
                name="consent_disclosure_names_its_consent",
            ),
            models.CheckConstraint(
                condition=~Q(basis="court_order") | Q(court_order__isnull=False),
                name="court_order_disclosure_names_its_order",
            ),
        ]

    def __str__(self) -> str:
        return f"disclosure {self.pk} of patient {self.patient_id} to {self.recipient_name}"

    @property
    def purpose_label(self) -> str:
        return dict(DISCLOSURE_PURPOSE_CHOICES).get(self.purpose, self.purpose)

    @property
    def review(self) -> PrivacyReview | None:
        """The privacy officer's review, if any (one at most: "one_review_per_disclosure")."""
        return only(self.reviews)


class NoticeAcknowledgement(AppendOnly):
    """The patient received the program's Part 2 notice (2.22): which version, when, how."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    version = models.CharField(max_length=30)
    received_on = models.DateField()
    language = models.CharField(max_length=2, choices=LANGUAGES, default="en")
    method = models.CharField(
        max_length=12,
        choices=[("paper", "Given on paper"), ("electronic", "Shown electronically")],
        default="paper",
    )
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"noticeacknowledgement {self.pk}"


class RestrictionRequest(models.Model):
    """A patient's request to restrict disclosures (2.26): to whom (empty: anyone), for which
    purposes and categories (empty: all). The privacy officer agrees or denies; an agreed
    restriction binds the disclosure rule. Its decision is written once."""

    STATUSES = [("pending", "Pending"), ("agreed", "Agreed"), ("denied", "Denied")]
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField()
    recipient_name = models.CharField(max_length=200, blank=True, default="")
    recipient_organization = models.CharField(max_length=200, blank=True, default="")
    purposes = models.JSONField(default=list)
    categories = models.JSONField(default=list)
    to_health_plan = models.BooleanField(default=False)
    paid_in_full = models.BooleanField(default=False)
    detail = models.CharField(max_length=500, blank=True, default="")
    status = models.CharField(max_length=10, choices=STATUSES, default="pending")
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"restriction request {self.pk} ({self.status})"


class Complaint(models.Model):
    """A complaint about the program's compliance with Part 2 (2.4), from a patient or
    anyone; answered by the privacy officer. Nobody may be retaliated against for it."""

    STATUSES = [("open", "Open"), ("resolved", "Resolved")]
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_on = models.DateField()
    complainant = models.CharField(max_length=200, blank=True, default="")
    summary = models.TextField(max_length=4000)
    status = models.CharField(max_length=10, choices=STATUSES, default="open")
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    resolution = models.TextField(max_length=4000, blank=True, default="")
    resolved_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"complaint {self.pk}"


class RestrictedRecord(models.Model):
    """A record only its care team may open (a staff member in treatment, a public figure):
    anyone else states a reason first (break-the-glass). Marked and lifted by the privacy
    officer; one open mark per patient."""

    REASONS = [
        ("staff_member", "A staff member in treatment"),
        ("public_figure", "A public figure"),
        ("other", "Other"),
    ]
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=REASONS)
    note = models.CharField(max_length=500, blank=True, default="")
    marked_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField()
    lifted_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient"],
                condition=Q(lifted_at__isnull=True),
                name="one_open_restriction_per_patient",
            )
        ]
        indexes = [models.Index(fields=["organization", "patient", "lifted_at"])]

    def __str__(self) -> str:
        return f"restrictedrecord {self.pk}"


class CareTeamMember(models.Model):
    """A staff member added by the privacy officer to a restricted record's care team (the
    team also holds, without being added, the staff the record names: see
    ``selectors.care_team``)."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()
    removed_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient", "user"],
                condition=Q(removed_at__isnull=True),
                name="one_open_care_team_membership",
            )
        ]

    def __str__(self) -> str:
        return f"careteammember {self.pk}"


class BreakGlassAccess(AppendOnly):
    """Someone outside a restricted record's care team stated why they had to open it; it is
    open to them until ``until`` and waits for the privacy officer's review."""

    REASONS = [
        ("direct_care", "I am caring for this patient now"),
        ("emergency", "Emergency"),
        ("covering", "Covering for a member of the care team"),
        ("other", "Other (explain)"),
    ]
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=REASONS)
    explanation = models.CharField(max_length=500)
    at = models.DateTimeField()
    until = models.DateTimeField()
    client_address = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organization", "patient", "user", "until"])]

    def __str__(self) -> str:
        return f"breakglassaccess {self.pk}"

    @property
    def review(self) -> PrivacyReview | None:
        """The privacy officer's review, if any (one at most: "one_review_per_access")."""
        return only(self.reviews)


class PrivacyReview(AppendOnly):
    """The privacy officer's review of an emergency disclosure or a break-the-glass opening:
    written once; until it exists the item waits on the privacy board."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    disclosure = models.ForeignKey(
        Disclosure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        related_query_name="review",
    )
    access = models.ForeignKey(
        BreakGlassAccess,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        related_query_name="review",
    )
    outcome = models.CharField(
        max_length=12,
        choices=[("appropriate", "Appropriate"), ("concern", "A concern, followed up")],
    )
    note = models.CharField(max_length=1000, blank=True, default="")
    by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(disclosure__isnull=False, access__isnull=True)
                | Q(disclosure__isnull=True, access__isnull=False),
                name="review_of_one_item",
            ),
            models.UniqueConstraint(
                fields=["organization", "disclosure"], name="one_review_per_disclosure"
            ),
            models.UniqueConstraint(
                fields=["organization", "access"], name="one_review_per_access"
            ),
        ]

    def __str__(self) -> str:
        return f"privacyreview {self.pk}"


class RecipientToken(models.Model):
    """An outside recipient's bearer token for ``/fhir/r4/`` (issue 20): the privacy
    officer's grant to one recipient (a person, an organization) for one purpose. It opens
    nothing by itself: every read goes through the disclosure rule with the recipient and
    purpose kept here, so only what a patient's consent covers leaves, and each answer is a
    disclosure in that patient's accounting. Stored hashed like ``core.ApiToken``; it
    expires and can be revoked. ``account`` is the recipient's inactive system account
    ``recipient.<org>.<pk>`` (no role, no usable password), the actor of its reads."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    recipient_name = models.CharField(max_length=200)
    recipient_organization = models.CharField(max_length=200, blank=True, default="")
    purpose = models.CharField(max_length=30, choices=PURPOSE_CHOICES)
    label = models.CharField(max_length=100, blank=True, default="")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    # set right after the row is made (its username holds the row's id), in one transaction
    account = models.OneToOneField(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"recipient token {self.prefix}… for {self.recipient_name}"
