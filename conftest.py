import pytest


@pytest.fixture
def world(db):
    from earlyhelp.testing.world import build_world

    return build_world()
