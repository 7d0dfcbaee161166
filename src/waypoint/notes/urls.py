from .views import counseling, groups, notes

app_name = "notes"
urlpatterns = [*notes.urlpatterns, *groups.urlpatterns, *counseling.urlpatterns]
