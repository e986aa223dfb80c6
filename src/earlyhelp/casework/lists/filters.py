"""Filters for the casework lists (django-filter, drawn by ui/lists/filters.html): team, stage, lead practitioner
and overdue. The choices offered are those found in the list itself, so a filter never names a team or a
practitioner the list does not hold."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from earlyhelp.organisations.models import Team, User

from ..models import Channel

from .rows import REVIEW_SOON_DAYS, Stage

OVERDUE_CHOICES = [("yes", "Overdue"), ("no", "Not overdue")]


def _select(empty_label):
    return {"empty_label": empty_label, "widget": forms.Select}


class CaseworkFilter(django_filters.FilterSet):
    """Narrows the team and lead choices to those in the rows (`team` and `lead` are the paths to them)."""

    team_path = "team"
    lead_path = "lead_practitioner"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        rows = self.queryset.order_by()
        if "team" in self.filters:
            self.filters["team"].queryset = Team.objects.filter(pk__in=rows.values(f"{self.team_path}_id"))
        if "lead" in self.filters:
            self.filters["lead"].queryset = User.objects.filter(pk__in=rows.values(f"{self.lead_path}_id")) \
                .order_by("last_name", "first_name")


class FamilyFilter(CaseworkFilter):
    team = django_filters.ModelChoiceFilter(label="Team", queryset=Team.objects.none(), **_select("All teams"))
    stage = django_filters.ChoiceFilter(label="Stage", choices=Stage.choices, empty_label="All stages")
    lead = django_filters.ModelChoiceFilter(label="Lead practitioner", field_name="lead_practitioner",
                                            queryset=User.objects.none(), **_select("Anyone"))
    overdue = django_filters.ChoiceFilter(label="Review overdue", choices=OVERDUE_CHOICES, empty_label="Either",
                                          method="filter_overdue")

    class Meta:
        fields = ["team", "stage", "lead", "overdue"]

    def filter_overdue(self, rows, name, value):
        if value == "yes":
            return rows.filter(next_review_due__lt=self.today)
        return rows.filter(Q(next_review_due__gte=self.today) | Q(next_review_due__isnull=True))  # none due: not late


class PartnerFamilyFilter(CaseworkFilter):
    team = FamilyFilter.base_filters["team"]
    lead = FamilyFilter.base_filters["lead"]

    class Meta:
        fields = ["team", "lead"]


class ReviewFilter(CaseworkFilter):
    team_path = "episode__team"
    lead_path = "episode__lead_practitioner"
    team = django_filters.ModelChoiceFilter(label="Team", field_name="episode__team", queryset=Team.objects.none(),
                                            **_select("All teams"))
    lead = django_filters.ModelChoiceFilter(label="Lead practitioner", field_name="episode__lead_practitioner",
                                            queryset=User.objects.none(), **_select("Anyone"))
    overdue = django_filters.ChoiceFilter(
        label="When", empty_label="Any time", method="filter_when",
        choices=[("yes", "Overdue"), ("soon", f"Due in the next {REVIEW_SOON_DAYS} days"), ("no", "Not overdue")])

    class Meta:
        fields = ["team", "lead", "overdue"]

    def filter_when(self, rows, name, value):
        if value == "yes":
            return rows.filter(due_on__lt=self.today)
        if value == "soon":
            return rows.filter(due_on__gte=self.today, due_on__lte=self.today + datetime.timedelta(
                days=REVIEW_SOON_DAYS))
        return rows.filter(due_on__gte=self.today)


class ActionFilter(django_filters.FilterSet):
    overdue = django_filters.ChoiceFilter(label="Overdue", choices=OVERDUE_CHOICES, empty_label="Either",
                                          method="filter_overdue")

    class Meta:
        fields = ["overdue"]

    def filter_overdue(self, rows, name, value):
        today = timezone.localdate()
        return rows.filter(due_date__lt=today) if value == "yes" else rows.filter(due_date__gte=today)


class ContactFilter(CaseworkFilter):
    team = FamilyFilter.base_filters["team"]
    # How the contact reached us: "Web form" finds the requests made online that the front door has recorded (P22).
    channel = django_filters.ChoiceFilter(label="Channel", choices=Channel.choices, **_select("Any channel"))

    class Meta:
        fields = ["team", "channel"]
