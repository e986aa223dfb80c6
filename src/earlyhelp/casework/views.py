"""Casework pages. Thin: access comes from `earlyhelp.access`, changes from `casework.services`."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse

from earlyhelp.access import policy, search_first
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.keys import sealed as keys
from earlyhelp.organisations.models import User
from earlyhelp.people import selectors as people_selectors
from earlyhelp.people import services as people_services
from earlyhelp.people.forms import MembershipForm, PersonForm, SearchForm
from earlyhelp.privacy.services import consent as consents
from earlyhelp.programme.models import HeadlineArea, Need, NeedStatus, ProgrammeRules
from earlyhelp.programme.services import framework
from earlyhelp.programme.services import needs as programme_needs
from earlyhelp.ui import kept
from earlyhelp.ui.http_methods import require_export, require_form_page, require_safe
from earlyhelp.ui.service_forms import parse_id, run_service

from . import chronology, forms, kept_pages, selectors, tasklist
from .models import (
    Assessment,
    AssessmentStatus,
    Document,
    PlanAction,
    Review,
    TafMember,
)
from .services import (
    assessment,
    closure,
    episodes,
    intake,
    needs,
    notes,
    plan,
    referrals,
    reviews,
    team_around_family,
)

PURPOSE = Purpose.EARLY_HELP_CASEWORK


def _family_url(household_id, anchor=""):
    return reverse("web:family", args=[household_id]) + (f"#{anchor}" if anchor else "")


def _access(request, household_id, need=None, *, read=True):
    """The user's access to the family, or an audited 404; a page that shows the family is an audited read."""
    if not read:  # the caller audits what it hands over itself (a download is an EXPORT)
        return policy.require_family(request.user, household_id, purpose=PURPOSE, need=need)
    return policy.open_family(request.user, household_id, purpose=PURPOSE, need=need)


def _in_family(request, access, queryset, record_id):
    """A record nested under a family's URL: it must belong to that family; a probe is audited."""
    record = queryset.filter(pk=record_id).first()
    if record is None:
        policy.refuse(request.user, object_type=queryset.model._meta.label_lower, object_id=record_id,
                      household_id=access.household.pk, purpose=PURPOSE)
    return record


def _form_page(request, title, form, access, *, button, **context):
    """Most casework pages are one form about one family: they share one template."""
    return render(request, "casework/form_page.html", {"title": title, "button": button, "form": form,
                                                       "access": access, "household": access.household, **context})


def _decision_page(request, title, form, access, *, approving):
    """A manager's approval: what is being approved (`selectors.*_for_approval`), then the decision."""
    return render(request, "casework/decision_page.html", {"title": title, "form": form, "access": access,
                                                           "household": access.household, "approving": approving,
                                                           "RESTRICTED": selectors.RESTRICTED})


def _progress_page(request, title, form, access, *, button, **context):
    """A review or a closure: its own questions, then progress on each Supporting Families need."""
    return render(request, "casework/progress_form.html", {"title": title, "button": button, "form": form,
                                                           "access": access, "household": access.household,
                                                           **context})


# --- Contact intake (search first) ---------------------------------------------------------------

def _search(request, form):
    return search_first.run_search(request, form, people_selectors.search_people)


@require_form_page
@login_required
def contact_new(request):
    if not policy.has_permission(request.user, policy.Permission.RECORD_CONTACTS):
        policy.refuse(request.user, purpose=Purpose.DUPLICATE_CHECK)
    form = SearchForm(request.POST or None)
    outcome = _search(request, form) if request.method == "POST" else None
    return render(request, "casework/contact_search.html", {"form": form, "outcome": outcome,
                                                            "can_create": search_first.searched_recently(request)})


