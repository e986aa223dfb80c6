"""The DPO's pages for the processing register (UK GDPR Article 30) and publishing the privacy notice.

The DPO reads and keeps the register; a system administrator may read it. Anyone else gets an
audited 404. Every page view and every change is an audit event; changes go through
`register.save_purpose` and `register.publish`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action
from earlyhelp.ui.http_methods import require_form_page, require_safe
from earlyhelp.ui.lists import paged_rows
from earlyhelp.ui.service_forms import run_service

from .models import ConsentRules, ProcessingPurpose, RecipientType, recipient_label
from .register_forms import (
    ConsentRulesForm,
    EditPurposeForm,
    NewPurposeForm,
    NewRecipientTypeForm,
    RecipientTypeForm,
)
from . import retention_wording
from .services import consent, recipients, register

OBJECT_TYPE = "privacy.processingpurpose"


def _refuse(request, purpose_id=None):
    policy.refuse(request.user, object_type=OBJECT_TYPE, object_id=purpose_id, purpose=register.AUDIT_PURPOSE)


def _require(request, *, keep: bool, purpose_id=None) -> ProcessingPurpose | None:
    """The purpose (if named) for a user allowed to read the register, or to keep it; else an audited 404."""
    if not policy.has_permission(request.user, policy.Permission.KEEP_REGISTER if keep
                                 else policy.Permission.READ_REGISTER):
        _refuse(request, purpose_id)
    if purpose_id is None:
        return None
    purpose = ProcessingPurpose.objects.filter(pk=purpose_id).first()
    if purpose is None:
        _refuse(request, purpose_id)
    return purpose


def _viewed(request, event, *, objects=(), **metadata):
    audit.record(actor=request.user, action=Action.VIEW, event=event, purpose=register.AUDIT_PURPOSE,
                 objects=objects, metadata=metadata)


def _row(purpose, retention_words: dict):
    return {
        "purpose": purpose,
        "article_6": register.display("article_6", purpose.article_6),
        "article_9": register.display("article_9", purpose.article_9) if purpose.article_9 else "None",
        "recipients": [recipient_label(code) for code in purpose.recipient_types],
        "retention": retention_words.get(purpose.retention, purpose.retention),
    }


@require_safe
@login_required
def register_list(request):
    _require(request, keep=False)
    page = paged_rows(request, ProcessingPurpose.objects.order_by("-is_active", "name", "pk"))
    words = retention_wording.in_words({purpose.retention for purpose in page.object_list})
    _viewed(request, "processing_register.view", purposes_listed=len(page.object_list))
    return render(request, "privacy/register/list.html", {
        "rows": [_row(p, words) for p in page.object_list], "page": page, "changes": register.changes_since_publication(),
        "may_keep": policy.has_permission(request.user, policy.Permission.KEEP_REGISTER)})


@require_safe
@login_required
def purpose_detail(request, purpose_id):
    purpose = _require(request, keep=False, purpose_id=purpose_id)
    _viewed(request, "processing_purpose.view", objects=[purpose])
    fields = [{"name": name, "label": register.LABELS[name], "value": register.display(name, getattr(purpose, name))}
              for name in register.EDITABLE_FIELDS]
    return render(request, "privacy/register/detail.html", {
        "purpose": purpose, "fields": fields, "history": register.history(purpose),
        "dpias": purpose.dpias.all(), "agreements": purpose.sharing_agreements.all(), "today": timezone.localdate(),
        "may_keep": policy.has_permission(request.user, policy.Permission.KEEP_REGISTER)})


def _form_page(request, form, *, purpose=None):
    return render(request, "privacy/register/form.html", {"form": form, "purpose": purpose})


@require_form_page
@login_required
def purpose_edit(request, purpose_id):
    purpose = _require(request, keep=True, purpose_id=purpose_id)
    form = EditPurposeForm(request.POST or None, purpose=purpose)
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, lambda: register.save_purpose(
            by=request.user, purpose=purpose, reason=form.cleaned_data["change_reason"], **form.service_fields()))
        if saved is not None:
            messages.success(request, f"{saved.name}: your changes are saved.")
            return redirect("web:register-purpose", purpose_id=saved.pk)
    if request.method != "POST":
        _viewed(request, "processing_purpose.view", objects=[purpose], page="edit")
    return _form_page(request, form, purpose=purpose)


@require_form_page
@login_required
def purpose_new(request):
    _require(request, keep=True)
    form = NewPurposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, lambda: register.save_purpose(by=request.user, **form.service_fields()))
        if saved is not None:
            messages.success(request, f"{saved.name} is added to the register.")
            return redirect("web:register-purpose", purpose_id=saved.pk)
    return _form_page(request, form)


@require_form_page
@login_required
def publish(request):
    _require(request, keep=True)
    if request.method == "POST":
        try:
            notice = register.publish(by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("web:register")
        messages.success(request, f"Privacy notice version {notice.version} is published.")
        return redirect("web:register")
    changes = register.changes_since_publication()
    _viewed(request, "processing_register.publish_check", changed=changes["changed"])
    return render(request, "privacy/register/publish.html", {"changes": changes})


# --- Recipient types (P21) ----------------------------------------------------------------------

RECIPIENT_OBJECT = "privacy.recipienttype"


def _require_recipient(request, *, keep: bool, recipient_id=None) -> RecipientType | None:
    """The recipient type (if named) for a user allowed to read the register, or to keep it; else an audited 404."""
    def refuse():
        policy.refuse(request.user, object_type=RECIPIENT_OBJECT, object_id=recipient_id,
                      purpose=register.AUDIT_PURPOSE)

    if not policy.has_permission(request.user, policy.Permission.KEEP_REGISTER if keep
                                 else policy.Permission.READ_REGISTER):
        refuse()
    if recipient_id is None:
        return None
    recipient = RecipientType.objects.filter(pk=recipient_id).first()
    if recipient is None:
        refuse()
    return recipient


@require_safe
@login_required
def recipient_list(request):
    _require_recipient(request, keep=False)
    page = paged_rows(request, RecipientType.objects.order_by("-is_active", "-kind", "name", "pk"))
    rows = page.object_list
    _viewed(request, "recipient_types.view", listed=len(rows))
    return render(request, "privacy/register/recipients.html", {
        "page": page, "rows": [{"recipient": r, "function": recipients.display("public_function", r.public_function),
                  "kind": recipients.display("kind", r.kind)} for r in rows],
        "may_keep": policy.has_permission(request.user, policy.Permission.KEEP_REGISTER)})


@require_safe
@login_required
def recipient_detail(request, recipient_id):
    recipient = _require_recipient(request, keep=False, recipient_id=recipient_id)
    _viewed(request, "recipient_type.view", objects=[recipient])
    fields = [{"name": name, "label": recipients.LABELS[name],
               "value": recipients.display(name, getattr(recipient, name))} for name in recipients.EDITABLE_FIELDS]
    return render(request, "privacy/register/recipient.html", {
        "recipient": recipient, "fields": fields, "history": recipients.history(recipient),
        "may_keep": policy.has_permission(request.user, policy.Permission.KEEP_REGISTER)})


def _recipient_form_page(request, form, recipient=None):
    return render(request, "privacy/register/recipient_form.html", {"form": form, "recipient": recipient})


@require_form_page
@login_required
def recipient_new(request):
    _require_recipient(request, keep=True)
    form = NewRecipientTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, lambda: recipients.save_recipient_type(
            by=request.user, reason=form.cleaned_data["change_reason"], **form.service_fields()))
        if saved is not None:
            messages.success(request, f"{saved.name} is added to the register's recipients. Add it to the purposes "
                                      "that share with it, then publish the privacy notice.")
            return redirect("web:register-recipient", recipient_id=saved.pk)
    return _recipient_form_page(request, form)


@require_form_page
@login_required
def recipient_edit(request, recipient_id):
    recipient = _require_recipient(request, keep=True, recipient_id=recipient_id)
    form = RecipientTypeForm(request.POST or None, recipient=recipient)
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, lambda: recipients.save_recipient_type(
            by=request.user, recipient=recipient, reason=form.cleaned_data["change_reason"],
            **form.service_fields()))
        if saved is not None:
            messages.success(request, f"{saved.name}: your changes are saved.")
            return redirect("web:register-recipient", recipient_id=saved.pk)
    if request.method != "POST":
        _viewed(request, "recipient_type.view", objects=[recipient], page="edit")
    return _recipient_form_page(request, form, recipient)


# --- The council's rule on consent to support (P6) ----------------------------------------------

@require_form_page
@login_required
def consent_rules(request):
    """The council's rule on consent to support (P6), kept by the DPO with a reason for every change."""
    _require(request, keep=True)
    rules = ConsentRules.current()
    form = ConsentRulesForm(request.POST or None, initial={
        "support_needs_consent": "yes" if rules.support_needs_consent else "no",
        "verbal_consent_enough": "yes" if rules.verbal_consent_enough else "no"})
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: consent.change_consent_rules(by=request.user, **form.service_fields())):
            messages.success(request, "The consent rule is changed.")
            return redirect("web:register-consent-rules")
    if request.method != "POST":
        _viewed(request, "consent_rules.view")
    return render(request, "privacy/register/consent_rules.html", {
        "rules": rules, "form": form, "history": consent.consent_rules_history()})
