from django.urls import path

from intake import contact_views, excel_views, rss_views
from intake.views import form, receipt, saving, staff

app_name = "intake"

urlpatterns = [
    # Staff: the contact persons of regions and RSS (issue #15).
    path("samordning/kontakter/", contact_views.staff_contacts, name="staff-contacts"),
    path(
        "samordning/kontakter/import/",
        contact_views.staff_contact_import,
        name="staff-contact-import",
    ),
    path(
        "samordning/kontakter/import/bekrafta/",
        contact_views.staff_contact_import_confirm,
        name="staff-contact-import-confirm",
    ),
    path(
        "samordning/kontakter/<int:organisation_id>/lagg-till/",
        contact_views.staff_contact_add,
        name="staff-contact-add",
    ),
    path(
        "samordning/kontakter/<int:organisation_id>/ta-bort/",
        contact_views.staff_contact_remove,
        name="staff-contact-remove",
    ),
    path(
        "samordning/kontakter/<int:organisation_id>/bjud-in/",
        contact_views.staff_contact_invite,
        name="staff-contact-invite",
    ),
    path(
        "samordning/kontakter/<int:organisation_id>/historik/",
        contact_views.staff_contact_history,
        name="staff-contact-history",
    ),
    path("mina-enkater/", form.response_list, name="response-list"),
    path(
        "svar/<int:questionnaire_id>/<int:organisation_id>/",
        form.response_edit,
        name="response-edit",
    ),
    path(
        "svar/<int:questionnaire_id>/<int:organisation_id>/synliga/",
        form.response_visibility,
        name="response-visibility",
    ),
    path(
        "svar/<int:questionnaire_id>/<int:organisation_id>/autospara/",
        saving.response_autosave,
        name="response-autosave",
    ),
    path(
        "svar/<int:questionnaire_id>/<int:organisation_id>/spara-utkast/",
        saving.response_save_draft,
        name="response-save-draft",
    ),
    path(
        "svar/<int:questionnaire_id>/<int:organisation_id>/kvitto/",
        receipt.response_receipt,
        name="response-receipt",
    ),
    path(
        "svar/<int:questionnaire_id>/<int:organisation_id>/oppna-igen/",
        receipt.response_reopen,
        name="response-reopen",
    ),
    # Status boards and sending to kommuner (issue #4): an RSS's kommuner, and
    # staff's supplementary questionnaires sent straight to every kommun.
    path(
        "rss/<int:rss_id>/<int:questionnaire_id>/",
        rss_views.rss_status,
        name="rss-status",
    ),
    path(
        "rss/<int:rss_id>/<int:questionnaire_id>/paminn-alla/",
        rss_views.rss_remind_all,
        name="rss-remind-all",
    ),
    path(
        "rss/<int:rss_id>/<int:questionnaire_id>/kommun/<int:kommun_id>/kontakt/",
        rss_views.rss_contact_add,
        name="rss-contact-add",
    ),
    path(
        "rss/<int:rss_id>/<int:questionnaire_id>/kommun/<int:kommun_id>/kontakt/ta-bort/",
        rss_views.rss_contact_remove,
        name="rss-contact-remove",
    ),
    path(
        "rss/<int:rss_id>/<int:questionnaire_id>/kommun/<int:kommun_id>/lank/",
        rss_views.rss_send_link,
        name="rss-send-link",
    ),
    path(
        "rss/<int:rss_id>/<int:questionnaire_id>/kommun/<int:kommun_id>/paminn/",
        rss_views.rss_send_reminder,
        name="rss-send-reminder",
    ),
    path(
        "kompletterande-enkater/",
        rss_views.supplementary_list,
        name="supplementary-list",
    ),
    path(
        "kompletterande-enkater/<int:questionnaire_id>/",
        rss_views.supplementary_status,
        name="supplementary-status",
    ),
    path(
        "kompletterande-enkater/<int:questionnaire_id>/lankar/",
        rss_views.supplementary_send_all,
        {"kind": "lankar"},
        name="supplementary-send-links",
    ),
    path(
        "kompletterande-enkater/<int:questionnaire_id>/paminn-alla/",
        rss_views.supplementary_send_all,
        {"kind": "paminn"},
        name="supplementary-remind-all",
    ),
    path(
        "kompletterande-enkater/<int:questionnaire_id>/kontakt/",
        rss_views.supplementary_contact_add,
        name="supplementary-contact-add",
    ),
]

# The Excel channel of kommun questionnaires (issue #4, part B).
urlpatterns += [
    path(
        "svar/<int:questionnaire_id>/<int:organisation_id>/excel/",
        excel_views.excel_download,
        name="excel-download",
    ),
    path(
        "svar/<int:questionnaire_id>/<int:organisation_id>/excel/ladda-upp/",
        excel_views.excel_upload,
        name="excel-upload",
    ),
    path(
        "svar/<int:questionnaire_id>/<int:organisation_id>/excel/granska/<str:token>/",
        excel_views.excel_preview,
        name="excel-preview",
    ),
    # Staff: RSS questionnaires whose frozen kommun counts no longer match (issue #4).
    path(
        "samordning/inaktuella/",
        staff.consolidation_stale,
        name="consolidation-stale",
    ),
    # Every member kommun's Excel copy in one zip, from the RSS status page.
    path(
        "rss/<int:rss_id>/<int:questionnaire_id>/excel/",
        excel_views.rss_excel_all,
        name="rss-excel-all",
    ),
]
