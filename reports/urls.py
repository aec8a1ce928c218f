from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("rapporter/import/", views.import_upload, name="import-upload"),
    path("rapporter/import/bekrafta/", views.import_confirm, name="import-confirm"),
]
