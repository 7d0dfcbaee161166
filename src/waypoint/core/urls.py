from django.contrib.auth import views as auth_views
from django.urls import path

from . import signin, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", signin.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("session/resume/", views.resume, name="session_resume"),
    path("session/keepalive/", views.keepalive, name="session_keepalive"),
    # the second factor and the account page (issue 16; docs/SIGN-IN.md)
    path("login/verify/", signin.verify, name="login_verify"),
    path("account/", signin.account, name="account"),
    path("account/second-factor/", signin.enrol, name="account_mfa"),
]
