"""The words a patient reads: the consent form in plain language, in English and Spanish.

A consent stores the revocation statement it was signed with (2.31(a)(5)), so a printed
consent always says what the patient was told even if these words change later.
"""

from __future__ import annotations

from waypoint.clinical import privacy as rule

LANGUAGES = ("en", "es")

FORM = {
    "en": {
        "title": "Consent to share my substance use treatment records",
        "intro": (
            "Federal law (42 CFR part 2) protects records of substance use disorder "
            "treatment. We share them only when you say yes on this form, in an emergency, "
            "or when a court orders it. Your care here does not depend on signing."
        ),
        "patient": "Patient",
        "born": "Date of birth",
        "mrn": "Record number",
        "discloser": "Who may share my records",
        "recipient": "Who may receive them",
        "designation": "My treating providers (doctors, nurses and others who treat me)",
        "purpose": "Why",
        "categories": "What may be shared",
        "expires": "This consent ends",
        "expires_on": "on",
        "expires_event": "when",
        "no_expiry": (
            "It has no end date: it is a consent for treatment, payment and health care "
            "operations, which the law allows to last until you revoke it."
        ),
        "revoke_title": "You can change your mind",
        "redisclosure": (
            "Records shared with this consent carry this notice: “42 CFR part 2 prohibits "
            "unauthorized use or disclosure of these records.” A recipient that is not your "
            "treating provider, health plan or program may not share them further except as "
            "the law allows."
        ),
        "signature": "Signature",
        "signed_on": "Signed on",
        "signed_how": {
            "electronic": "signed electronically",
            "wet": "signed on paper",
            "verbal_witnessed": "given aloud in front of a staff witness",
        },
        "witness": "Staff witness",
        "version": "Version",
        "supersedes": "This version replaces consent",
        "revoked": "Revoked on",
        "draft": "Not yet signed: sign below",
        "print": "Print",
        "sign_line": "Patient signature",
        "date_line": "Date",
    },
    "es": {
        "title": (
            "Consentimiento para compartir mis expedientes de tratamiento por uso de sustancias"
        ),
        "intro": (
            "La ley federal (42 CFR parte 2) protege los expedientes del tratamiento de "
            "trastornos por uso de sustancias. Solo los compartimos si usted dice que sí en "
            "este formulario, en una emergencia, o si un tribunal lo ordena. Su atención aquí "
            "no depende de que firme."
        ),
        "patient": "Paciente",
        "born": "Fecha de nacimiento",
        "mrn": "Número de expediente",
        "discloser": "Quién puede compartir mis expedientes",
        "recipient": "Quién puede recibirlos",
        "designation": (
            "Mis proveedores de tratamiento (médicos, enfermeros y otras personas que me atienden)"
        ),
        "purpose": "Para qué",
        "categories": "Qué se puede compartir",
        "expires": "Este consentimiento termina",
        "expires_on": "el",
        "expires_event": "cuando",
        "no_expiry": (
            "No tiene fecha de fin: es un consentimiento para tratamiento, pago y operaciones "
            "de atención médica, que la ley permite que dure hasta que usted lo revoque."
        ),
        "revoke_title": "Usted puede cambiar de opinión",
        "redisclosure": (
            "Los expedientes compartidos con este consentimiento llevan este aviso: «42 CFR "
            "part 2 prohibits unauthorized use or disclosure of these records» (la parte 2 "
            "del título 42 del CFR prohíbe el uso o la divulgación no autorizados de estos "
            "expedientes). Quien los reciba y no sea su proveedor de tratamiento, su plan de "
            "salud o este programa no puede volver a compartirlos salvo lo que la ley permita."
        ),
        "signature": "Firma",
        "signed_on": "Firmado el",
        "signed_how": {
            "electronic": "firmado electrónicamente",
            "wet": "firmado en papel",
            "verbal_witnessed": "dado de palabra ante un testigo del personal",
        },
        "witness": "Testigo del personal",
        "version": "Versión",
        "supersedes": "Esta versión reemplaza el consentimiento",
        "revoked": "Revocado el",
        "draft": "Aún no firmado: firme abajo",
        "print": "Imprimir",
        "sign_line": "Firma del paciente",
        "date_line": "Fecha",
    },
}

REVOCATION = {
    "en": (
        "You may revoke (cancel) this consent at any time, in writing or by telling any staff "
        "member, who will record it. It stops further sharing from that moment; it cannot "
        "undo what was already shared while it was in effect."
    ),
    "es": (
        "Usted puede revocar (cancelar) este consentimiento en cualquier momento, por escrito "
        "o diciéndoselo a cualquier miembro del personal, que lo registrará. Desde ese momento "
        "no se comparte nada más; no puede deshacer lo que ya se compartió mientras estaba "
        "vigente."
    ),
}

PURPOSES = {
    "en": {
        "treatment": "My treatment",
        "payment": "Payment for my care",
        "health_care_operations": "Running the health care program (quality, audits)",
        "tpo": (
            "My treatment, payment for my care, and running the health care program, now and "
            "in the future"
        ),
        "research": "Research",
        "other": "Another reason (written below)",
    },
    "es": {
        "treatment": "Mi tratamiento",
        "payment": "El pago de mi atención",
        "health_care_operations": "El funcionamiento del programa de salud (calidad, auditorías)",
        "tpo": (
            "Mi tratamiento, el pago de mi atención y el funcionamiento del programa de "
            "salud, ahora y en el futuro"
        ),
        "research": "Investigación",
        "other": "Otro motivo (escrito abajo)",
    },
}

CATEGORIES = {
    "en": {
        "demographics": "My name, date of birth and contact details",
        "diagnosis": "My diagnoses",
        "assessments": "My assessments and their scores",
        "medications": "My medications: prescriptions and doses given",
        "drug_tests": "My drug test results",
        "attendance": "My attendance at counseling",
        "treatment_plan": "My treatment plan",
        "counseling_notes": "My counseling notes (only on a consent of their own)",
    },
    "es": {
        "demographics": "Mi nombre, fecha de nacimiento y datos de contacto",
        "diagnosis": "Mis diagnósticos",
        "assessments": "Mis evaluaciones y sus puntuaciones",
        "medications": "Mis medicamentos: recetas y dosis administradas",
        "drug_tests": "Mis resultados de pruebas de drogas",
        "attendance": "Mi asistencia a consejería",
        "treatment_plan": "Mi plan de tratamiento",
        "counseling_notes": "Mis notas de consejería (solo en un consentimiento aparte)",
    },
}

assert set(CATEGORIES["en"]) == set(CATEGORIES["es"]) == set(rule.CATEGORIES)
assert set(PURPOSES["en"]) == set(PURPOSES["es"]) == set(rule.CONSENT_PURPOSES)
assert set(FORM["en"]) == set(FORM["es"])
