from django.urls import path

from members.views import public, space

app_name = "members"

urlpatterns = [
    path("adherents/", public.public_list, name="public_list"),
    path("adherents/demande-envoyee/", public.request_done, name="request_done"),
    path("espace/", space.space, name="space"),
    path("espace/cotisations/", space.space_dues, name="space_dues"),
    path(
        "espace/factures/<str:number>/",
        space.document_download,
        {"kind": "invoice"},
        name="space_invoice_pdf",
    ),
    path(
        "espace/avoirs/<str:number>/",
        space.document_download,
        {"kind": "credit_note"},
        name="space_credit_note_pdf",
    ),
    path(
        "espace/recus/<str:number>/",
        space.document_download,
        {"kind": "payment"},
        name="space_receipt_pdf",
    ),
    path("espace/personnes/", space.space_people_list, name="space_people"),
    path("espace/personnes/inviter/", space.space_invite, name="space_invite"),
    path("espace/personnes/<int:pk>/", space.space_person, name="space_person"),
    path("espace/mes-coordonnees/", space.space_details, name="space_details"),
]
