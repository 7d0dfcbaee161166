"""Inputs of the directory: a site's listing (API and admin page) and a contact request
(the self-check page), one validation for both."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, model_validator

from waypoint.core.schemas import Bool, Phone, State, StrictSchema, text

from . import codes

# Literals made from the code lists when the module loads: to the type checker, strings.
if TYPE_CHECKING:
    Level = str
    Medication = str
    Payment = str
    Language = str
    Age = str
    Population = str
else:
    Level = Literal[codes.LEVELS]
    Medication = Literal[codes.MEDICATIONS]
    Payment = Literal[codes.PAYMENTS]
    Language = Literal[tuple(codes.LANGUAGES)]
    Age = Literal[tuple(codes.AGES)]
    Population = Literal[tuple(codes.POPULATIONS)]


class ListingIn(StrictSchema):
    """What a site publishes about itself. Without coordinates, the ZIP's centroid is used."""

    name: Annotated[str, text(200)] = Field("", description="Defaults to the site's name")
    name2: Annotated[str, text(200)] = ""
    street1: Annotated[str, text(200, 1)]
    street2: Annotated[str, text(200)] = ""
    city: Annotated[str, text(100, 1)]
    state: State = Field(..., min_length=2)
    zip: Annotated[str, text(10, 5)] = Field(..., pattern=r"^\d{5}$")
    phone: Phone = ""
    intake_phone: Phone = ""
    website: Annotated[str, text(300)] = Field("", pattern=r"^(https?://\S+)?$")
    latitude: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    levels_of_care: list[Level] = Field(default_factory=list, max_length=6)
    medications: list[Medication] = Field(default_factory=list, max_length=3)
    payments: list[Payment] = Field(default_factory=list, max_length=7)
    languages: list[Language] = Field(default_factory=list, max_length=23)
    ages: list[Age] = Field(default_factory=list, max_length=4)
    populations: list[Population] = Field(default_factory=list, max_length=17)
    walk_in: Bool = False
    walk_in_hours: Annotated[str, text(200)] = ""
    same_day_intake: Bool = False

    @model_validator(mode="after")
    def _both_coordinates(self) -> ListingIn:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("give both latitude and longitude, or neither (ZIP centroid)")
        return self


class ContactIn(StrictSchema):
    """A person asks a published site to contact them (nothing else is stored)."""

    facility: int = Field(..., ge=1)
    name: Annotated[str, text(100, 1)] = Field(..., description="A first name or what to call you")
    phone: Phone = Field(..., min_length=7)
    ok_to_call: Bool = False
    ok_to_text: Bool = False
    best_time: Annotated[str, text(100)] = ""
    share_result: Bool = False

    @model_validator(mode="after")
    def _some_way(self) -> ContactIn:
        if not (self.ok_to_call or self.ok_to_text):
            raise ValueError("say whether the clinic may call you, text you, or both")
        return self
