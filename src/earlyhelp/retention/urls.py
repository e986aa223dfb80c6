from django.urls import register_converter

from earlyhelp.web import converters

register_converter(converters.RecordIdConverter, "id")

app_name = "retention"
urlpatterns = []
