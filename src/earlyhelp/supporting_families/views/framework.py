"""The programme's home for the data team, and the outcomes framework and programme rules pages.

Only roles with `RUN_PROGRAMME` may use them; anyone else gets an audited 404. Every change goes through
`services.framework`, which keeps history and writes the audit event.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.matching.models import DatasetType
from earlyhelp.programme.models import (
    DatasetNeedRule,
    Descriptor,
    FrameworkVersion,
    HeadlineArea,
    HeadlineLabel,
    ProgrammeRules,
)
from earlyhelp.ui.http_methods import require_form_page, require_safe
from earlyhelp.ui.service_forms import run_service

from ..forms import DatasetRuleForm, DescriptorForm, LabelForm, LocalDescriptorForm, ProgrammeRulesForm, ReasonForm
from ..models import Claim, ClaimStatus, ProgrammeFamily
from ..services import framework as services
from ..services import shortlist, sustainment

PURPOSE = Purpose.SUPPORTING_FAMILIES_RETURNS
PAGE_SIZE = 50


def require(request, model=None, object_id=None, queryset=None):
    """An audited 404 for anyone whose role does not run the programme, and for a record that does not exist."""
    object_type = model._meta.label_lower if model is not None else ""
    policy.require(request.user, policy.Permission.RUN_PROGRAMME, purpose=PURPOSE, object_type=object_type,
                   object_id=object_id)
    if model is None:
        return None
    found = (queryset if queryset is not None else model.objects).filter(pk=object_id).first()
    if found is None:
        policy.refuse(request.user, object_type=object_type, object_id=object_id, purpose=PURPOSE)
    return found


def viewed(request, event, *, objects=(), **metadata):
    audit.record(actor=request.user, action=Action.VIEW, event=event, purpose=PURPOSE, objects=objects,
                 metadata=metadata)


def posted(request):
    return request.POST if request.method == "POST" else None


def page_of(request, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


# --- Home --------------------------------------------------------------------------------------------------

@require_safe
@login_required
def home(request):
    require(request)
    due = sustainment.counts()
    context = {
        "shortlist_waiting": shortlist.pending_proposals().values("household_id").distinct().count(),
        "on_programme": ProgrammeFamily.objects.count(),
        "comparison_group": ProgrammeFamily.objects.filter(comparison_group=True).count(),
        "claims_waiting": Claim.objects.filter(status=ClaimStatus.PROPOSED).count(),
        "due": due, "reminder_days": ProgrammeRules.current().sustainment_reminder_days,
        "current_version": FrameworkVersion.objects.filter(is_current=True).first(),
    }
    viewed(request, "programme.home.view")
    return render(request, "supporting_families/home.html", context)


# --- Framework versions -----------------------------------------------------------------------------------

@require_safe
@login_required
def versions(request):
    require(request)
    found = FrameworkVersion.objects.all()
    viewed(request, "framework_versions.view")
    return render(request, "supporting_families/framework_versions.html", {
        "versions": found, "no_current": not any(version.is_current for version in found)})


@require_safe
@login_required
def version_detail(request, version_id):
    version = require(request, FrameworkVersion, version_id)
    labels = {label.area_id: label for label in version.labels.all()}
    areas = []
    for area in HeadlineArea.objects.all():
        areas.append({"area": area, "label": labels.get(area.pk),
                      "descriptors": [d for d in version.descriptors.all() if d.area_id == area.pk]})
    viewed(request, "framework_version.view", objects=[version])
    return render(request, "supporting_families/framework_version.html", {"version": version, "areas": areas})


@require_form_page
@login_required
def make_current(request, version_id):
    version = require(request, FrameworkVersion, version_id)
    form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        done = run_service(form, lambda: services.make_current(by=request.user, version_id=version.pk,
                                                               reason=form.cleaned_data["reason"]))
        if done is not None:
            messages.success(request, f"{version.name} is now the current framework version.")
            return redirect("programme:framework-version", version.pk)
    return render(request, "supporting_families/framework_make_current.html", {
        "version": version, "form": form, "heading": f"Make {version.name} current", "caption": "Outcomes framework",
        "back_url": reverse("programme:framework-version", args=[version.pk]), "back_text": "Back to the version",
        "button": "Make this version current"})


# --- Labels and descriptors -------------------------------------------------------------------------------

@require_form_page
@login_required
def label_edit(request, label_id):
    label = require(request, HeadlineLabel, label_id, HeadlineLabel.objects.select_related("area", "version"))
    form = LabelForm(posted(request), initial={"label": label.label})
    if request.method == "POST" and form.is_valid():
        done = run_service(form, lambda: services.edit_label(by=request.user, label_id=label.pk,
                                                             label=form.cleaned_data["label"]))
        if done is not None:
            messages.success(request, "The headline label is changed.")
            return redirect("programme:framework-version", label.version_id)
    viewed(request, "headline_label.view", objects=[label])
    return render(request, "supporting_families/framework_label.html", {
        "label": label, "form": form, "history": services.history_of(label), "show_history": True,
        "heading": "Change a headline label", "caption": label.version.name, "button": "Save the label",
        "back_url": reverse("programme:framework-version", args=[label.version_id]), "back_text": "Back to the version"})


@require_form_page
@login_required
def descriptor_detail(request, descriptor_id):
    descriptor = require(request, Descriptor, descriptor_id, Descriptor.objects.select_related("area", "version"))
    form = DescriptorForm(posted(request), initial={"label": descriptor.label,
                                                    "progress_evidence": descriptor.progress_evidence})
    if request.method == "POST" and form.is_valid():
        done = run_service(form, lambda: services.edit_descriptor(
            by=request.user, descriptor_id=descriptor.pk, label=form.cleaned_data["label"],
            progress_evidence=form.cleaned_data["progress_evidence"]))
        if done is not None:
            messages.success(request, "The descriptor is changed.")
            return redirect("programme:framework-descriptor", descriptor.pk)
    viewed(request, "descriptor.view", objects=[descriptor])
    return render(request, "supporting_families/framework_descriptor.html", {
        "descriptor": descriptor, "form": form, "history": services.history_of(descriptor), "show_history": True,
        "needs_recorded": descriptor.needs.count(), "heading": descriptor.label, "caption": "Descriptor",
        "button": "Save the descriptor", "back_text": "Back to the version",
        "back_url": reverse("programme:framework-version", args=[descriptor.version_id])})


@require_form_page
@login_required
def descriptor_new(request, version_id):
    version = require(request, FrameworkVersion, version_id)
    form = LocalDescriptorForm(posted(request), initial={"area": request.GET.get("area")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        descriptor = run_service(form, lambda: services.add_local_descriptor(
            by=request.user, version_id=version.pk, area_id=data["area"].pk, code=data["code"], label=data["label"],
            progress_evidence=data["progress_evidence"]))
        if descriptor is not None:
            messages.success(request, "The council's descriptor is added.")
            return redirect("programme:framework-version", version.pk)
    return render(request, "supporting_families/framework_descriptor_new.html", {
        "version": version, "form": form, "heading": "Add a council descriptor", "caption": version.name,
        "button": "Add the descriptor", "back_text": "Back to the version",
        "back_url": reverse("programme:framework-version", args=[version.pk])})


@require_form_page
@login_required
def descriptor_deactivate(request, descriptor_id):
    descriptor = require(request, Descriptor, descriptor_id, Descriptor.objects.select_related("area", "version"))
    form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        done = run_service(form, lambda: services.deactivate_descriptor(
            by=request.user, descriptor_id=descriptor.pk, reason=form.cleaned_data["reason"]))
        if done is not None:
            messages.success(request, "The descriptor is out of use. Needs already recorded under it keep it.")
            return redirect("programme:framework-descriptor", descriptor.pk)
    return render(request, "supporting_families/framework_descriptor_deactivate.html", {
        "descriptor": descriptor, "form": form, "needs_recorded": descriptor.needs.count(),
        "heading": "Take a descriptor out of use", "caption": descriptor.version.name,
        "button": "Take it out of use", "back_text": "Back to the descriptor",
        "back_url": reverse("programme:framework-descriptor", args=[descriptor.pk])})


# --- Dataset rules ------------------------------------------------------------------------------------------

@require_safe
@login_required
def dataset_rules(request):
    require(request)
    found = DatasetNeedRule.objects.select_related("descriptor__area", "descriptor__version")
    dataset = request.GET.get("dataset", "")
    if dataset:
        found = found.filter(dataset_type=dataset)
    viewed(request, "dataset_rules.view")
    return render(request, "supporting_families/framework_dataset_rules.html", {
        "page": page_of(request, found), "datasets": DatasetType.choices, "dataset": dataset,
        "dataset_labels": dict(DatasetType.choices)})


def _rule_form_page(request, rule=None):
    initial = {}
    if rule is not None:
        initial = {"dataset_type": rule.dataset_type, "descriptor": rule.descriptor_id, "comparison": rule.comparison,
                   "fact": rule.fact, "value": rule.value, "is_active": "yes" if rule.is_active else "no"}
    else:
        initial = {"comparison": DatasetNeedRule.Comparison.ANY, "is_active": "yes"}
    form = DatasetRuleForm(posted(request), initial=initial,
                           current_descriptor_id=rule.descriptor_id if rule is not None else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(form, lambda: services.save_dataset_rule(
            by=request.user, rule_id=rule.pk if rule else None, dataset_type=data["dataset_type"],
            descriptor_id=data["descriptor"].pk, comparison=data["comparison"], fact=data["fact"],
            value=data["value"], is_active=data["is_active"], reason=data["reason"]))
        if saved is not None:
            messages.success(request, "The dataset rule is saved.")
            return redirect("programme:framework-dataset-rules")
    return render(request, "supporting_families/framework_dataset_rule.html", {
        "rule": rule, "form": form, "history": services.history_of(rule) if rule is not None else [],
        "show_history": rule is not None, "heading": "Change a dataset rule" if rule else "Add a dataset rule",
        "caption": "Dataset rules", "button": "Save the rule", "back_text": "Back to the dataset rules",
        "back_url": reverse("programme:framework-dataset-rules")})


@require_form_page
@login_required
def dataset_rule_new(request):
    require(request)
    return _rule_form_page(request)


@require_form_page
@login_required
def dataset_rule_edit(request, rule_id):
    rule = require(request, DatasetNeedRule, rule_id)
    return _rule_form_page(request, rule)


# --- Programme rules ----------------------------------------------------------------------------------------

@require_form_page
@login_required
def programme_rules(request):
    require(request)
    rules = ProgrammeRules.current()
    form = ProgrammeRulesForm(posted(request), initial=ProgrammeRulesForm.initial_from(rules))
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.RULE_FIELDS}
        saved = run_service(form, lambda: services.update_programme_rules(
            by=request.user, reason=form.cleaned_data["reason"], **values))
        if saved is not None:
            messages.success(request, "The programme rules are changed.")
            return redirect("programme:framework-rules")
    viewed(request, "programme_rules.view")
    return render(request, "supporting_families/framework_rules.html", {
        "rules": rules, "form": form, "history": services.history_of(rules), "show_history": True,
        "heading": "Programme rules", "caption": "Supporting Families", "button": "Save the rules",
        "back_text": "Back to Supporting Families", "back_url": reverse("programme:home")})


urlpatterns = [
    path("", home, name="home"),
    path("framework/", versions, name="framework"),
    path("framework/versions/<int:version_id>/", version_detail, name="framework-version"),
    path("framework/versions/<int:version_id>/make-current/", make_current, name="framework-make-current"),
    path("framework/versions/<int:version_id>/descriptors/new/", descriptor_new, name="framework-descriptor-new"),
    path("framework/labels/<int:label_id>/", label_edit, name="framework-label"),
    path("framework/descriptors/<int:descriptor_id>/", descriptor_detail, name="framework-descriptor"),
    path("framework/descriptors/<int:descriptor_id>/deactivate/", descriptor_deactivate,
         name="framework-descriptor-deactivate"),
    path("framework/dataset-rules/", dataset_rules, name="framework-dataset-rules"),
    path("framework/dataset-rules/new/", dataset_rule_new, name="framework-dataset-rule-new"),
    path("framework/dataset-rules/<int:rule_id>/", dataset_rule_edit, name="framework-dataset-rule"),
    path("framework/rules/", programme_rules, name="framework-rules"),
]
