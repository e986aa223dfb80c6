from django.urls import path

from . import views

app_name = "rights"
one = "requests/<id:request_id>/"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("requests/", views.request_list, name="list"),
    path("new/", views.new, name="new"),
    path("new/people/<id:person_id>/", views.new_for_person, name="new-for-person"),
    path("new/no-record/", views.new_without_record, name="new-without-record"),
    path(one, views.detail, name="detail"),
    path(one + "identity/", views.identity, name="identity"),
    path(one + "match/", views.match, name="match"),
    path(one + "match/<id:person_id>/", views.match_person, name="match-person"),
    path(one + "start/", views.start, name="start"),
    path(one + "pause/", views.pause, name="pause"),
    path(one + "resume/", views.resume, name="resume"),
    path(one + "extend/", views.extend, name="extend"),
    path(one + "decide/", views.decide, name="decide"),
    path(one + "acknowledge/", views.acknowledge, name="acknowledge"),
    path(one + "correct/", views.correct, name="correct"),
    path(one + "dispute/", views.dispute, name="dispute"),
    path(one + "notifications/<id:notification_id>/", views.notification, name="notification"),
    path("restrictions/<id:restriction_id>/lift/", views.lift_restriction, name="lift-restriction"),
]