@require_form_page
@login_required
def contact_new_person(request):
    if not policy.has_permission(request.user, policy.Permission.RECORD_CONTACTS):
        policy.refuse(request.user, purpose=Purpose.DUPLICATE_CHECK)
    if not search_first.searched_recently(request):
        messages.info(request, "Search for the person first, so we do not create a duplicate record.")
        return redirect("web:contact-new")
    form = PersonForm(request.POST or None, initial=search_first.new_person_initial(request))
    if request.method == "POST" and form.is_valid():
        person = run_service(form, lambda: people_services.create_person_in_new_family(
            by=request.user, **form.person_details()))
        if person:
            search_first.remember_person(request, person)
            search_first.forget_search_terms(request)
            return redirect("web:contact-details", person_id=person.pk)
    return render(request, "casework/contact_new_person.html", {"form": form})


@require_form_page
@login_required
def contact_details(request, person_id):
    if not policy.has_permission(request.user, policy.Permission.RECORD_CONTACTS):
        policy.refuse(request.user, object_type="people.person", object_id=person_id, purpose=Purpose.DUPLICATE_CHECK)
    person = search_first.person_from_last_search(request, person_id)
    membership = person.memberships.filter(end_date__isnull=True).select_related("household").first()
    if membership is None:  # in no family: nothing to record a contact against; the same audited 404
        policy.refuse(request.user, object_type="people.person", object_id=person_id, purpose=Purpose.DUPLICATE_CHECK)
    form = forms.ContactForm(request.POST or None, initial={"team": request.user.team_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        contact = run_service(form, lambda: intake.record_contact(
            by=request.user, household=membership.household, subject=person, team=data["team"],
            channel=data["channel"], source=data["source"], reason=data["reason"],
            consent_at_referral=data["consent_at_referral"], source_organisation=data["source_organisation"],
            referrer_name=data["referrer_name"]))
        if contact:
            messages.success(request, "Contact recorded and sent to the team.")
            return redirect("web:contact", contact_id=contact.pk)
    return render(request, "casework/contact_details.html", {"form": form, "person": person})


@require_form_page
@login_required
def contact_detail(request, contact_id):
    contact = selectors.contact_for(request.user, contact_id)
    can_decide = policy.may_decide_contact(request.user, contact) and contact.status == "awaiting_decision"
    form = forms.ContactDecisionForm(request.POST or None) if can_decide else None
    if can_decide and request.method == "POST" and form.is_valid():
        done = run_service(form, lambda: intake.decide_contact(
            by=request.user, contact=contact, decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"]))
        if done:
            messages.success(request, "Decision recorded.")
            if done.status == "episode_opened":
                return redirect(_family_url(contact.household_id))
            return redirect("web:dashboard")
    return render(request, "casework/contact_detail.html", {"contact": contact, "form": form})


# --- The family page -----------------------------------------------------------------------------

@require_safe
@login_required
def family(request, household_id):
    access = selectors.open_family_access(request.user, household_id)
    # The viewer's second factor is in the fingerprint: the page's frame shows what a verified session may use.
    html = kept_pages.family_page(household_id=access.household.pk, viewer_id=request.user.pk,
                                  fingerprint=f"{access.fingerprint}|{request.user.is_verified()}",
                                  render=lambda day: _render_family_page(request, access, day))
    return HttpResponse(kept.fill(html, request))


def _render_family_page(request, access, today) -> str:
    """The whole page, with its per-request parts as placeholders (`ui.kept`), so that it can be kept."""
    title, body = _family_page_body(access, request.user, today)
    return render_to_string("casework/family.html", {"title": title, "body": body, "kept_page": True},
                            request=request)


def _family_page_body(access, user, today) -> tuple[str, str]:
    """The family page's title and body, from the record: rendered without the request, so that it can be kept
    (`kept_pages`); what the body shows comes from this context alone."""
    record = selectors.family_record(access, user)
    household = access.household
    # What the council's rule needs before support starts (P6): the consent banner and the task list say it to
    # those who hold the record (consent is not shown to the Team Around the Family).
    consent_gap = (consents.support_consent_gap(household, consents=record.consents)
                   if access.can_work_on_case and record.episode else None)
    family_name = policy.page_family_name(access, record.members)
    body = render_to_string("casework/family_body.html", {
        "record": record, "access": access, "household": household, "RESTRICTED": selectors.RESTRICTED,
        "family_name": family_name, "user": user, "today": today, "kept_page": True,
        "tasks": tasklist.task_list(record, consent_gap=consent_gap),
        "latest_events": chronology.latest_events(access, user, episodes=record.episodes),
        "support_consent_gap": consent_gap, "exclusions": record.exclusions})
    return f"{family_name} ({household.reference})", body


@require_safe
@login_required
def family_chronology(request, household_id):
    """Every event on the family's record, filtered and paged; the read is audited with what was asked for."""
    form = forms.ChronologyFilterForm(request.GET or None, kinds=list(chronology.Kind.LABELS.items()))
    found = chronology.chronology_for(request.user, household_id, page=request.GET.get("page") or 1,
                                      **(form.filters() if form.is_bound else {}))
    form.fields["kinds"].choices = [(kind, chronology.Kind.LABELS[kind]) for kind in found.kinds_visible]
    return render(request, "casework/chronology.html", {
        "found": found, "access": found.access, "household": found.access.household, "form": form,
        "events": found.page, "RESTRICTED": selectors.RESTRICTED})


@require_safe
@login_required
def family_viewers(request, household_id):
    events = selectors.viewers_of_family(request.user, household_id)
    return render(request, "casework/family_viewers.html", {"events": events, "household_id": household_id})


def _current_episode(access):
    episode = access.household.episodes.open().first()
    if episode is None:
        raise Http404("Page not found")
    return episode


@require_form_page
@login_required
def add_member(request, household_id):
    access = _access(request, household_id, need="can_work_on_case")
    household = access.household
    members = list(household.memberships.filter(end_date__isnull=True).select_related("person"))
    search_form = SearchForm(request.POST if request.POST.get("step") == "search" else None, prefix="search")
    outcome = _search(request, search_form) if request.POST.get("step") == "search" else None
    person_form = PersonForm(request.POST if request.POST.get("step") == "create" else None, prefix="person",
                             initial=search_first.new_person_initial(request))
    step = request.POST.get("step")
    # Two forms on the page, each with its own membership fields: their prefixes keep ids and error links apart.
    existing_form = MembershipForm(request.POST if step == "existing" else None, household_members=members,
                                   prefix="existing")
    new_member_form = MembershipForm(request.POST if step == "create" else None, household_members=members,
                                     prefix="new")
    member_form = new_member_form if step == "create" else existing_form
    if step in {"create", "existing"} and member_form.is_valid() and (step == "existing" or person_form.is_valid()):
        creating = step == "create"
        found = None if creating else search_first.person_from_last_search(request,
                                                                           parse_id(request.POST.get("person_id")))
        if run_service(person_form if creating else member_form, lambda: people_services.add_family_member(
                by=request.user, household=household, person=found,
                new_person=person_form.person_details() if creating else None, **member_form.membership())):
            messages.success(request, "Family member added.")
            return redirect(_family_url(household.pk, "household"))
    return render(request, "casework/add_member.html", {
        "access": access, "household": household, "search_form": search_form, "outcome": outcome,
        "person_form": person_form, "existing_form": existing_form, "new_member_form": new_member_form,
        "chosen_person_id": parse_id(request.POST.get("person_id")) if step == "existing" else None,
        "can_create": search_first.searched_recently(request),
    })


@require_form_page
@login_required
def allocate(request, household_id):
    access = _access(request, household_id, need="can_manage")
    episode = _current_episode(access)
    practitioners = policy.lead_practitioner_choices(episode.team).order_by("last_name")
    form = forms.AllocationForm(request.POST or None, practitioners=practitioners)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: team_around_family.allocate(
                by=request.user, episode=episode, practitioner=form.cleaned_data["practitioner"],
                family_preference=form.cleaned_data["family_preference"])):
            messages.success(request, "Lead practitioner allocated.")
            return redirect(_family_url(household_id))
    return _form_page(request, "Allocate a lead practitioner", form, access, button="Allocate", episode=episode)


@require_form_page
@login_required
def add_taf_member(request, household_id):
    access = _access(request, household_id, need="can_work_on_case")
    episode = _current_episode(access)
    practitioners = policy.team_around_family_choices()
    form = forms.TafMemberForm(request.POST or None, practitioners=practitioners.select_related("organisation")
                               .order_by("organisation__name", "last_name"))
    # Name and organisation: two practitioners with the same name must be told apart.
    form.fields["practitioner"].label_from_instance = lambda user: f"{user} – {user.organisation}"
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: team_around_family.add_taf_member(
                by=request.user, episode=episode, practitioner=form.cleaned_data["practitioner"],
                special_category_access=form.cleaned_data["special_category_access"],
                sections=form.cleaned_data["sections"],
                basis=form.cleaned_data["basis"] or None, reason=form.cleaned_data["reason"])):
            messages.success(request, "Added to the Team Around the Family.")
            return redirect(_family_url(household_id, "taf"))
    return _taf_form_page(request, "Add someone to the Team Around the Family", form, access, button="Add to the team")


def _taf_form_page(request, title, form, access, *, button, member=None):
    """A Team Around the Family form: the sections the member will see are checkboxes with what each holds (P8)."""
    return render(request, "casework/taf_form.html", {
        "title": title, "button": button, "form": form, "access": access, "household": access.household,
        "always_shared": forms.TAF_ALWAYS_SHARED, "member": member,
        "member_sees": selectors.section_labels(policy.taf_sections(member.sections)) if member else []})


@require_form_page
@login_required
def taf_sections(request, household_id, member_id):
    """Change what a member of the Team Around the Family sees: more is a new disclosure, less is recorded (P8)."""
    access = _access(request, household_id, need="can_work_on_case")
    member = _in_family(request, access, TafMember.objects.filter(episode__household=access.household,
                                                                  end_date__isnull=True)
                        .select_related("practitioner", "organisation", "episode__team", "disclosure__purpose"),
                        member_id)
    form = forms.TafSectionsForm(request.POST or None, initial={
        "sections": [code for code in policy.taf_sections(member.sections) if code not in policy.TAF_MINIMUM]})
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: team_around_family.change_taf_sections(
                by=request.user, member=member, sections=form.cleaned_data["sections"],
                reason=form.cleaned_data["reason"])):
            messages.success(request, "What they see has changed. The family's sharing log shows the change.")
            return redirect(_family_url(household_id, "taf"))
    return _taf_form_page(request, f"Change what {member.practitioner} sees", form, access, button="Save",
                          member=member)


@require_form_page
@login_required
def referral_out_new(request, household_id):
    """Refer the family to another service: what is sent goes through the disclosure log (P7, P8)."""
    access = _access(request, household_id, need="can_work_on_case")
    episode = _current_episode(access)
    form = forms.ReferralOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if run_service(form, lambda: referrals.refer_out(
                by=request.user, episode=episode, organisation=data["organisation"], service=data["service"],
                recipient_person=data["recipient_person"], sections=data["sections"], basis=data["basis"],
                reason=data["reason"])):
            messages.success(request, "Referral recorded in the sharing log.")
            return redirect(_family_url(household_id, "sharing"))
    return _form_page(request, "Refer the family to another service", form, access, button="Make the referral")


@require_form_page
@login_required
def end_taf_member(request, household_id, member_id):
    """Remove someone from the Team Around the Family (their access ends with it)."""
    access = _access(request, household_id, need="can_work_on_case")
    member = _in_family(request, access, TafMember.objects.filter(episode__household=access.household,
                                                                  end_date__isnull=True)
                        .select_related("practitioner", "organisation"), member_id)
    if request.method == "POST":
        team_around_family.end_taf_member(by=request.user, member=member)
        messages.success(request, "Removed from the Team Around the Family. They can no longer see this family.")
        return redirect(_family_url(household_id, "taf"))
    return render(request, "casework/taf_end.html", {"access": access, "household": access.household,
                                                     "member": member})


# --- Assessment ----------------------------------------------------------------------------------

@require_form_page
@login_required
def assessment_start(request, household_id):
    access = _access(request, household_id, need="can_work_on_case")
    episode = _current_episode(access)
    form = forms.AssessmentStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        started = run_service(form, lambda: assessment.start_assessment(
            by=request.user, episode=episode, reason=form.cleaned_data["reason"]))
        if started:
            return redirect("web:assessment-edit", household_id=household_id)
    return _form_page(request, "Start the Early Help Assessment", form, access, button="Start assessment")


def _draft_assessment(access):
    draft = Assessment.objects.filter(episode__household=access.household).exclude(
        status=AssessmentStatus.APPROVED).order_by("-pk").first()
    if draft is None:
        raise Http404("Page not found")
    return draft


@require_form_page
@login_required
def assessment_edit(request, household_id):
    access = _access(request, household_id, need="can_work_on_case")
    draft = _draft_assessment(access)
    if draft.status != AssessmentStatus.DRAFT:
        return redirect(_family_url(household_id, "assessment"))
    areas = HeadlineArea.objects.all()
    initial = {"voice_of_child": draft.voice_of_child, "analysis": draft.analysis}
    recorded = {finding.area.code: finding for finding in draft.findings.select_related("area")}
    for code, finding in recorded.items():
        initial.update({f"{code}-applies": "yes", f"{code}-strengths": finding.strengths,
                        f"{code}-needs": finding.needs, f"{code}-score": str(finding.score)})
    form = forms.AssessmentForm(request.POST or None, areas=areas, initial=initial, recorded=recorded)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("submit") == "submit"
        if run_service(form, lambda: assessment.save_assessment(
                by=request.user, assessment=draft, findings=form.findings(),
                voice_of_child=form.cleaned_data["voice_of_child"], analysis=form.cleaned_data["analysis"],
                submit=submit)):
            messages.success(request, "Assessment submitted for approval." if submit else "Assessment saved.")
            return redirect(_family_url(household_id, "assessment"))
    return render(request, "casework/assessment_edit.html", {
        "form": form, "access": access, "household": access.household, "assessment": draft,
        "members": draft.members.select_related("person")})


@require_form_page
@login_required
def assessment_decide(request, household_id):
    access = _access(request, household_id, need="can_manage")
    draft = _draft_assessment(access)
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        if run_service(form, lambda: assessment.decide_assessment(by=request.user, assessment=draft, approve=approve,
                                                                  comment=form.cleaned_data["comment"])):
            messages.success(request, "Assessment approved." if approve else "Assessment returned.")
            return redirect(_family_url(household_id, "assessment"))
    return _decision_page(request, "Approve the assessment", form, access,
                          approving=selectors.assessment_for_approval(access, draft))


# --- Plan, reviews, notes, documents -------------------------------------------------------------

@require_form_page
@login_required
def action_new(request, household_id):
    access = _access(request, household_id, need="can_work_on_case")
    episode = _current_episode(access)
    owner_ids = plan.allowed_action_owners(episode)
    form = forms.PlanActionForm(request.POST or None, owners=User.objects.filter(pk__in=owner_ids))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if run_service(form, lambda: plan.add_plan_action(
                by=request.user, episode=episode, area_code=data["area"].code, need=data["need"],
                action=data["action"], owner=data["owner"], intended_outcome=data["intended_outcome"],
                due_date=data["due_date"])):
            messages.success(request, "Action added to the plan.")
            return redirect(_family_url(household_id, "plan"))
    return _form_page(request, "Add an action to the family plan", form, access, button="Add action")


@require_form_page
@login_required
def action_update(request, household_id, action_id):
    access = _access(request, household_id)
    item = _in_family(request, access, PlanAction.objects.filter(plan__episode__household=access.household)
                      .select_related("area"), action_id)
    if not (access.can_work_on_case or item.owner_id == request.user.pk):
        policy.refuse(request.user, household_id=household_id, object_type="casework.planaction",
                      object_id=item.pk, purpose=PURPOSE)
    form = forms.ActionProgressForm(request.POST or None, initial={"status": item.status,
                                                                   "progress_note": item.progress_note})
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: plan.update_action_progress(
                by=request.user, item=item, status=form.cleaned_data["status"],
                progress_note=form.cleaned_data["progress_note"])):
            messages.success(request, "Action updated.")
            return redirect(_family_url(household_id, "plan"))
    shown = item if policy.shows_in_full(access.sees_special_category, item) else None
    return _form_page(request, "Update an action", form, access, button="Save progress", item=shown,
                      item_restricted=shown is None)


