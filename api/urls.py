from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.errors import unknown_address
from api.views import questionnaires, reports, responses, tokens

app_name = "api"

RESPONSE = "v1/responses/<int:questionnaire_id>/<int:organisation_id>/"

urlpatterns = [
    path(
        "v1/questionnaires/",
        questionnaires.QuestionnaireListApi.as_view(),
        name="questionnaire-list",
    ),
    path(
        "v1/questionnaires/<int:questionnaire_id>/",
        questionnaires.QuestionnaireDetailApi.as_view(),
        name="questionnaire-detail",
    ),
    path(
        "v1/questionnaires/<int:questionnaire_id>/tables/<str:variable>/",
        reports.QuestionTableApi.as_view(),
        name="question-table",
    ),
    path(
        "v1/questionnaires/<int:questionnaire_id>/tables/<str:variable>/comparison/",
        reports.QuestionComparisonApi.as_view(),
        name="question-comparison",
    ),
    path(
        "v1/questionnaires/<int:questionnaire_id>/status/",
        reports.ResponseStatusApi.as_view(),
        name="response-status",
    ),
    path("v1/responses/", responses.ResponseListApi.as_view(), name="response-list"),
    path(RESPONSE, responses.ResponseDetailApi.as_view(), name="response-detail"),
    path(
        RESPONSE + "answers/", responses.ResponseSaveApi.as_view(), name="response-save"
    ),
    path(
        RESPONSE + "submit/",
        responses.ResponseSubmitApi.as_view(),
        name="response-submit",
    ),
    path("v1/exports/", reports.ExportCreateApi.as_view(), name="export-create"),
    path(
        "v1/exports/<int:job_id>/",
        reports.ExportStatusApi.as_view(),
        name="export-status",
    ),
    path(
        "v1/exports/<int:job_id>/file/",
        reports.ExportDownloadApi.as_view(),
        name="export-download",
    ),
    path("v1/tokens/", tokens.TokenListApi.as_view(), name="token-list"),
    path(
        "v1/tokens/<int:token_id>/",
        tokens.TokenRevokeApi.as_view(),
        name="token-revoke",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        # Swagger UI's stylesheet draws its icons as data: images; this page alone
        # allows them (images cannot run code). Scripts and styles stay 'self'.
        csp_update({"img-src": ["data:"]})(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", template_name="api/swagger_ui.html"
            )
        ),
        name="docs",
    ),
    # Last: any other address under /api/v1/ (an id that is not a number, a typo)
    # answers 404 in the API's JSON, not the site's HTML page.
    re_path(r"^v1/", unknown_address),
]
