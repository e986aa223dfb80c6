"""The synthetic demo council: deterministic seed data for demonstrations, tests and benchmarks.

`generate_council(families=2000, seed=20261121)` builds one council with locality teams, partner
organisations of every type, practitioners of every role (with fixed demo sign-ins, see
`DEMO_USERS`) and `families` households with people, addresses, identifiers and early help
episodes at every stage of the lifecycle.

Everything is invented. Names come from Faker's `en_GB` lists (and a few other locales for families
whose first language is not English); NHS numbers come from the range the NHS reserves for testing;
postcodes use the area "DB", which does not exist. The same seed and the same `today` always give
the same council.

This is seed data, not a user's action: rows are written in batches, not through the services,
and no simple-history rows are made. Primary keys are chosen by the generator (see `rows`), so
rows can refer to each other before they are written. SQLite gets `bulk_create`; PostgreSQL gets
COPY, which loads 100,000 families (about 390,000 people, 5.5 million rows) in about two minutes.
The data still obeys every database constraint, and one audit event (`demo.load`) records the load.

Then `programme` adds Supporting Families work to a bounded number of families through the real services
(needs, progress, the shortlist and its decisions, with their audit events), and sustainment checks, a claim
batch and research projects with the models: every state the programme's pages show.

The first families (one per stage in `stages.STAGES`) are held by North Early Help, led by the
demo `lead` with the demo `partner` on their Team Around the Family. So even a 40-family council
has every stage, and the demo sign-ins see a full tour.

The package: `words` (names, places and the words of casework records), `rows` (rows buffered
and written in batches), `builders` (`RecordBuilder`: seeded draws, people and households),
`staff` (`StaffBuilder`: organisations, teams and users), `stages` (`FamilyBuilder`: each family
at its stage of early help), `programme` (`ProgrammeBuilder`: Supporting Families) and this
module, which loads the council with a `FamilyBuilder`.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import AuditEvent
from earlyhelp.casework.models import Document
from earlyhelp.demo.generator.programme import build_programme
from earlyhelp.demo.panels import load_demo_panels
from earlyhelp.demo.generator.staff import DEMO_PASSWORD, DEMO_USERS
from earlyhelp.demo.generator.stages import FamilyBuilder
from earlyhelp.demo.registers import MODELS as REGISTER_MODELS
from earlyhelp.demo.registers import load_demo_registers
from earlyhelp.organisations.models import User
from earlyhelp.privacy.models import (
    Consent,
    ConsentRules,
    DatasetDisclosure,
    Disclosure,
    Panel,
    Suggestion,
    SuggestionKind,
)
from earlyhelp.privacy.services import consent as consents
from earlyhelp.programme.models import Need, NeedProgress
from earlyhelp.reporting.models import ExportFile, PublishedReturn, ResearchProject
from earlyhelp.reporting.services import files, research
from earlyhelp.retention import presets as retention_presets
from earlyhelp.supporting_families.models import (
    Claim,
    ClaimBatch,
    ClaimedNeed,
    ProgrammeFamily,
    SustainmentCheck,
)

DEFAULT_SEED = 20261121
DEFAULT_FAMILIES = 2000
SIGN_IN_URL = "http://127.0.0.1:8000/sign-in/"
LOADED_MARKER_USERNAME = "manager"  # if this user exists, the demo council is loaded
FLUSH_EVERY_FAMILIES = 1000
BATCH_SIZE = 5000
# The demo council follows Wigan's notice: signed consent is one of the four principles, so support needs it (P6).
# A council working under its public task (Cambridgeshire and Peterborough) switches it off on the rule's page.
DEMO_CONSENT_RULE = {"support_needs_consent": True, "verbal_consent_enough": False,
                     "reason": "Signed consent is one of the four principles of our early help (privacy notice)"}


@dataclass
class SignIn:
    username: str
    role: str
    place: str
    password: str = DEMO_PASSWORD


@dataclass
class GenerationResult:
    families: int
    seed: int
    counts: dict = field(default_factory=dict)
    sign_ins: list = field(default_factory=list)
    seconds: float = 0.0


# --- Public API -----------------------------------------------------------------------------------

def demo_loaded() -> bool:
    return User.objects.filter(username=LOADED_MARKER_USERNAME).exists()


def generate_council(*, families: int = DEFAULT_FAMILIES, seed: int = DEFAULT_SEED, progress=None,
                     today: datetime.date | None = None, batch_size: int = BATCH_SIZE) -> GenerationResult:
    """Build the demo council in one transaction; returns counts and the demo sign-ins."""
    if families < 0:
        raise ValueError("families must be zero or more")
    started = time.perf_counter()
    with transaction.atomic():
        builder = FamilyBuilder(seed=seed, today=today or timezone.localdate(), batch_size=batch_size)
        builder.build_organisations()
        builder.build_users(families)
        for index in range(families):
            builder.build_family(index)
            done = index + 1
            if done % FLUSH_EVERY_FAMILIES == 0 or done == families:
                builder.writer.flush()
                if progress:
                    progress(done, families)
        builder.writer.flush()
        builder.writer.reset_sequences()
        load_demo_registers(dpo=builder.demo["dpo"], today=builder.today)  # agreements the partner files cite
        programme_counts = build_programme(seed=seed, today=builder.today)  # through the services
        retention_presets.load_demo(dpo=builder.demo["dpo"])  # the retention rules and one legal hold
        programme_counts |= load_demo_panels(manager=builder.demo["manager"], lead=builder.demo["lead"])
        if not consents.support_consent_rule_is(**DEMO_CONSENT_RULE):
            consents.change_consent_rules(by=builder.demo["dpo"], **DEMO_CONSENT_RULE)
        audit.record(actor=None, action="create", event="demo.load", purpose="system_security",
                     metadata={"families": families})
    return GenerationResult(families=families, seed=seed, counts={**builder.writer.counts, **programme_counts},
                            sign_ins=demo_sign_ins(), seconds=time.perf_counter() - started)


def demo_sign_ins() -> list[SignIn]:
    """The fixed demo sign-ins, one per role, as they are in the database."""
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERS)
             .select_related("team", "organisation")}
    rows = []
    for username in DEMO_USERS:
        user = users.get(username)
        if user:
            place = user.team.name if user.team else user.organisation.name
            rows.append(SignIn(username, user.get_role_display(), place))
    return rows


def wipe_demo_data() -> None:
    """Delete everything the demo loaded (organisations, users, families and casework).

    Refuses unless this database was loaded by the demo (a `demo.load` audit event exists) and this
    is not a production environment. The audit trail is append-only and is kept. Call it inside a
    transaction: foreign keys are checked at commit, so tables can be emptied in any order.
    """
    if settings.ENVIRONMENT == "production":
        raise PermissionError("Refusing to delete data in a production environment (EARLYHELP_ENV=production).")
    if not AuditEvent.objects.filter(event="demo.load").exists():
        raise PermissionError("This database was not loaded by the demo: refusing to delete anything.")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("wipe_demo_data must run inside a transaction")
    for document in Document.objects.all():
        document.file.delete(save=False)
    models = []
    # Supporting Families: the families' records (the framework and the rules are configuration).
    models += [ClaimedNeed, Claim, ClaimBatch, SustainmentCheck, ProgrammeFamily, NeedProgress, Need,
               Need.history.model, ResearchProject, ResearchProject.history.model]
    # Returns, transfers and extracts the demo made (a file waiting to be collected goes with its record).
    for export in ExportFile.objects.filter(removed_at__isnull=True):
        (files.export_dir() / export.stored_name).unlink(missing_ok=True)
    for project in ResearchProject.objects.filter(key_destroyed_at__isnull=True):
        research.key_path(project).unlink(missing_ok=True)
    models += [ExportFile, PublishedReturn, DatasetDisclosure.households.through, DatasetDisclosure]
    for label in ("matching", "retention", "casework", "access", "people", "organisations"):
        models.extend(apps.get_app_config(label).get_models(include_auto_created=True))
    # From the privacy app only the families' records: the register and notices are configuration.
    models += [Consent, Consent.history.model, Disclosure]
    # Panels name the demo's organisations (P26): the panels, their members and their history.
    models += [Panel.members.through, apps.get_model("privacy", "HistoricalPanel_members"), Panel.history.model, Panel]
    # The consent rule the demo set names the demo DPO: it goes back to the default (the loader sets it again).
    models += [ConsentRules, ConsentRules.history.model]
    # The DPO's registers (breaches, DPIAs, data-sharing agreements): the demo's examples.
    models += list(REGISTER_MODELS)
    for label, name in [("admin", "LogEntry"), ("sessions", "Session"), ("axes", "AccessAttempt"),
                        ("axes", "AccessLog"), ("axes", "AccessFailureLog")]:
        try:
            models.append(apps.get_model(label, name))
        except LookupError:
            continue
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    # The disposal batches' and data matches' decisions.
    Suggestion.objects.filter(kind__in=[SuggestionKind.RETENTION, SuggestionKind.MATCH, SuggestionKind.NEW_PERSON,
                                        SuggestionKind.NEED, SuggestionKind.MATCHED_NEED,
                                        SuggestionKind.ELIGIBILITY]).delete()
