"""sustainment pages for the data team."""

urlpatterns = []
