"""Strings of installed apps whose own French catalogue lacks them.

Marked here so that `makemessages` puts them in the project's catalogue, which Django
reads before the apps' own: the back office then shows them in French too.
"""

from django.utils.translation import gettext_noop

STRINGS = (
    gettext_noop("Select all"),  # django-import-export's export page (4.4: no French)
)
