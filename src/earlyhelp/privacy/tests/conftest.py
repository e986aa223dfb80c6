import pytest
from django.core.files.storage import default_storage


@pytest.fixture(autouse=True)
def empty_file_store():
    """The in-memory file store outlives a test: start each with nothing in it, so a scan sees only its own files."""
    from earlyhelp.privacy.traces import _walk

    for name in list(_walk(default_storage)):
        default_storage.delete(name)
