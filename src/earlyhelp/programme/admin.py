from django.contrib import admin

from earlyhelp.audit.admin import AuditedAdmin

from .models import DatasetNeedRule, Descriptor, FrameworkVersion, HeadlineArea, HeadlineLabel, ProgrammeRules


@admin.register(HeadlineArea)
class HeadlineAreaAdmin(AuditedAdmin):
    list_display = ["order", "code", "label", "sensitivity"]


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(AuditedAdmin):
    list_display = ["code", "name", "starts_on", "is_current"]


@admin.register(HeadlineLabel)
class HeadlineLabelAdmin(AuditedAdmin):
    list_display = ["version", "area", "label"]


@admin.register(Descriptor)
class DescriptorAdmin(AuditedAdmin):
    list_display = ["version", "area", "code", "label", "is_local", "is_active"]
    list_filter = ["version", "area", "is_local", "is_active"]


@admin.register(DatasetNeedRule)
class DatasetNeedRuleAdmin(AuditedAdmin):
    list_display = ["dataset_type", "descriptor", "fact", "comparison", "value", "is_active"]


@admin.register(ProgrammeRules)
class ProgrammeRulesAdmin(AuditedAdmin):
    list_display = ["__str__", "minimum_needs", "counting", "positive_score", "sustainment_months"]
