"""The review queue's filters: by linkage run and by dataset (a run's "Review the matches" opens it by run)."""

import django_filters

from .models import DatasetType, LinkageRun, MatchCandidate


class CandidateFilter(django_filters.FilterSet):
    run = django_filters.ModelChoiceFilter(
        label="Linkage run", empty_label="All runs", queryset=LinkageRun.objects.order_by("-pk"))
    dataset = django_filters.ChoiceFilter(
        label="Dataset", field_name="record__batch__dataset_type", choices=DatasetType.choices,
        empty_label="All datasets")

    class Meta:
        model = MatchCandidate
        fields = ["run", "dataset"]
