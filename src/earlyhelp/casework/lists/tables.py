"""The casework lists as GOV.UK tables: who the family is (as `access.policy.names` allows), who leads, the stage,
and how long something has waited or how overdue it is (a red tag, with the words: colour never carries it alone)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from earlyhelp.access import policy
from earlyhelp.ui.forms import format_date
from earlyhelp.ui.lists import GovukTable

from ..models import Channel
from .rows import REVIEW_SOON_DAYS, Stage


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def due_tag(due_on, today, *, soon_days=REVIEW_SOON_DAYS):
    """The date and a GOV.UK tag: overdue (red, by how many days), due soon (yellow) or nothing."""
    if due_on is None:
        return "None due"
    if due_on < today:
        return format_html('{} <strong class="govuk-tag govuk-tag--red">Overdue by {}</strong>', format_date(due_on),
                           _days((today - due_on).days))
    if (due_on - today).days <= soon_days:
        return format_html('{} <strong class="govuk-tag govuk-tag--yellow">Due in {}</strong>', format_date(due_on),
                           _days((due_on - today).days))
    return format_date(due_on)


def family_cell(household, *, anchor=""):
    """The family's name (a link to its page) with its reference beneath."""
    name = policy.family_name(household).name or f"Family {household.reference}"
    url = reverse("web:family", args=[household.pk]) + anchor
    return format_html('<a class="govuk-link" href="{}">{}</a><br><span class="govuk-hint govuk-!-font-size-16 '
                       'govuk-!-margin-bottom-0">{}</span>', url, name, household.reference)


def children_cell(household):
    children = policy.family_name(household).children
    if not children:
        return "None recorded"
    return format_html('<ul class="govuk-list govuk-!-margin-bottom-0">{}</ul>',
                       format_html_join("", "<li>{}</li>", ((c,) for c in children)))


class CaseworkTable(GovukTable):
    """A casework list: knows today, for the days waiting and overdue."""

    def __init__(self, *args, today=None, **kwargs):
        self.today = today or timezone.localdate()
        super().__init__(*args, **kwargs)


class FamilyTable(CaseworkTable):
    noun_plural = "families"
    family = tables.Column("Family", accessor="household__reference", order_by=("family_sort", "household__reference"))
    children = tables.Column("Children", accessor="household", orderable=False)
    lead = tables.Column("Lead practitioner", accessor="lead_practitioner", default="Not allocated",
                         order_by=("lead_practitioner__last_name", "lead_practitioner__first_name"))
    team = tables.Column("Team", accessor="team__name")
    stage = tables.Column("Stage", order_by=("stage_order",))
    opened = tables.Column("Opened", accessor="opened_on")
    next_review = tables.Column("Next review", accessor="next_review_due", default="None due")

    def render_family(self, record):
        return family_cell(record.household)

    def render_children(self, record):
        return children_cell(record.household)

    def render_stage(self, value):
        return Stage(value).label

    def render_opened(self, value):
        return format_html('{}<br><span class="govuk-hint govuk-!-font-size-16 govuk-!-margin-bottom-0">{} ago</span>',
                           format_date(value), _days((self.today - value).days))

    def render_next_review(self, value):
        return due_tag(value, self.today)


class ApprovalTable(FamilyTable):
    """Families waiting for the manager's decision, with how long each has waited (since the assessment was sent
    or the closure asked for)."""

    waiting = tables.Column("Waiting since", accessor="waiting_since")

    class Meta:
        exclude = ("opened", "next_review")
        sequence = ("family", "children", "lead", "team", "stage", "waiting")

    def render_waiting(self, value):
        return self.render_opened(value)


class PartnerFamilyTable(FamilyTable):
    """A Team Around the Family member's families: who they are and who leads, not the stage or reviews (a partner
    sees the sections of the record their membership names, P8)."""

    class Meta:
        exclude = ("stage", "next_review", "opened")


class ReviewTable(CaseworkTable):
    noun_plural = "reviews"
    family = tables.Column("Family", accessor="episode__household__reference",
                           order_by=("episode__household__reference",))
    children = tables.Column("Children", accessor="episode__household", orderable=False)
    lead = tables.Column("Lead practitioner", accessor="episode__lead_practitioner", default="Not allocated",
                         order_by=("episode__lead_practitioner__last_name",))
    team = tables.Column("Team", accessor="episode__team__name")
    due = tables.Column("Due", accessor="due_on")

    def render_family(self, record):
        return family_cell(record.episode.household, anchor="#reviews")

    def render_children(self, record):
        return children_cell(record.episode.household)

    def render_due(self, value):
        return due_tag(value, self.today)


class ActionTable(CaseworkTable):
    """The plan actions given to the user. What the action is shows in full only where the user sees special
    category detail of that family (`policy.masking`); elsewhere that it is recorded."""

    noun_plural = "actions"
    family = tables.Column("Family", accessor="plan__episode__household__reference",
                           order_by=("plan__episode__household__reference",))
    area = tables.Column("Area", accessor="area__label")
    action = tables.Column("Action", orderable=False)
    status = tables.Column("Status")
    due = tables.Column("Due", accessor="due_date")

    def before_render(self, request):
        households = {row.record.plan.episode.household_id for row in self.page.object_list} if self.page else set()
        self.full_detail = policy.sees_special_category_among(request.user, households)

    def render_family(self, record):
        return family_cell(record.plan.episode.household, anchor="#plan")

    def render_action(self, record):
        household = record.plan.episode.household
        if not policy.shows_in_full(household.pk in self.full_detail, record):
            return "Recorded – special category detail"
        url = reverse("web:action-update", args=[household.pk, record.pk])
        return format_html('<a class="govuk-link" href="{}">{}</a>', url, record.action)

    def render_status(self, record):
        return record.get_status_display()

    def render_due(self, value):
        return due_tag(value, self.today, soon_days=7)


class ContactTable(CaseworkTable):
    noun_plural = "contacts"
    contact = tables.Column("About", accessor="subject__family_name", order_by=("subject__family_name",
                                                                                 "subject__given_name"))
    received = tables.Column("Received", accessor="received_at")
    source = tables.Column("From", accessor="source")
    team = tables.Column("Team", accessor="team__name", default="Not routed")

    def render_contact(self, record):
        return format_html('<a class="govuk-link" href="{}">{}</a><br><span class="govuk-hint govuk-!-font-size-16 '
                           'govuk-!-margin-bottom-0">Contact {}</span>', reverse("web:contact", args=[record.pk]),
                           record.subject.full_name, record.pk)

    def render_received(self, value):
        received = timezone.localdate(value)
        return format_html('{}<br><span class="govuk-hint govuk-!-font-size-16 govuk-!-margin-bottom-0">waiting {}'
                           '</span>', format_date(received), _days((self.today - received).days))

    def render_source(self, record):
        if record.channel == Channel.WEB:  # P22: a request made online, recorded by the front door
            return format_html('{} <strong class="govuk-tag govuk-tag--blue">Web</strong>', record.get_source_display())
        return record.get_source_display()
