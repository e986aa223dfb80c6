"""research pages."""

urlpatterns = []
