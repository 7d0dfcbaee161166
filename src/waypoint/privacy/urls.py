from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("privacy/", views.board, name="board"),
    path("privacy/patients/<id:patient_id>/consents/", views.consent_new, name="consent_new"),
    path("privacy/consents/<id:consent_id>/end/", views.consent_revoke, name="consent_end"),
    path("privacy/consents/<id:consent_id>/print/", views.consent_print, name="consent_print"),
    path("privacy/consents/<id:consent_id>/pdf/", views.consent_print, name="consent_pdf"),
    path("privacy/patients/<id:patient_id>/disclose/", views.disclose, name="disclose"),
    path(
        "privacy/patients/<id:patient_id>/accounting/",
        views.accounting_print,
        name="accounting",
    ),
    path("privacy/patients/<id:patient_id>/notices/", views.notice_new, name="notice_new"),
    path(
        "privacy/patients/<id:patient_id>/restriction-requests/",
        views.request_new,
        name="request_new",
    ),
    path(
        "privacy/restriction-requests/<id:request_id>/decide/",
        views.request_decide,
        name="request_decide",
    ),
    path(
        "privacy/patients/<id:patient_id>/court-orders/",
        views.court_order_new,
        name="court_order_new",
    ),
    path("privacy/recipients/", views.recipients, name="recipients"),
    path(
        "privacy/recipients/<id:token_id>/revoke/",
        views.recipient_revoke,
        name="recipient_revoke",
    ),
    path("privacy/complaints/", views.complaint_new, name="complaint_new"),
    path(
        "privacy/complaints/<id:complaint_id>/resolve/",
        views.complaint_resolve,
        name="complaint_resolve",
    ),
    path("privacy/patients/<id:patient_id>/restriction/", views.restrict, name="restrict"),
    path("privacy/patients/<id:patient_id>/open/", views.open_restricted, name="open"),
    path(
        "privacy/reviews/<str:kind>/<id:item_id>/",
        views.review,
        name="review",
    ),
]
