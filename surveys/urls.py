from django.urls import path

from surveys import definition_views, lifecycle_views, round_views, views

app_name = "surveys"

urlpatterns = [
    path("", views.home, name="home"),
    path("logga-in/", views.login, name="login"),
    path("logga-ut/", views.logout, name="logout"),
    # The magic link in invitations (django-sesame); one-time, expires.
    path("inloggning/lank/", views.magic_login, name="magic-login"),
    path("konto/losenord/", views.password_set, name="password-set"),
    path("konto/losenord/klart/", views.password_set_done, name="password-set-done"),
    path("konto/bjud-in/", views.user_invite, name="user-invite"),
    # Staff: each questionnaire's state, opening and closing, extended deadlines.
    path(
        "samordning/enkater/",
        lifecycle_views.questionnaire_lifecycle_list,
        name="questionnaire-lifecycle-list",
    ),
    path(
        "samordning/enkater/<int:questionnaire_id>/",
        lifecycle_views.questionnaire_lifecycle,
        name="questionnaire-lifecycle",
    ),
    path(
        "samordning/enkater/<int:questionnaire_id>/forlang/",
        lifecycle_views.questionnaire_deadline_extend,
        name="questionnaire-deadline-extend",
    ),
    # Staff: information letters and reminder rounds, now or scheduled.
    path(
        "samordning/enkater/<int:questionnaire_id>/utskick/",
        round_views.questionnaire_rounds,
        name="questionnaire-rounds",
    ),
    path(
        "samordning/enkater/<int:questionnaire_id>/utskick/<int:mailing_id>/stall-in/",
        round_views.questionnaire_round_cancel,
        name="questionnaire-round-cancel",
    ),
    # Staff: the next cycle, its revision report, and the questions of a
    # questionnaire under preparation (issue #19).
    path(
        "samordning/omgangar/<int:year>/nasta/",
        definition_views.cycle_next,
        name="cycle-next",
    ),
    path(
        "samordning/omgangar/<int:year>/revision/",
        definition_views.cycle_revision,
        name="cycle-revision",
    ),
    path(
        "samordning/omgangar/<int:year>/revision.csv",
        definition_views.cycle_revision_csv,
        name="cycle-revision-csv",
    ),
    path(
        "samordning/enkater/<int:questionnaire_id>/fragor/",
        definition_views.questionnaire_definition,
        name="questionnaire-definition",
    ),
    path(
        "samordning/enkater/<int:questionnaire_id>/fragor/definitionsfil/",
        definition_views.questionnaire_definition_file,
        name="questionnaire-definition-file",
    ),
    path(
        "samordning/enkater/<int:questionnaire_id>/fragor/ny/",
        definition_views.question_add,
        name="question-add",
    ),
    path(
        "samordning/enkater/<int:questionnaire_id>/fragor/<slug:variable>/andra/",
        definition_views.question_edit,
        name="question-edit",
    ),
    path(
        "samordning/enkater/<int:questionnaire_id>/<slug:action>/",
        lifecycle_views.questionnaire_state_change,
        name="questionnaire-state-change",
    ),
    # Linked from every page's footer (issue #17).
    path("tillganglighet/", views.accessibility_statement, name="accessibility"),
    path("personuppgifter/", views.personal_data, name="personal-data"),
]
