"""Treatment plans: versioned, signed by the clinician and the patient, reviewed on time."""
