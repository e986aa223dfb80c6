from .views import annex_a, home, nis, performance, research, returns

app_name = "reporting"
urlpatterns = [*home.urlpatterns, *returns.urlpatterns, *nis.urlpatterns, *research.urlpatterns,
               *annex_a.urlpatterns, *performance.urlpatterns]
