"""Reading the outcomes framework: the current version, its labels and descriptors."""

from ..models import Descriptor, FrameworkVersion, HeadlineArea, HeadlineLabel


def current_version() -> FrameworkVersion:
    version = FrameworkVersion.objects.filter(is_current=True).first()
    if version is None:
        raise FrameworkVersion.DoesNotExist("No framework version is marked current: the data team must choose one")
    return version


def label_in(area: HeadlineArea, version: FrameworkVersion) -> str:
    found = HeadlineLabel.objects.filter(area=area, version=version).values_list("label", flat=True).first()
    return found or area.label


def descriptors(*, version: FrameworkVersion | None = None, area: HeadlineArea | None = None):
    found = Descriptor.objects.filter(version=version or current_version(), is_active=True).select_related("area")
    return found.filter(area=area) if area is not None else found


def first_descriptor(area: HeadlineArea) -> Descriptor:
    """The descriptor a headline-level suggestion is recorded under; the practitioner can change it after."""
    found = descriptors(area=area).first()
    if found is None:
        raise Descriptor.DoesNotExist(f"The current framework has no active descriptor under {area.label}")
    return found
