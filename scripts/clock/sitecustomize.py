"""Imported at start-up by every Python process of a clock-shifted test run
(scripts/test-clocks.sh puts this folder on PYTHONPATH): pytest, the servers and the CLI it
starts all move their wall clock by the same WAYPOINT_TEST_CLOCK_OFFSET seconds, with
time-machine. time.monotonic() and sleeps are left alone."""

import os

_offset = os.environ.get("WAYPOINT_TEST_CLOCK_OFFSET")
if _offset:
    import time

    import time_machine

    time_machine.travel(time.time() + float(_offset), tick=True).start()
