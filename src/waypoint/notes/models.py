"""Clinical documentation: progress notes (DAP, SOAP, an organization's templates or a
narrative), group notes written once and filed as one note per attendee, addenda after
signing, co-signature of supervised staff's notes, SUD counseling notes kept apart, links
to the treatment-plan items a note addressed, and the organization's settings. Every row
belongs to an organization."""

from __future__ import annotations

from django.db import models

NOTE_TYPES = [
    ("individual", "Individual counseling"),
    ("group", "Group counseling"),
    ("cbt", "Cognitive behavioral therapy"),
    ("family", "Family session"),
    ("medical", "Medical (physician or nurse practitioner)"),
    ("nursing", "Nursing"),
    ("case_management", "Case management"),
    ("other", "Other"),
]
NOTE_FORMATS = [
    ("dap", "DAP (data, assessment, plan)"),
    ("soap", "SOAP (subjective, objective, assessment, plan)"),
    ("template", "The organization's template"),
    ("narrative", "Narrative"),
]
NOTE_MODALITIES = [("in_person", "In person"), ("video", "Video"), ("phone", "Phone (audio only)")]
NOTE_STATUSES = [
    ("draft", "Draft"),
    ("awaiting_cosign", "Signed, awaiting co-signature"),
    ("signed", "Signed"),
]
GROUP_NOTE_STATUSES = [("draft", "Draft"), ("signed", "Signed")]


class NoteTemplate(models.Model):
    """An organization's note template: a list of titled fields (``fields``: [{key,
    title}]), versioned — a change is a new row (``version`` + 1, ``previous``); notes keep
    the version they were written on."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    name = models.CharField(max_length=120)
    version = models.PositiveIntegerField(default=1)
    previous = models.ForeignKey(  # one next version at most: "note_template_revised_once"
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version"
    )
    fields = models.JSONField(default=list)
    note_types = models.JSONField(default=list)  # the types it is offered for; [] = all
    retired_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name", "version"], name="note_template_version_once"
            ),
            models.UniqueConstraint(
                fields=["organization", "previous"], name="note_template_revised_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class GroupNote(models.Model):
    """A group session's note, written once: the shared part (topic, what was done) and one
    ``GroupNoteEntry`` per attendee. Signing it files one ``Note`` per attendee holding the
    shared part and only that attendee's entry."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    session = models.ForeignKey(  # one group note a session: "one_group_note_per_session"
        "care.CounselingSession", on_delete=models.PROTECT, related_name="group_note"
    )
    author = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(max_length=200)
    shared = models.TextField(max_length=8000)  # what was done in the group
    service_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    modality = models.CharField(max_length=10, choices=NOTE_MODALITIES)
    place = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=10, choices=GROUP_NOTE_STATUSES, default="draft")
    signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "session"], name="one_group_note_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"group note {self.pk} of session {self.session_id}"


class GroupNoteEntry(models.Model):
    """One attendee's individual part of a group note."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    group_note = models.ForeignKey(GroupNote, on_delete=models.CASCADE, related_name="entries")
    attendee = models.ForeignKey("care.SessionAttendee", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    participation = models.TextField(max_length=4000)
    progress = models.TextField(max_length=4000, blank=True, default="")
    plan = models.TextField(max_length=4000, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "group_note", "patient"],
                name="group_note_entry_once_per_patient",
            )
        ]

    def __str__(self) -> str:
        return f"entry {self.pk} of group note {self.group_note_id}"


class Note(models.Model):
    """A progress note in one patient's chart. A draft until its author signs; signing
    locks it (a change after that is an ``Addendum``); a supervised author's signed note
    waits for the supervisor's co-signature (``awaiting_cosign``). ``fields`` holds the
    format's structured fields ({"data", "assessment", "plan"} for DAP, {"subjective",
    "objective", "assessment", "plan"} for SOAP, the template's keys, or {"narrative"}).
    A note filed from a group note holds the group's shared part and only this patient's
    entry (``group_note``, ``group_entry``)."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(
        "care.Episode", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    session = models.ForeignKey(
        "care.CounselingSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notes",
    )
    group_note = models.ForeignKey(
        GroupNote, on_delete=models.PROTECT, null=True, blank=True, related_name="notes"
    )
    group_entry = models.ForeignKey(  # one note an entry: "one_note_per_group_entry"
        GroupNoteEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="note"
    )
    note_type = models.CharField(max_length=20, choices=NOTE_TYPES)
    format = models.CharField(max_length=10, choices=NOTE_FORMATS)
    template = models.ForeignKey(
        NoteTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fields = models.JSONField(default=dict)
    service_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    modality = models.CharField(max_length=10, choices=NOTE_MODALITIES)
    place = models.CharField(max_length=200, blank=True, default="")
    author = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=NOTE_STATUSES, default="draft")
    signed_at = models.DateTimeField(null=True, blank=True)
    late_entry = models.BooleanField(default=False)  # decided at signing (clinical.notes)
    cosigner = models.ForeignKey(  # the supervisor who must co-sign, when one must
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cosigned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "patient", "-service_at"]),
            models.Index(fields=["organization", "author", "status"]),
            models.Index(fields=["organization", "cosigner", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "group_entry"], name="one_note_per_group_entry"
            )
        ]

    def __str__(self) -> str:
        return f"{self.note_type} note {self.pk} ({self.status})"


