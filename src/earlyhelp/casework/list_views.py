"""The casework lists: paged, sortable and filterable (earlyhelp.ui.lists), naming families as the access policy
allows. Each list's read is audited with the families named on the page shown."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.ui.http_methods import require_safe
from earlyhelp.ui.lists import paged_list

from .lists import filters, rows, tables


def _list_page(request, *, title, table_class, queryset, filterset_class, event, household_of, intro=""):
    context = paged_list(request, table_class, queryset, filterset_class=filterset_class, caption=title,
                         caption_hidden=True)
    table = context["table"]
    shown = sorted({household_of(row.record) for row in table.page.object_list})
    audit.record(actor=request.user, action=Action.VIEW, event=event, purpose=Purpose.EARLY_HELP_CASEWORK,
                 objects=[("people.household", pk) for pk in shown],
                 metadata={"page": table.page.number, "listed": table.paginator.count})
    return render(request, "casework/list.html", {**context, "title": title, "intro": intro})


@require_safe
@login_required
def families(request, which):
    try:
        which = rows.FamilyList(which)
    except ValueError:
        which = None
    if which not in rows.family_lists_for(request.user):
        policy.refuse(request.user, purpose=Purpose.EARLY_HELP_CASEWORK)
    partner_view = which == rows.FamilyList.TEAM_AROUND_THE_FAMILY
    table_class = {rows.FamilyList.TEAM_AROUND_THE_FAMILY: tables.PartnerFamilyTable,
                   rows.FamilyList.AWAITING_APPROVAL: tables.ApprovalTable}.get(which, tables.FamilyTable)
    return _list_page(
        request, title=which.label, queryset=rows.families(request.user, which), event="families.list",
        table_class=table_class,
        filterset_class=filters.PartnerFamilyFilter if partner_view else filters.FamilyFilter,
        household_of=lambda episode: episode.household_id)


def _require_casework(user):
    policy.require(user, policy.Permission.CASEWORK, purpose=Purpose.EARLY_HELP_CASEWORK)


@require_safe
@login_required
def reviews(request):
    _require_casework(request.user)
    return _list_page(request, title="Reviews to hold", queryset=rows.reviews(request.user), event="reviews.list",
                      table_class=tables.ReviewTable, filterset_class=filters.ReviewFilter,
                      household_of=lambda review: review.episode.household_id)


@require_safe
@login_required
def overdue_reviews(request):
    _require_casework(request.user)
    return _list_page(request, title="Overdue reviews", queryset=rows.overdue_reviews(request.user),
                      event="reviews.overdue_list", table_class=tables.ReviewTable,
                      filterset_class=filters.ReviewFilter, household_of=lambda review: review.episode.household_id)


@require_safe
@login_required
def actions(request):
    _require_casework(request.user)
    return _list_page(request, title="My actions", queryset=rows.actions(request.user), event="actions.list",
                      table_class=tables.ActionTable, filterset_class=filters.ActionFilter,
                      household_of=lambda action: action.plan.episode.household_id)


@require_safe
@login_required
def contacts(request):
    policy.require_any(request.user, policy.Permission.SEE_TEAM_CONTACTS, policy.Permission.SEE_OWN_RECORDED_CONTACTS,
                       purpose=Purpose.EARLY_HELP_CASEWORK)
    return _list_page(request, title="Contacts awaiting a decision", queryset=rows.contacts_awaiting(request.user),
                      event="contacts.list", table_class=tables.ContactTable, filterset_class=filters.ContactFilter,
                      household_of=lambda contact: contact.household_id)