@require_form_page
@login_required
def review_record(request, household_id, review_id):
    access = _access(request, household_id, need="can_work_on_case")
    review = _in_family(request, access, Review.objects.filter(episode__household=access.household,
                                                               held_on__isnull=True), review_id)
    form = forms.ReviewForm(request.POST or None, needs=programme_needs.needs_to_score(review.episode))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if run_service(form, lambda: reviews.record_review(
                by=request.user, review=review, held_on=data["held_on"], summary=data["summary"],
                family_view=data["family_view"], next_review_due=data["next_review_due"],
                progress=form.progress())):
            messages.success(request, "Review recorded.")
            return redirect(_family_url(household_id, "reviews"))
    return _progress_page(request, "Record a review", form, access, button="Record review", review=review)


@require_form_page
@login_required
def note_new(request, household_id):
    access = _access(request, household_id, need="can_work_on_case")
    episode = _current_episode(access)
    form = forms.CaseNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if run_service(form, lambda: notes.add_case_note(by=request.user, episode=episode, text=data["text"],
                                                         channel=data["channel"],
                                                         is_sensitive=data["is_sensitive"], **data["source"])):
            messages.success(request, "Case note added.")
            return redirect(_family_url(household_id, "notes"))
    return _form_page(request, "Add a case note", form, access, button="Add case note")


