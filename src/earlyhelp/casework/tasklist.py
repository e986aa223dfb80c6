"""The family page's task list: where the current episode stands, stage by stage, and what to do next.

Built from what `selectors.family_record` already read for this viewer, so it shows only the stages of the record
the viewer sees (P8: a Team Around the Family member sees the tasks of the sections shared with them) and offers
only the links the viewer's access allows (`access.policy`); the template never decides either.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from earlyhelp.access import policy
from earlyhelp.privacy.models import ConsentStatus

from .models import AssessmentStatus, EpisodeStatus


class Status:
    """The GOV.UK task list statuses, and the tag colour each is shown in (Completed and Cannot start yet are plain
    text, as the pattern says)."""

    NOT_STARTED = "Not started"
    IN_PROGRESS = "In progress"
    WAITING = "Waiting for approval"
    COMPLETED = "Completed"
    CANNOT_START = "Cannot start yet"

    TAGS = {NOT_STARTED: "govuk-tag--blue", IN_PROGRESS: "govuk-tag--light-blue", WAITING: "govuk-tag--yellow"}


@dataclass
class Task:
    key: str  # used for ids
    name: str
    status: str
    hint: str = ""
    href: str = ""  # the next thing to do in this stage, when the viewer may do it
    action: str = ""  # that next thing, in words ("start the assessment")
    optional: bool = False  # never proposed as the next thing to do

    @property
    def tag_class(self) -> str:
        return Status.TAGS.get(self.status, "")

    @property
    def is_done(self) -> bool:
        return self.status == Status.COMPLETED

    @property
    def cannot_start(self) -> bool:
        return self.status == Status.CANNOT_START


@dataclass
class TaskList:
    tasks: list

    @property
    def next_task(self) -> Task | None:
        """The first stage not yet done that the viewer can act on now."""
        return next((task for task in self.tasks if task.href and not task.optional
                     and task.status in (Status.NOT_STARTED, Status.IN_PROGRESS, Status.WAITING)), None)


def _url(name, household, anchor=""):
    return reverse(f"web:{name}", args=[household.pk]) + (f"#{anchor}" if anchor else "")


def task_list(record, *, consent_gap: str | None) -> TaskList | None:
    """The current episode's stages for this viewer (None without an episode). `consent_gap` is what the council's
    consent rule still needs before support starts (`privacy.services.consent.support_consent_gap`), or None."""
    episode, access = record.episode, record.access
    if episode is None:
        return None
    household, works = access.household, access.can_work_on_case
    acting = works and episode.status == EpisodeStatus.OPEN
    today = timezone.localdate()
    tasks = [_allocation(episode, household, access)]
    if works:
        tasks.append(_consent(record, household, consent_gap, acting))
    if access.shows(policy.Section.ASSESSMENT):
        tasks.append(_assessment(record.assessment, household, access, consent_gap, acting))
    if access.shows(policy.Section.PLAN):
        tasks.append(_plan(record, household, consent_gap, acting, today))
    if access.shows(policy.Section.REVIEWS):
        tasks.append(_reviews(record, household, acting, today))
    tasks.append(_closure(episode, household, access, acting))
    return TaskList(tasks)


def _allocation(episode, household, access) -> Task:
    task = Task("allocation", "Lead practitioner", Status.NOT_STARTED)
    if episode.lead_practitioner_id:
        task.status, task.hint = Status.COMPLETED, str(episode.lead_practitioner)
    elif access.can_manage and episode.is_open:
        task.href, task.action = _url("allocate", household), "allocate a lead practitioner"
    return task


def _consent(record, household, gap, acting) -> Task:
    task = Task("consent", "Consent", Status.NOT_STARTED, href=_url("consent-new", household) if acting else "",
                action="record the family's consent")
    if any(c.covers_support and c.status == ConsentStatus.ACTIVE for c in record.consents) and gap is None:
        task.status, task.href = Status.COMPLETED, ""
        task.hint = "The family has consented to early help support"
    elif gap:
        task.hint = gap
    else:  # the council's rule does not make support wait for consent
        task.optional = True
        task.hint = "The council does not need the family's consent before support starts"
    return task


def _assessment(assessment, household, access, gap, acting) -> Task:
    task = Task("assessment", "Early Help Assessment", Status.NOT_STARTED)
    if assessment is None:
        if gap:
            task.status, task.hint = Status.CANNOT_START, gap
        elif acting:
            task.href, task.action = _url("assessment-start", household), "start the assessment"
    elif assessment.status == AssessmentStatus.DRAFT:
        task.status = Status.IN_PROGRESS
        task.hint = "Returned by the manager: see their comments" if assessment.manager_comment else ""
        task.href = _url("assessment-edit", household) if acting else ""
        task.action = "continue the assessment"
    elif assessment.status == AssessmentStatus.SUBMITTED:
        task.status = Status.WAITING
        task.href = _url("assessment-decide", household) if access.can_manage and acting else ""
        task.action = "approve or return the assessment"
    else:
        task.status = Status.COMPLETED
        task.hint = f"Approved on {format_date(timezone.localtime(assessment.approved_at), 'j F Y')}"
    return task


def _plan(record, household, gap, acting, today) -> Task:
    task = Task("plan", "Family plan", Status.NOT_STARTED)
    actions = [action for action, _ in record.actions]
    open_actions = [action for action in actions if action.is_open]
    if not actions:
        approved = record.assessment is not None and record.assessment.status == AssessmentStatus.APPROVED
        if gap:
            task.status, task.hint = Status.CANNOT_START, gap
        elif not approved:
            task.status, task.hint = Status.CANNOT_START, "The plan is agreed once the assessment is approved"
        elif acting:
            task.href, task.action = _url("action-new", household), "agree the first action of the plan"
    elif open_actions:
        overdue = sum(1 for action in open_actions if action.days_overdue_on(today))
        task.status = Status.IN_PROGRESS
        task.hint = f"{len(open_actions)} of {len(actions)} actions open" + (f", {overdue} overdue" if overdue else "")
        task.href, task.action = _url("family", household, "plan"), "keep the plan's actions up to date"
    else:
        task.status, task.hint = Status.COMPLETED, "Every action is done or no longer needed"
    return task


def _reviews(record, household, may_record, today) -> Task:
    task = Task("reviews", "Reviews", Status.NOT_STARTED)
    reviews = [review for review, _ in record.reviews]
    held = [review for review in reviews if review.held_on]
    pending = next((review for review in reviews if not review.held_on), None)
    if pending is None:
        if held:
            task.status, task.hint = Status.COMPLETED, f"{len(held)} held"
        return task
    task.status = Status.IN_PROGRESS if held else Status.NOT_STARTED
    overdue = " (overdue)" if pending.due_on < today else ""
    task.hint = f"{'Next' if held else 'First'} review due {format_date(pending.due_on, 'j F Y')}{overdue}"
    task.href = reverse("web:review-record", args=[household.pk, pending.pk]) if may_record else ""
    task.action = f"record the review due {format_date(pending.due_on, 'j F Y')}"
    return task


def _closure(episode, household, access, acting) -> Task:
    task = Task("closure", "Closure", Status.NOT_STARTED, href=_url("closure-request", household) if acting else "",
                action="close the episode")
    if episode.status == EpisodeStatus.CLOSURE_REQUESTED:
        task.status = Status.WAITING
        task.href = _url("closure-decide", household) if access.can_manage else ""
        task.action = "approve or return the closure"
    elif episode.status == EpisodeStatus.CLOSED:
        task.status, task.href = Status.COMPLETED, ""
        task.hint = f"{episode.get_closure_reason_display()}, {format_date(episode.closed_on, 'j F Y')}"
    return task
