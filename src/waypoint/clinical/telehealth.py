"""Counseling by telehealth: the modality of a session (in person, video, phone) and when
a phone (audio-only) session is flagged.

Sources and what they leave to the program:
- domain facts §5 say only that methadone admission screening by telehealth must be
  audio-visual (42 CFR 8.12(f)(2) as revised 2024); buprenorphine may be started by an
  audio-only visit (DEA/HHS final rule "Expansion of Buprenorphine Treatment via
  Telemedicine Encounter", 90 FR 6504, 17 January 2025). Both concern prescribing and
  admission, not counseling, and Waypoint's counseling sessions are not those visits.
- Neither domain.md nor the contract says when *counseling* must be by video. Whether an
  audio-only counseling session counts (for billing, or toward a level of care's hours)
  is decided by each state's Medicaid program and each payer; many require video for
  counseling. So the rule is an **organization setting**: the session kinds for which
  video is required (``video_required_for``), empty by default (nothing flagged until the
  program says so). A phone session of such a kind is flagged "audio-only where video is
  required"; it is still kept and counted (the flag asks a person to look, it refuses
  nothing). In-person and video sessions are never flagged.
"""

from __future__ import annotations

from collections.abc import Collection

MODALITIES = ("in_person", "video", "phone")
MODALITY_LABELS = {"in_person": "In person", "video": "Video", "phone": "Phone (audio only)"}
AUDIO_ONLY = "phone"
DEFAULT_MODALITY = "in_person"


def audio_only_flagged(modality: str, kind: str, video_required_for: Collection[str]) -> bool:
    """True when a session of ``kind`` held by ``modality`` is audio-only while the
    organization requires video for that kind. An unknown modality raises ValueError."""
    if modality not in MODALITIES:
        raise ValueError(f"unknown modality {modality!r}")
    return modality == AUDIO_ONLY and kind in video_required_for
