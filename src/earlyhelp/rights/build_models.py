"""Building a subject access pack in the background: the job's status and progress, for its progress page.

A pack is created whole when its build finishes (`rights.services.subject_access.run_build`), so a pack that exists
is always complete; the build is the record of the waiting, the progress and any failure.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from earlyhelp import jobs


class BuildStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being built"
    FINISHED = "finished", "Built"
    FAILED = "failed", "Not built"


class SubjectAccessBuild(jobs.Requeueable):
    """One background build of a subject access pack. Status and counts only: no personal data."""

    request = models.ForeignKey("rights.RightsRequest", on_delete=models.CASCADE, related_name="pack_builds")
    status = models.CharField(max_length=20, choices=BuildStatus.choices, default=BuildStatus.QUEUED)
    stage = models.CharField(max_length=100, blank=True, help_text="What the build is doing now")
    percent = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    pack = models.OneToOneField("privacy.SubjectAccessPack", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="build")
    failure = models.CharField(max_length=300, blank=True,
                               help_text="What went wrong, in words for the rights officer: never an error's text")
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="pack_build_percent_at_most_100"),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running"], pack__isnull=True, finished_at__isnull=True)
                | Q(status="finished", pack__isnull=False, finished_at__isnull=False)
                | Q(status="failed", pack__isnull=True, finished_at__isnull=False) & ~Q(failure=""),
                name="pack_build_finished_has_pack_failed_has_reason"),
        ]

    def __str__(self):
        return f"Subject access pack build {self.pk}"

    @property
    def is_running(self) -> bool:
        return self.status in (BuildStatus.QUEUED, BuildStatus.RUNNING)
