from django.conf import settings
from django.utils.functional import SimpleLazyObject

from portal.core.models import SiteSettings
from portal.core.pagecache import content_version


def site(request) -> dict:
    """The centre's identity for every template (cached; see SiteSettings.load), and the
    keys of the parts of pages kept in memory: the content version (read only by a page
    that has such a part) and the section of the site, which the menu marks."""
    return {
        "site": SiteSettings.load(),
        "site_url": settings.SITE_URL,
        "content_version": SimpleLazyObject(content_version),
        "section": request.path.split("/", 2)[1],
    }
