"""The administration pages, under ``/manage/`` (namespace ``manage``)."""

from django.urls import path

from . import admin_pages

app_name = "manage"
urlpatterns = [
    path("", admin_pages.manage_home, name="home"),
    path("staff/", admin_pages.staff_list, name="staff"),
    path("staff/<id:user_id>/", admin_pages.staff_detail, name="staff_member"),
    path("sites/", admin_pages.site_list, name="sites"),
    path("sites/<id:site_id>/", admin_pages.site_detail, name="site"),
]
