"""Public pages of « Résonances »: the archive, the web version of an issue, its PDF.

Thin: selectors read, rendering.issue_pdf prints. Only sent issues are public. An issue
archived from a spreadsheet (sent before the portal) has no composed pages: its page shows
its text and the link to its PDF, and its PDF address leads to that link.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView

from newsletter import rendering
from newsletter.models import Issue
from newsletter.selectors.archive import archive_issues, issue_public_get
from newsletter.selectors.content import issue_content

ISSUES_PER_PAGE = 12
# A PDF is printed once per version of the issue (its pk and updated_at), then served
# from the cache: WeasyPrint takes a second or two, a reader should not wait that long.
PDF_CACHE_SECONDS = 7 * 24 * 3600


@method_decorator(require_safe, name="dispatch")
class ArchiveView(ListView):
    template_name = "newsletter/archive.html"
    context_object_name = "issues"
    paginate_by = ISSUES_PER_PAGE

    def get_queryset(self):
        return archive_issues()


@method_decorator(require_safe, name="dispatch")
class IssueView(DetailView):
    """The web version: a page of the site with its stylesheet, not the email's HTML
    (the site's CSP forbids the inline styles an email needs)."""

    template_name = "newsletter/issue.html"
    context_object_name = "issue"

    def get_object(self, queryset=None) -> Issue:
        return issue_public_get(number=self.kwargs["number"])

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        if not self.object.is_archived:
            context["content"] = issue_content(issue=self.object)
        context["pdf_url"] = self.object.pdf_url
        return context


def pdf_cache_key(issue: Issue) -> str:
    return f"newsletter:pdf:{issue.pk}:{issue.updated_at.timestamp()}"


@require_safe
def issue_pdf(request, number: int, pdf_number: int):
    """resonances-<n>.pdf, printed on first request and kept in the cache."""
    if pdf_number != number:
        raise Http404
    issue = issue_public_get(number=number)
    if issue.is_archived:
        if not issue.archive_url:
            raise Http404
        return HttpResponseRedirect(issue.archive_url)
    key = pdf_cache_key(issue)
    data = cache.get(key)
    if data is None:
        data = rendering.issue_pdf(issue)
        cache.set(key, data, PDF_CACHE_SECONDS)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="resonances-{issue.number}.pdf"'
    return response
