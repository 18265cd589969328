from django.conf import settings

from portal.core.models import SiteSettings


def site(request) -> dict:
    """The centre's identity for every template (cached; see SiteSettings.load)."""
    return {"site": SiteSettings.load(), "site_url": settings.SITE_URL}
