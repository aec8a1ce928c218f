from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Nära vård-uppföljningen"
admin.site.site_title = "Nära vård-uppföljningen"
admin.site.index_title = "Administration"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("intake.urls")),
    path("", include("surveys.urls")),
    path("", include("reports.urls")),
]
