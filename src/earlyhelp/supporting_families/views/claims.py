"""claims pages for the data team."""

urlpatterns = []