@require_form_page
@login_required
def document_new(request, household_id):
    access = _access(request, household_id, need="can_work_on_case")
    episode = _current_episode(access)
    form = forms.DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if run_service(form, lambda: notes.upload_document(by=request.user, episode=episode, upload=data["upload"],
                                                           title=data["title"], media_reason=data["media_reason"],
                                                           **data["source"])):
            messages.success(request, "Document added.")
            return redirect(_family_url(household_id, "documents"))
    return _form_page(request, "Add a document", form, access, button="Upload document")


@require_export
@login_required
def document_download(request, household_id, document_id):
    access = _access(request, household_id, need="can_see_documents", read=False)
    document = _in_family(request, access, Document.objects.filter(episode__household=access.household),
                          document_id)
    try:
        content = keys.read_stored(document.file.storage, document.file.name)
    except FileNotFoundError as error:
        raise Http404("Page not found") from error
    except keys.KeyUnavailable as unreadable:
        # Its key was destroyed (a database restored from before a disposal or an erasure) or does not open it.
        return render(request, "casework/document_unreadable.html",
                      {"access": access, "household": access.household, "problem": str(unreadable),
                       "destroyed": isinstance(unreadable, keys.KeyDestroyed)},
                      status=410 if isinstance(unreadable, keys.KeyDestroyed) else 500)
    audit.record(actor=request.user, action=Action.EXPORT, event="document.download", purpose=PURPOSE,
                 objects=[document], household_id=household_id)
    return FileResponse(io.BytesIO(content), content_type=document.content_type, as_attachment=True,
                        filename=f"document-{document.pk}")


