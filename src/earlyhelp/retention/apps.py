from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "earlyhelp.retention"
    verbose_name = "Retention and disposal"
