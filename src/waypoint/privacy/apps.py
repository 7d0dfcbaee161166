from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "waypoint.privacy"
    label = "privacy"
    verbose_name = "42 CFR Part 2: consents, disclosures, accounting, restricted records"

    def ready(self) -> None:
        # What other apps show of privacy, registered here (never by an import's side
        # effect): the access gate of the audit trail (restricted records), the masking of
        # restricted patients in lists, the chart's "Privacy" section and the home panel.
        from waypoint.audit.subjects import register_access_gate, register_restricted_flag
        from waypoint.core.home import HomePanel, register_home_panel
        from waypoint.core.web import register_refusal_page
        from waypoint.patients.access import register_visibility
        from waypoint.patients.chart import register_section

        from . import chart, selectors, views

        register_access_gate(selectors.access_gate)
        register_restricted_flag(selectors.restricted_flag)
        register_visibility(selectors.hidden_patients)
        register_section(chart.SECTION)
        register_refusal_page("restricted_record", views.restricted_refusal)
        register_home_panel(
            HomePanel("privacy", "privacy/home_panel.html", "privacy.review", selectors.home_panel)
        )
