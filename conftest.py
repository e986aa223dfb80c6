import pytest

# Project modules are imported inside the fixtures: this file is loaded before Django is set up.


@pytest.fixture
def world(db):
    from earlyhelp.testing.world import build_world

    return build_world()


@pytest.fixture(autouse=True)
def empty_file_store():
    """The in-memory file store outlives a test: start each with nothing in it, so a scan sees only its own files."""
    from django.core.files.storage import default_storage

    from earlyhelp.testing.traces import walk_storage

    for name in list(walk_storage(default_storage)):
        default_storage.delete(name)


@pytest.fixture(autouse=True, scope="session")
def verified_sign_in():
    """`client.force_login(user)` gives a session verified with a second factor, as every staff sign-in must be
    (P23); tests of the second factor itself use `earlyhelp.testing.signin.password_only_login`."""
    from earlyhelp.testing import signin

    undo = signin.install()
    yield
    undo()


@pytest.fixture(autouse=True)
def partners_join_the_overarching_agreement():
    """Routine sharing must cite an agreement in force (issue 13, item 11): an organisation a test creates joins the
    test world's overarching agreement (`earlyhelp.testing.agreements.cover_new_partners`)."""
    from django.db.models.signals import post_save

    from earlyhelp.organisations.models import Organisation
    from earlyhelp.testing.agreements import cover_new_partners

    post_save.connect(cover_new_partners, sender=Organisation, dispatch_uid="cover_new_partners")
    yield
    post_save.disconnect(sender=Organisation, dispatch_uid="cover_new_partners")
