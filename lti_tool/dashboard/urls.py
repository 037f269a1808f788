"""The dashboard's URLs (included under /lti/dashboard/ by ``lti_tool.urls``): a launch's door and the operator's."""

from django.urls import path

from . import views

urlpatterns = [
    path("<str:token>/", views.launch_page, name="dashboard"),
    path("<str:token>/csv/<str:table>.csv", views.launch_csv, name="dashboard-csv"),
    path("<str:token>/evidence/", views.launch_evidence, name="dashboard-evidence"),
    path("<str:token>/evidence.pdf", views.launch_evidence, {"kind": "pdf"}, name="dashboard-evidence-pdf"),
    path("<str:token>/evidence.csv", views.launch_evidence, {"kind": "csv"}, name="dashboard-evidence-csv"),
    path("platform/<int:platform>/", views.operator_page, name="dashboard-platform"),
    path("platform/<int:platform>/csv/<str:table>.csv", views.operator_csv, name="dashboard-platform-csv"),
    path("platform/<int:platform>/evidence/", views.operator_evidence, name="dashboard-platform-evidence"),
    path("platform/<int:platform>/evidence.pdf", views.operator_evidence, {"kind": "pdf"}, name="dashboard-platform-evidence-pdf"),
    path("platform/<int:platform>/evidence.csv", views.operator_evidence, {"kind": "csv"}, name="dashboard-platform-evidence-csv"),
]
