"""shortlist pages for the data team."""

urlpatterns = []
