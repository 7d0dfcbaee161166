import subprocess
import sys


def test_clinical_rules_import_no_django():
    code = (
        "import sys, waypoint.clinical.registry, waypoint.clinical.level_of_care, "
        "waypoint.clinical.drugtests, waypoint.clinical.incentives, "
        "waypoint.clinical.self_check, waypoint.directory.geo, waypoint.directory.codes, "
        "waypoint.clinical.dosing, waypoint.clinical.orders, waypoint.clinical.injectables, "
        "waypoint.clinical.federal_limits, waypoint.clinical.takehome, "
        "waypoint.clinical.medications;"
        "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')];"
        "sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
