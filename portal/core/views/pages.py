from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from portal.core.health import run_checks
from portal.core.models import SiteSettings
from portal.core.processing import REGISTER


class HomeView(TemplateView):
    template_name = "core/home.html"


class LegalNoticeView(TemplateView):
    template_name = "core/legal_notice.html"


class PrivacyView(TemplateView):
    template_name = "core/privacy.html"
    extra_context = {"register": REGISTER}


class AccessibilityView(TemplateView):
    template_name = "core/accessibility.html"


class SiteMapView(TemplateView):
    """Every public page and the member space, for people (sitemap.xml is for robots)."""

    template_name = "core/site_map.html"


def csrf_failure(request, reason: str = ""):
    """A form refused by the CSRF check (settings.CSRF_FAILURE_VIEW): why, and what to do."""
    response = HttpResponseForbidden(render_to_string("403_csrf.html", request=request))
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_GET
def healthz(request):
    """200 when the database, Redis and a worker answer; 503 naming what fails."""
    results = run_checks()
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse(results, status=200 if healthy else 503)


@require_GET
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /comptes/",
        "Disallow: /espace/",
        "Disallow: /direction/",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_GET
@cache_control(max_age=300, public=True)
def theme_css(request):
    """The site colours as CSS custom properties: a stylesheet, since CSP forbids inline styles."""
    site = SiteSettings.load()
    css = f":root {{ --primary: {site.primary_colour}; --accent: {site.accent_colour}; }}\n"
    return HttpResponse(css, content_type="text/css; charset=utf-8")
