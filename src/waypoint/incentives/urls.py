from django.urls import path

from . import views

app_name = "incentives"
urlpatterns = [
    path("incentives/", views.board, name="board"),
    path("incentives/patients/<id:patient_id>/plans/", views.plan_new, name="plan_new"),
    path("incentives/patients/<id:patient_id>/redeem/", views.redeem, name="redeem"),
    path(
        "incentives/patients/<id:patient_id>/redemptions/<id:redemption_id>/void/",
        views.void,
        name="void",
    ),
    path("incentives/plans/<id:plan_id>/end/", views.plan_end, name="plan_end"),
    path("incentives/rewards/", views.reward_new, name="reward_new"),
    path(
        "incentives/rewards/<id:reward_id>/<str:action>/",
        views.reward_update,
        name="reward_update",
    ),
    path("incentives/budget/", views.budget, name="budget"),
    path("incentives/settings/", views.settings_page, name="settings"),
    # the board's random-test pick (a labs service) keeps the address it always had
    path("labs/random-tests/", views.random_pick, name="random_pick"),
]
