from django.urls import path

from . import views

app_name = "incentives"
urlpatterns = [
    path("incentives/", views.board, name="board"),
    path("incentives/patients/<int:patient_id>/plans/", views.plan_new, name="plan_new"),
    path("incentives/patients/<int:patient_id>/redeem/", views.redeem, name="redeem"),
    path("incentives/plans/<int:plan_id>/end/", views.plan_end, name="plan_end"),
    path("incentives/rewards/", views.reward_new, name="reward_new"),
    path(
        "incentives/rewards/<int:reward_id>/<str:action>/",
        views.reward_update,
        name="reward_update",
    ),
    path("incentives/budget/", views.budget, name="budget"),
]
