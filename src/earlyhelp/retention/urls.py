from django.urls import path

from . import views

app_name = "retention"
urlpatterns = [
    path("", views.home, name="home"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/new/", views.rule_new, name="rule-new"),
    path("rules/<id:rule_id>/", views.rule_edit, name="rule-edit"),
    path("holds/", views.hold_list, name="holds"),
    path("holds/new/", views.hold_new, name="hold-new"),
    path("holds/<id:hold_id>/lift/", views.hold_lift, name="hold-lift"),
    path("sweeps/", views.sweep_list, name="sweeps"),
    path("sweeps/<id:run_id>/", views.sweep_detail, name="sweep"),
    path("sweeps/<id:run_id>/cancel/", views.sweep_cancel, name="sweep-cancel"),
    path("batches/", views.batch_list, name="batches"),
    path("batches/<id:batch_id>/", views.batch_detail, name="batch"),
    path("batches/<id:batch_id>/decide/", views.batch_decide, name="batch-decide"),
    path("batches/<id:batch_id>/dispose/", views.batch_dispose, name="batch-dispose"),
    path("certificates/", views.certificate_list, name="certificates"),
    path("certificates/<id:certificate_id>/", views.certificate_detail, name="certificate"),
    path("certificates/<id:certificate_id>/pdf/", views.certificate_pdf, name="certificate-pdf"),
]
