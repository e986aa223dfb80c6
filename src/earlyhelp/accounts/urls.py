from django.urls import path

from . import views

app_name = "account"
urlpatterns = [
    path("second-factor/", views.verify, name="verify"),
    path("second-factor/set-up/", views.enrol, name="enrol"),
    path("sessions/", views.my_sessions, name="sessions"),
    path("sessions/<id:session_id>/end/", views.end_session, name="session-end"),
    path("password/<str:uidb64>/<str:token>/", views.PasswordSetView.as_view(), name="password-set"),
]
