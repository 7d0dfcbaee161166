"""FHIR R4 (issue 20; contract "FHIR R4"): the `/fhir/r4/` read and search surface with
42 CFR Part 2 labels, outside recipients' reads through the privacy rule, and the import of
transaction Bundles (`POST /fhir/r4/`, `waypoint fhir import`). Above every domain app:
it reads patients, assessments, care, medication, labs and privacy, and writes through
their services."""