# --- Supporting Families needs --------------------------------------------------------------------

@require_safe
@login_required
def family_needs(request, household_id):
    """The family's needs, who told us about each (P17), and each need's distance travelled."""
    found = selectors.family_needs(request.user, household_id)
    return render(request, "casework/needs.html", {
        "found": found, "access": found.access, "household": found.access.household,
        "RESTRICTED": selectors.RESTRICTED})


@require_form_page
@login_required
def need_new(request, household_id):
    access = _access(request, household_id, need="can_work_on_case")
    _current_episode(access)
    members = access.household.memberships.filter(end_date__isnull=True).select_related("person").order_by(
        "role", "person__date_of_birth")
    form = forms.NeedForm(request.POST or None, members=members, descriptors=framework.descriptors())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if run_service(form, lambda: needs.record_family_need(
                by=request.user, household_id=household_id, person_id=form.person_id(),
                descriptor_id=data["descriptor"], evidence=data["evidence"], **data["source"],
                source_reference=data["source_reference"], identified_on=data["identified_on"],
                baseline_score=data["baseline_score"])):
            messages.success(request, "Need recorded.")
            return redirect("web:needs", household_id=household_id)
    return render(request, "casework/need_new.html", {"form": form, "access": access,
                                                      "household": access.household})


@require_form_page
@login_required
def need_withdraw(request, household_id, need_id):
    """A need recorded in error: kept with the reason, no longer counted."""
    access = _access(request, household_id, need="can_work_on_case")
    need = _in_family(request, access, Need.objects.filter(household=access.household).exclude(
        status=NeedStatus.WITHDRAWN).select_related("descriptor__area", "person"), need_id)
    form = forms.WithdrawNeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: needs.withdraw_family_need(by=request.user, need=need,
                                                               reason=form.cleaned_data["reason"])):
            messages.success(request, "The need is marked as recorded in error.")
            return redirect("web:needs", household_id=household_id)
    return _form_page(request, "Mark a need as recorded in error", form, access, button="Mark as recorded in error",
                      lead=f"{forms.need_label(need)}. It stays on the record with your reason, and no longer counts.")


