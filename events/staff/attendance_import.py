"""Import the attendance of a session from a spreadsheet: upload, preview, confirm.

The preview is a dry run of events.services.attendance.attendance_import. The lines it
read travel to the confirmation signed (not stored on the server), so what is imported
is exactly what was previewed; the import then runs again for real, all or nothing.
"""

from __future__ import annotations

from dataclasses import asdict

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from events.admin_forms import AttendanceImportForm
from events.models import Session
from events.resources import attendance_file_read, expected_columns
from events.services.attendance_import import AttendanceRow, attendance_import

ROWS_SALT = "events.attendance_import.rows"
ROWS_MAX_AGE = 2 * 3600  # seconds between the preview and the confirmation


class AttendanceImportView(View):
    model_admin = None
    template_name = "admin/events/session/attendance_import.html"

    def dispatch(self, request, object_id: int):
        if not request.user.has_perms(["events.add_attendance", "events.change_attendance"]):
            raise PermissionDenied
        self.session = get_object_or_404(Session.objects.select_related("action"), pk=object_id)
        return super().dispatch(request)

    def render(self, request, **context):
        admin = self.model_admin
        context = {
            **admin.admin_site.each_context(request),
            "opts": admin.opts,
            "title": _("Import the attendance of %(session)s") % {"session": self.session},
            "session": self.session,
            "columns": expected_columns(),
            "has_view_permission": True,
            **context,
        }
        return TemplateResponse(request, self.template_name, context)

    def get(self, request):
        return self.render(request, form=AttendanceImportForm())

    def post(self, request):
        if "rows" in request.POST:
            return self.confirm(request)
        form = AttendanceImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(request, form=form)
        upload = form.cleaned_data["import_file"]
        try:
            rows = attendance_file_read(upload.read(), upload.name)
        except ValidationError as error:
            form.add_error("import_file", error)
            return self.render(request, form=form)
        report = attendance_import(
            session=self.session, rows=rows, actor=request.user, dry_run=True
        )
        token = signing.dumps([asdict(row) for row in rows], salt=ROWS_SALT, compress=True)
        return self.render(
            request, form=form, report=report, rows_token="" if report.has_errors else token
        )

    def confirm(self, request):
        try:
            data = signing.loads(request.POST["rows"], salt=ROWS_SALT, max_age=ROWS_MAX_AGE)
            rows = [AttendanceRow(**row) for row in data]
        except (signing.BadSignature, TypeError, ValueError):
            messages.error(request, _("The preview has expired: send the file again."))
            return HttpResponseRedirect(request.path)
        report = attendance_import(session=self.session, rows=rows, actor=request.user)
        if report.has_errors:
            messages.error(request, _("Nothing was imported: some lines failed."))
            return self.render(request, form=AttendanceImportForm(), report=report)
        messages.success(
            request,
            _(
                "Attendance imported: %(created)s added, %(updated)s updated, "
                "%(unchanged)s unchanged; %(new_people)s new people in the directory."
            )
            % {
                "created": report.total("created"),
                "updated": report.total("updated"),
                "unchanged": report.total("unchanged"),
                "new_people": report.new_people,
            },
        )
        return HttpResponseRedirect(reverse("admin:events_session_checkin", args=[self.session.pk]))
