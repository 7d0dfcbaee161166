from .views import aftercare, alumni, checkins, events

app_name = "recovery"
urlpatterns = [
    *events.urlpatterns,
    *checkins.urlpatterns,
    *aftercare.urlpatterns,
    *alumni.urlpatterns,
]
