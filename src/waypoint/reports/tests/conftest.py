"""The medication fixtures (patient, admitted, order, backdate, give, determined,
methadone) serve these tests too."""

from waypoint.care.tests.test_concurrency import (  # noqa: F401
    _triggers_back_after_flush,
    _triggers_off_for_flush,
)
from waypoint.medication.tests.conftest import (  # noqa: F401
    admitted,
    backdate,
    determined,
    give,
    methadone,
    order,
    patient,
)
