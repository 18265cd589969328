from django.urls import path

from members.views import space as views

app_name = "members"

urlpatterns = [
    path("adherents/", views.public_list, name="public_list"),
    path("adherents/demande-envoyee/", views.request_done, name="request_done"),
    path("espace/", views.space, name="space"),
    path("espace/cotisations/", views.space_dues, name="space_dues"),
    path(
        "espace/factures/<str:number>/",
        views.document_download,
        {"kind": "invoice"},
        name="space_invoice_pdf",
    ),
    path(
        "espace/avoirs/<str:number>/",
        views.document_download,
        {"kind": "credit_note"},
        name="space_credit_note_pdf",
    ),
    path(
        "espace/recus/<str:number>/",
        views.document_download,
        {"kind": "payment"},
        name="space_receipt_pdf",
    ),
    path("espace/personnes/", views.space_people_list, name="space_people"),
    path("espace/personnes/inviter/", views.space_invite, name="space_invite"),
    path("espace/personnes/<int:pk>/", views.space_person, name="space_person"),
    path("espace/mes-coordonnees/", views.space_details, name="space_details"),
]
