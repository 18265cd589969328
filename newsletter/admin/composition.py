"""Composing an issue in the back office: preview of the email, test send, suggestions.

The preview shows the email exactly as rendered for sending. It is the only page of
the site whose Content-Security-Policy allows inline styles: an email cannot use a
stylesheet, and the rest of the site keeps its strict policy.
"""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.csp import CSP
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csp import csp_override

from newsletter import rendering
from newsletter.models import Issue
from newsletter.selectors.content import issue_suggestions
from newsletter.selectors.links import issue_dead_links_at
from newsletter.services.proofs import PROOF_MAX_ADDRESSES, issue_proof_send

_SEPARATORS = re.compile(r"[\s,;]+")
_BODY_OPEN = re.compile(r"<body[^>]*>", re.IGNORECASE)


def preview_csp() -> dict:
    """The site's policy with inline styles and the site's images allowed."""
    return {
        **settings.SECURE_CSP,
        "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
        "img-src": [CSP.SELF, "data:", settings.SITE_URL],
    }


class ProofForm(forms.Form):
    addresses = forms.CharField(
        label=_("Addresses"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60, "autocomplete": "off"}),
        help_text=_("Up to 10 addresses, one per line or separated by commas."),
    )

    def clean_addresses(self) -> list[str]:
        addresses: list[str] = []
        for address in _SEPARATORS.split(self.cleaned_data["addresses"]):
            if address and address.lower() not in (known.lower() for known in addresses):
                addresses.append(address)
        if not addresses:
            raise ValidationError(_("Enter at least one address."))
        if len(addresses) > PROOF_MAX_ADDRESSES:
            raise ValidationError(
                _("At most %(max)d addresses, please (%(count)d given)."),
                params={"max": PROOF_MAX_ADDRESSES, "count": len(addresses)},
            )
        invalid = []
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                invalid.append(address)
        if invalid:
            raise ValidationError(
                ngettext(
                    "This address is not valid: %(addresses)s. Nothing was sent.",
                    "These addresses are not valid: %(addresses)s. Nothing was sent.",
                    len(invalid),
                ),
                params={"addresses": ", ".join(invalid)},
            )
        return addresses


class IssueCompositionMixin:
    """Preview (HTML and text), test send and suggestions for IssueAdmin."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/apercu/", view(csp_override(preview_csp())(self.preview_view)),
                 name="newsletter_issue_preview"),
            path("<path:object_id>/apercu/texte/", view(self.preview_text_view),
                 name="newsletter_issue_preview_text"),
            path("<path:object_id>/envoi-de-test/", view(self.proof_view),
                 name="newsletter_issue_proof"),
            *super().get_urls(),
        ]  # fmt: skip

    def composition_context(self, issue: Issue) -> dict:
        args = [issue.pk]
        return {
            "preview_url": reverse("admin:newsletter_issue_preview", args=args),
            "preview_text_url": reverse("admin:newsletter_issue_preview_text", args=args),
            "proof_url": reverse("admin:newsletter_issue_proof", args=args),
        }

    def _viewable(self, request, object_id) -> Issue:
        """An issue with composed pages (an archived one has none to preview or test)."""
        issue = get_object_or_404(Issue, pk=object_id, is_archived=False)
        if not self.has_view_permission(request, issue):
            raise PermissionDenied
        return issue

    def preview_view(self, request, object_id):
        """The email's HTML; the subscriber's own links lead nowhere (#). Above it, for
        staff only, the links a visitor could not open (at the scheduled time, or now)."""
        issue = self._viewable(request, object_id)
        rendered = rendering.issue_render(issue)
        html = rendered.html.replace(rendering.UNSUBSCRIBE_URL, "#")
        html = html.replace(rendering.PREFERENCES_URL, "#")
        dead = issue_dead_links_at(issue=issue) if issue.is_editable else []
        if dead:
            banner = render_to_string(
                "admin/newsletter/issue/preview_dead_links.html", {"dead_links": dead}
            )
            html = _BODY_OPEN.sub(lambda match: match.group(0) + banner, html, count=1)
        return HttpResponse(html)

    def preview_text_view(self, request, object_id):
        """The plain-text part, as a mail client without HTML shows it, after the list of
        the links a visitor could not open."""
        issue = self._viewable(request, object_id)
        rendered = rendering.issue_render(issue)
        marker = gettext("[link personal to each subscriber]")
        text = rendered.text.replace(rendering.UNSUBSCRIBE_URL, marker)
        text = text.replace(rendering.PREFERENCES_URL, marker)
        dead = issue_dead_links_at(issue=issue) if issue.is_editable else []
        if dead:
            lines = [gettext("Links a visitor cannot see:"), *(f"- {link}" for link in dead)]
            text = "\n".join([*lines, "", "-" * 40, "", text])
        return HttpResponse(text, content_type="text/plain; charset=utf-8")

    def proof_view(self, request, object_id):
        issue = self._viewable(request, object_id)
        if not self.has_change_permission(request, issue):
            raise PermissionDenied
        form = ProofForm(request.POST or None, initial={"addresses": request.user.email})
        if request.method == "POST" and form.is_valid():
            addresses = form.cleaned_data["addresses"]
            issue_proof_send(issue=issue, addresses=addresses, actor=request.user)
            self.message_user(
                request,
                ngettext(
                    "Test sent to %(count)d address.", "Test sent to %(count)d addresses.",
                    len(addresses),
                ) % {"count": len(addresses)},
                messages.SUCCESS,
            )  # fmt: skip
            return HttpResponseRedirect(reverse("admin:newsletter_issue_change", args=[issue.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Test send: %(issue)s") % {"issue": issue},
            "original": issue,
            "form": form,
            "max_addresses": PROOF_MAX_ADDRESSES,
            "has_view_permission": True,
            **self.composition_context(issue),
        }
        return TemplateResponse(request, "admin/newsletter/issue/proof.html", context)

    def suggestions_display(self, issue: Issue) -> str:
        """What staff may pick for this issue (read-only field of the change page)."""
        if issue is None or issue.pk is None:
            return "—"
        context = {"suggestions": issue_suggestions(issue=issue), "issue": issue}
        return render_to_string("admin/newsletter/issue/suggestions.html", context)

    suggestions_display.short_description = _("suggestions")
