"""The medication fixtures (patient, admitted, order, backdate) serve these tests too."""

from waypoint.medication.tests.conftest import (  # noqa: F401
    admitted,
    backdate,
    order,
    patient,
)
