"""The audit trail: append-only, MAC-chained events, one chain per site of an organization
(and the organization's own chain 0 for actors without a site: the command line, the system
account). See services.py for why there is a chain per site."""

from __future__ import annotations

from django.db import models


class AuditChainHead(models.Model):
    """The last event of one chain of an organization (``chain``: the site's id, 0 for the
    organization's own chain). Locked (SELECT ... FOR UPDATE) while an event is appended to
    that chain, so concurrent writers at one site form one unbroken sequence, and writers at
    two sites do not wait for each other; it also lets ``audit verify`` notice events cut off
    the end of the chain. ``mac`` is its own MAC (``services.head_mac``): the row may be
    updated (it moves with every event), but not rewritten without the audit key."""

    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="audit_heads"
    )
    # A site's id, not a foreign key: the chain is a number in the MACs, and a chain
    # outlives any change to the site's row.
    chain = models.PositiveBigIntegerField(default=0)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    mac = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "chain"], name="audit_head_unique")
        ]

    def __str__(self) -> str:
        return (
            f"audit chain {self.chain} of organization {self.organization_id} "
            f"at seq {self.last_seq}"
        )


class AuditEvent(models.Model):
    # "read" or "write", set by the trail's selectors for the pages (not a column)
    kind: str

    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, db_index=False
    )  # its own index: one more page written an event; the
    # constraint and the index below lead with it
    # The chain the event belongs to: the acting user's home site's id, 0 for an actor
    # without a site (services.chain_of). Not a foreign key (see AuditChainHead.chain).
    chain = models.PositiveBigIntegerField(default=0)
    seq = models.PositiveBigIntegerField()  # 1, 2, 3, ... within (organization, chain)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        related_name="audit_events",
        db_index=False,
    )  # the trail is filtered by the actor's username, never read by this key
    actor_username = models.CharField(max_length=150)
    actor_role = models.CharField(max_length=20)
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        related_name="audit_events",
        db_index=False,
    )  # the (organization, patient, at) index leads with (organization, patient)
    action = models.CharField(max_length=40)  # read, create, update, search, verify, ...
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True, default="")
    purpose = models.CharField(max_length=30, default="treatment")
    channel = models.CharField(max_length=10, default="api")
    client_address = models.CharField(max_length=64, blank=True, default="")
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "chain", "seq"], name="audit_chain_seq_unique"
            )
        ]
        indexes = [models.Index(fields=["organization", "patient", "at"])]
        # The order written (within one chain that is the order of seq; the chains of an
        # organization's sites interleave). verify reads each chain by seq itself.
        ordering = ["organization_id", "id"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type} by {self.actor_username}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit events are append-only")


class AuditEventPatient(models.Model):
    """One patient an event touched or showed: the event's own patient, and every patient
    a search, a board or a list named. "Who saw this person's record" is one indexed query
    on this table. Append-only like the events (model guard and database triggers, audit
    migration 0005); the links other than the event's own patient are part of its hash. The
    link to the event's own patient is inserted by the database with the event (a trigger,
    audit migration 0009); the others by ``services.append``."""

    event = models.ForeignKey(
        AuditEvent, on_delete=models.PROTECT, related_name="patient_links", db_index=False
    )  # read with its organization: the unique (organization, event, patient) below
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, db_index=False
    )  # its own index: one more page written an event; the
    # constraint and the index below lead with it
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="+", db_index=False
    )  # the (organization, patient, event) index leads with (organization, patient)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "event", "patient"], name="audit_link_org_unique"
            )
        ]
        indexes = [models.Index(fields=["organization", "patient", "event"])]

    def __str__(self) -> str:
        return f"event {self.event_id} names patient {self.patient_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("audit links are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit links are append-only")
