"""The patient registry: one row per person per organization."""

from __future__ import annotations

from django.db import models


class Patient(models.Model):
    SEX_CHOICES = [
        ("female", "Female"),
        ("male", "Male"),
        ("intersex", "Intersex"),
        ("unknown", "Unknown / not recorded"),
    ]

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("MRN", max_length=20)

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True, default="")
    date_of_birth = models.DateField()
    sex_at_birth = models.CharField(max_length=10, choices=SEX_CHOICES, default="unknown")
    gender_identity = models.CharField(max_length=60, blank=True, default="")
    pronouns = models.CharField(max_length=40, blank=True, default="")
    preferred_language = models.CharField(max_length=60, blank=True, default="English")
    interpreter_needed = models.BooleanField(default=False)

    phone = models.CharField(max_length=30, blank=True, default="")
    email = models.CharField(max_length=254, blank=True, default="")
    address_line1 = models.CharField(max_length=200, blank=True, default="")
    address_line2 = models.CharField(max_length=200, blank=True, default="")
    city = models.CharField(max_length=100, blank=True, default="")
    state = models.CharField(max_length=2, blank=True, default="")
    zip_code = models.CharField(max_length=10, blank=True, default="")

    emergency_contact_name = models.CharField(max_length=200, blank=True, default="")
    emergency_contact_relationship = models.CharField(max_length=60, blank=True, default="")
    emergency_contact_phone = models.CharField(max_length=30, blank=True, default="")

    insurance = models.CharField(max_length=300, blank=True, default="")

    # Names for search and duplicate detection on both SQLite and PostgreSQL (names.py):
    # folded (no accents, no case) and their phonetic key, filled on every save.
    first_name_key = models.CharField(max_length=100, editable=False)
    last_name_key = models.CharField(max_length=100, editable=False)
    first_name_sound = models.CharField(max_length=40, editable=False, default="")
    last_name_sound = models.CharField(max_length=40, editable=False, default="")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, related_name="+"
    )

    # Set on the close matches selectors.patient_find returns only (not a column).
    close_match: bool
    # Set on the masked stand-ins of restricted records patients.access shows (not a column).
    restricted: bool

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "mrn"], name="patient_mrn_unique_in_org"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "last_name_key", "first_name_key"]),
            models.Index(fields=["organization", "date_of_birth"]),
            models.Index(fields=["organization", "last_name_sound"]),
            models.Index(fields=["organization", "first_name_sound"]),
            models.Index(fields=["organization", "site", "created_at"]),
        ]
        ordering = ["last_name_key", "first_name_key", "id"]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name} (MRN {self.mrn})"

    def save(self, *args, **kwargs):
        self.set_name_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            keys = {"first_name_key", "last_name_key", "first_name_sound", "last_name_sound"}
            kwargs["update_fields"] = set(update_fields) | keys
        super().save(*args, **kwargs)

    def set_name_keys(self) -> None:
        """The folded and sound-alike keys the searches and the duplicate check use."""
        from .names import fold, sound

        self.first_name_key = fold(self.first_name)[:100]
        self.last_name_key = fold(self.last_name)[:100]
        self.first_name_sound = sound(self.first_name)
        self.last_name_sound = sound(self.last_name)

    @property
    def age(self) -> int | None:
        import datetime as dt

        today = dt.date.today()
        dob = self.date_of_birth
        if dob is None:  # a masked stand-in for a restricted record (patients.access)
            return None
        return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))

    @property
    def display_name(self) -> str:
        pref = f" “{self.preferred_name}”" if self.preferred_name else ""
        return f"{self.first_name}{pref} {self.last_name}"
