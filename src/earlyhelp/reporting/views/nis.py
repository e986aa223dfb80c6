"""nis pages."""

urlpatterns = []
