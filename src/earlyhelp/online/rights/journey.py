"""The public rights forms: which kinds of request a family can make online, and the order of their questions.

Answers are kept in the visitor's session until they send the request from "Check your answers": nothing reaches the
rights register half-made, and the register's row is made whole by one service call
(`earlyhelp.rights.services.online.receive_online_request`).
"""

import datetime
from dataclasses import dataclass

from earlyhelp.rights.models import RequesterRelationship, RequestKind

from . import forms


@dataclass(frozen=True)
class Kind:
    slug: str  # in the URL
    code: str  # a `RequestKind`
    title: str
    details_question: str
    details_name: str
    details_hint: str


KINDS = {kind.slug: kind for kind in [
    Kind("see-your-records", RequestKind.ACCESS, "Ask for a copy of the information we hold",
         "What information do you want?", "The information you want",
         "For example, records from a particular time or about a particular service. Leave it blank to ask for "
         "everything we hold."),
    Kind("correct-your-records", RequestKind.RECTIFICATION, "Ask us to correct information we hold",
         "What is wrong, and what should it say?", "What is wrong", "Tell us where you saw it, if you know."),
    Kind("withdraw-consent", RequestKind.CONSENT_WITHDRAWAL, "Withdraw your consent",
         "What do you no longer agree to?", "What you no longer agree to",
         "For example, sharing information with your child's school."),
    Kind("complain", RequestKind.COMPLAINT, "Complain about how we have used information",
         "What is your complaint?", "Your complaint",
         "Tell us what happened, when, and what you would like us to do."),
]}


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form: object  # a form class, or a function of the Kind returning one
    single: bool = True  # one question: its label is the page's heading
    lead: str = ""
    asked: object = None  # a function of the answers: False when the question does not apply
    gate: bool = False  # its answer lets the visitor go on, and is not part of the request

    def form_class(self, kind: Kind):
        return self.form if isinstance(self.form, type) else self.form(kind)


def _for_someone_else(answers) -> bool:
    return answers.get("requester_relationship") not in (None, RequesterRelationship.SELF)


STEPS = [
    Step("who", "Who is the request about?", forms.WhoForm),
    Step("your-age", "How old are you?", forms.age_form, gate=True,
         asked=lambda a: a.get("requester_relationship") == RequesterRelationship.SELF),
    Step("connection", "How are you connected to them?", forms.ConnectionForm,
         asked=lambda a: a.get("requester_relationship") == RequesterRelationship.OTHER),
    Step("their-name", "What is their full name?", forms.TheirNameForm, asked=_for_someone_else),
    Step("their-date-of-birth", "What is their date of birth?", forms.TheirDateOfBirthForm,
         asked=_for_someone_else),
    Step("your-name", "What is your full name?", forms.YourNameForm),
    Step("contact", "How can we contact you?", forms.ContactForm, single=False,
         lead="Give at least one way for us to reply to you."),
    Step("details", "Your request", forms.details_form),
]
BY_SLUG = {step.slug: step for step in STEPS}


def steps_for(answers) -> list[Step]:
    return [step for step in STEPS if step.asked is None or step.asked(answers)]


def next_step(answers, done: set) -> Step | None:
    """The first question that applies and has not been answered yet."""
    return next((step for step in steps_for(answers) if step.slug not in done), None)


def stored(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def loaded(name, value):
    if name == "subject_date_of_birth" and value:
        return datetime.date.fromisoformat(value)
    return value


def service_answers(kind: Kind, answers: dict) -> dict:
    """The keyword arguments of `receive_online_request`, from the answers to the questions that apply."""
    names = {name for step in steps_for(answers) if not step.gate for name in step.form_class(kind).base_fields}
    return {"kind": kind.code, **{name: loaded(name, answers.get(name)) or (None if name == "subject_date_of_birth"
                                                                          else "") for name in names}}