class Addendum(models.Model):
    """A change after signing: who, when, why and what; the note itself never changes."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500)
    text = models.TextField(max_length=8000)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"addendum {self.pk} to note {self.note_id}"


class NotePlanItem(models.Model):
    """A treatment-plan problem or objective a note addressed. ``item`` is its place in
    the plan version's content: "2" is the second problem, "2.1.3" the third objective of
    the first goal of the second problem; ``label`` keeps its words as they were."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="plan_items")
    plan = models.ForeignKey("care.TreatmentPlan", on_delete=models.PROTECT, related_name="+")
    item = models.CharField(max_length=20)
    label = models.CharField(max_length=500)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "note", "plan", "item"], name="note_plan_item_once"
            )
        ]

    def __str__(self) -> str:
        return f"plan {self.plan_id} item {self.item} of note {self.note_id}"


class CounselingNote(models.Model):
    """The psychotherapy part of a note that its author marked as SUD counseling notes
    (42 CFR 2.11, 2.31(b)): kept apart from the note, read only by its author and those
    they share it with, and disclosed only under a consent naming counseling notes alone."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    # one a note: "one_counseling_note_per_note"
    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="counseling")
    author = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=16000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "note"], name="one_counseling_note_per_note"
            )
        ]

    def __str__(self) -> str:
        return f"counseling note of note {self.note_id}"


class CounselingNoteShare(models.Model):
    """A staff member the author shared a counseling note with (until withdrawn)."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    counseling_note = models.ForeignKey(
        CounselingNote, on_delete=models.CASCADE, related_name="shares"
    )
    user = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    shared_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"counseling note {self.counseling_note_id} shared with {self.user_id}"


class Supervision(models.Model):
    """A staff member whose notes need a supervisor's co-signature (an intern, a counselor
    in training): the flag is this row's existence; ``supervisor`` co-signs."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    # one row a staff member: "one_supervision_per_user"
    user = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="supervision")
    supervisor = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True, default="")  # e.g. "intern"
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="one_supervision_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} supervised by {self.supervisor_id}"


class NotesSettings(models.Model):
    """An organization's documentation settings (one row; absent = the defaults of
    clinical.notes)."""

    organization = models.OneToOneField(
        "core.Organization", on_delete=models.PROTECT, related_name="notes_settings"
    )
    late_entry_hours = models.PositiveSmallIntegerField(default=24)
    unsigned_alert_hours = models.PositiveSmallIntegerField(default=72)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"notes settings of {self.organization_id}"


class CounselingNoteVersion(models.Model):
    """An earlier text of a counseling note, kept when its author changed it after the
    note was signed (clinical.counseling_notes.change_is_version): the text as it was,
    when it was written, and who replaced it, when and why."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    counseling_note = models.ForeignKey(
        CounselingNote, on_delete=models.PROTECT, related_name="versions"
    )
    text = models.TextField(max_length=16000)
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField()
    replaced_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500)

    def __str__(self) -> str:
        return f"earlier text of counseling note {self.counseling_note_id}"
