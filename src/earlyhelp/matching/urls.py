from django.urls import path

from . import views

app_name = "matching"
urlpatterns = [
    path("", views.home, name="home"),
    path("imports/", views.batch_list, name="batches"),
    path("imports/new/", views.batch_new, name="batch-new"),
    path("imports/templates/<slug:dataset_type>.csv", views.batch_template, name="batch-template"),
    path("imports/<id:batch_id>/", views.batch_detail, name="batch"),
    path("imports/<id:batch_id>/cancel/", views.batch_cancel, name="batch-cancel"),
    path("runs/", views.run_list, name="runs"),
    path("runs/<id:run_id>/", views.run_detail, name="run"),
    path("runs/<id:run_id>/cancel/", views.run_cancel, name="run-cancel"),
    path("review/", views.review_queue, name="queue"),
    path("review/<id:candidate_id>/", views.candidate_detail, name="candidate"),
    path("needs/", views.need_suggestions, name="needs"),
    path("needs/<id:suggestion_id>/", views.need_suggestion_decide, name="need-decide"),
    path("unmatched/", views.unmatched_list, name="unmatched"),
    path("unmatched/<id:record_id>/new-person/", views.new_person, name="new-person"),
]
