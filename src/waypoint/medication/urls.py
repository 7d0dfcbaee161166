from django.urls import path

from . import views

app_name = "medication"
urlpatterns = [
    path("dosing/", views.window, name="window"),
    path("dosing/board/", views.window_board, name="window_board"),
    path("dosing/dose/", views.dose, name="dose"),
    path("dosing/vitals/", views.vitals, name="vitals"),
    path("dosing/outreach/", views.outreach, name="outreach"),
    path("dosing/close/", views.close_day, name="close_day"),
    path("dosing/stock/", views.stock, name="stock"),
    path("dosing/stock/<str:action>/", views.stock_action, name="stock_action"),
    path("medication/settings/", views.settings_page, name="settings"),
    path("medication/patients/<id:patient_id>/orders/", views.order_new, name="order_new"),
    path(
        "medication/patients/<id:patient_id>/orders/check/",
        views.order_check,
        name="order_check",
    ),
    path(
        "medication/patients/<id:patient_id>/take-home-determinations/",
        views.determination,
        name="determination",
    ),
    path(
        "medication/orders/<id:order_id>/implant/<str:action>/",
        views.implant,
        name="implant",
    ),
    path(
        "medication/patients/<id:patient_id>/opioid-free/",
        views.opioid_free,
        name="opioid_free",
    ),
    path("medication/patients/<id:patient_id>/diversion/", views.diversion, name="diversion"),
    path("medication/orders/<id:order_id>/take-homes/", views.take_home, name="take_home"),
    path(
        "medication/orders/<id:order_id>/<str:action>/",
        views.order_update,
        name="order_update",
    ),
]
