"""Reviewing partners' access (P18): a paged, filterable table of the partners on the Team Around the Family of the
manager's team's families, confirmed or removed many at a time. The service (`services.review_partner_access_many`)
owns the change and writes one audit event for each membership."""

import django_filters
import django_tables2 as tables
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.organisations.models import Organisation
from earlyhelp.records.text import TextRulesForm
from earlyhelp.ui.forms import format_date
from earlyhelp.ui.http_methods import require_form_page
from earlyhelp.ui.lists import GovukTable, paged_list
from earlyhelp.ui.service_forms import parse_id, run_service

from . import messages as access_messages
from . import policy, services


class PartnerAccessTable(GovukTable):
    caption, noun_plural = "Partners' access waiting for review", "partners"
    select = tables.Column("Select", accessor="pk", orderable=False)
    partner = tables.Column("Partner", accessor="practitioner", order_by=("practitioner__last_name",
                                                                           "practitioner__first_name"))
    organisation = tables.Column("Organisation", accessor="organisation__name")
    family = tables.Column("Family", accessor="episode__household__reference",
                           order_by=("episode__household__reference",))
    since = tables.Column("On the team since", accessor="start_date")
    last_reviewed = tables.Column("Last reviewed", accessor="last_reviewed_at", default="Never")
    detail = tables.Column("Special category detail", accessor="special_category_access")

    def render_select(self, record):
        name = policy.family_name(record.episode.household).name or record.episode.household.reference
        return format_html(
            '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">'
            '<div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input" id="member-{0}" '
            'name="taf_member_id" type="checkbox" value="{0}"><label class="govuk-label govuk-checkboxes__label" '
            'for="member-{0}"><span class="govuk-visually-hidden">{1}, {2}</span></label></div></div>',
            record.pk, record.practitioner.get_full_name(), name)

    def render_partner(self, record):
        return record.practitioner.get_full_name()

    def render_family(self, record):
        household = record.episode.household
        name = policy.family_name(household).name or f"Family {household.reference}"
        return format_html('<a class="govuk-link" href="{}">{}</a><br><span class="govuk-hint govuk-!-font-size-16 '
                           'govuk-!-margin-bottom-0">{}</span>', reverse("web:family", args=[household.pk]), name,
                           household.reference)

    def render_since(self, value):
        return format_date(value)

    def render_last_reviewed(self, value):
        return format_date(timezone.localdate(value))

    def render_detail(self, value):
        return "Yes" if value else "No"


class PartnerAccessFilter(django_filters.FilterSet):
    organisation = django_filters.ModelChoiceFilter(label="Organisation", queryset=Organisation.objects.none(),
                                                    empty_label="All organisations", widget=forms.Select)
    reviewed = django_filters.ChoiceFilter(label="Last reviewed", empty_label="Either", method="filter_reviewed",
                                           choices=[("never", "Never reviewed"), ("before", "Reviewed before")])
    detail = django_filters.ChoiceFilter(label="Special category detail", field_name="special_category_access",
                                         empty_label="Either", choices=[(True, "Yes"), (False, "No")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["organisation"].queryset = Organisation.objects.filter(
            pk__in=self.queryset.order_by().values("organisation_id")).order_by("name")

    def filter_reviewed(self, rows, name, value):
        return rows.filter(last_reviewed_at__isnull=value == "never")


class BulkReviewForm(TextRulesForm):
    decision = forms.ChoiceField(label="What have you decided for the partners you selected?",
                                 widget=forms.RadioSelect, choices=[
                                     ("confirm", "Confirm: they still need to see the family"),
                                     ("remove", "Remove their access")],
                                 error_messages={"required": "Select whether to confirm or remove the access"})
    note = forms.CharField(label="Why is the access being removed?", required=False, widget=forms.Textarea(
        attrs={"rows": 3}), help_text="Only needed if you remove access")


@require_form_page
@login_required
def partner_access_reviews(request):
    """A manager confirms or removes partners' access to their team's families, periodically (P18)."""
    user = request.user
    policy.require(user, policy.Permission.REVIEW_PARTNER_ACCESS, purpose=Purpose.ACCESS_OVERSIGHT)
    form = BulkReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirm = form.cleaned_data["decision"] == "confirm"
        ids = [pk for pk in map(parse_id, request.POST.getlist("taf_member_id")) if pk]
        reviewed = run_service(form, lambda: services.review_partner_access_many(
            by=user, taf_member_ids=ids, confirm=confirm, note=form.cleaned_data["note"]))
        if reviewed:
            count = len(reviewed)
            messages.success(request, f"Access {'confirmed' if confirm else 'removed'} for {count} "
                                      f"partner{'' if count == 1 else 's'}.")
            return redirect(request.get_full_path())
    context = paged_list(request, PartnerAccessTable, services.partner_access_rows(user),
                         filterset_class=PartnerAccessFilter)
    table = context["table"]
    audit.record(actor=user, action=Action.VIEW, event="partner_access.reviews", purpose=Purpose.ACCESS_OVERSIGHT,
                 objects=[row.record for row in table.page.object_list],
                 metadata={"listed": table.paginator.count, "page": table.page.number})
    return render(request, "access/partner_access_reviews.html", {
        **context, "form": form, "review_days": settings.EARLYHELP_ACCESS_REVIEW_DAYS,
        "removal_reason": access_messages.ENTER_REMOVAL_REASON})
