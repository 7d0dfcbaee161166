from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("<id:patient_id>/assessments/<str:instrument>/", views.record, name="record"),
    path("<id:patient_id>/risk-factors/", views.risk, name="risk"),
    path("<id:patient_id>/problems/", views.problem_add, name="problem_add"),
    path("problems/<id:problem_id>/resolve/", views.problem_resolve, name="problem_resolve"),
    path("<id:patient_id>/level-of-care/", views.level_assess, name="level_assess"),
    path("level-of-care/<id:assessment_id>/decision/", views.level_decide, name="level_decide"),
    path("flags/<id:flag_id>/acknowledge/", views.flag_ack, name="flag_ack"),
    path("flags/<id:flag_id>/next-steps/", views.flag_prompt, name="flag_prompt"),
    path("safety-flags/", views.site_flags, name="site_flags"),
]
