"""The ``care:`` pages: the census board, and the pages of episodes and of counseling
sessions (their own ``urls.py`` lists, kept in this one namespace). Treatment-plan pages
have their own ``plans:`` namespace (``care/plans/urls.py``, included by
``waypoint/urls.py``)."""

from django.urls import path

from . import views
from .episodes import urls as episodes
from .sessions import urls as sessions

app_name = "care"
urlpatterns = [
    path("census/", views.census, name="census"),
    *sessions.urlpatterns,
    *episodes.urlpatterns,
]
