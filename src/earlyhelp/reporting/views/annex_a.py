"""annex_a pages."""

urlpatterns = []
