"""The front door's pages about requests made online (signed in; `SEE_ONLINE_REQUESTS` in the access table). Not in
the public `online` namespace, which the sign-in middleware lets through."""

from django.urls import path

from . import staff_views

app_name = "online_requests"
urlpatterns = [
    path("", staff_views.request_list, name="list"),
    path("<id:request_id>/", staff_views.request_detail, name="detail"),
]
