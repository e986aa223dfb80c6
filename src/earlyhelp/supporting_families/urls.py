from .views import claims, framework, shortlist, sustainment

app_name = "programme"
urlpatterns = [*framework.urlpatterns, *shortlist.urlpatterns, *sustainment.urlpatterns, *claims.urlpatterns]