# --- Closure and step-up -------------------------------------------------------------------------

@require_form_page
@login_required
def closure_request(request, household_id):
    access = _access(request, household_id, need="can_work_on_case")
    episode = _current_episode(access)
    open_actions = selectors.open_actions(access, episode)
    form = forms.ClosureForm(request.POST or None, needs=programme_needs.needs_to_score(episode),
                             open_actions=open_actions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if run_service(form, lambda: closure.request_closure(
                by=request.user, episode=episode, reason=data["reason"], summary=data["summary"],
                family_feedback=data["family_feedback"], feedback_declined=data["feedback_declined"],
                progress=form.progress(), open_actions_reason=data.get("open_actions_reason", ""))):
            messages.success(request, "Closure sent to your manager for approval.")
            return redirect(_family_url(household_id))
    return _progress_page(request, "Close the episode", form, access, button="Send for approval", episode=episode,
                          closing=True, positive_score=ProgrammeRules.current().positive_score,
                          open_actions=open_actions, RESTRICTED=selectors.RESTRICTED)


@require_form_page
@login_required
def closure_decide(request, household_id):
    access = _access(request, household_id, need="can_manage")
    episode = _current_episode(access)
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        if run_service(form, lambda: closure.decide_closure(by=request.user, episode=episode, approve=approve,
                                                            comment=form.cleaned_data["comment"])):
            messages.success(request, "Episode closed." if approve else "Closure returned to the lead practitioner.")
            return redirect(_family_url(household_id))
    return _decision_page(request, "Approve the closure", form, access,
                          approving=selectors.closure_for_approval(access, episode))


@require_form_page
@login_required
def step_up(request, household_id):
    access = _access(request, household_id, need="can_manage")
    episode = _current_episode(access)
    form = forms.StepUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: episodes.step_up(by=request.user, episode=episode,
                                                      reason=form.cleaned_data["reason"])):
            messages.success(request, "Family stepped up to children's social care. The episode is closed.")
            return redirect(_family_url(household_id))
    return _form_page(request, "Step up to children's social care", form, access, button="Step up")
