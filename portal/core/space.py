"""The member space's guard: every app's member-space view (its views/space.py) uses it.

Core does not import members: the signed-in user's directory record (members.Person) is
reached through the user's reverse accessor, the related_name of Person.user.
"""

from __future__ import annotations

from functools import wraps

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from portal.core.roles import member_required

# The related_name of members.Person.user.
PERSON_ACCESSOR = "person"
UNLINKED_TEMPLATE = "members/space_unlinked.html"


def user_person(user):
    """The user's directory record with its organisation (one query), or None."""
    if not user.is_authenticated:
        return None
    person_model = user._meta.get_field(PERSON_ACCESSOR).related_model
    return person_model._default_manager.select_related("organisation").filter(user=user).first()


def space_view(section: str, *, organisation_required: bool = False, unlinked_404: bool = False):
    """A member-space page: sign-in required, never cached, the user's Person passed to the
    view as `person`, `request.space_section` set for the navigation.

    An account without a Person sees the "not linked" page on GET, and gets 404 for a file
    (`unlinked_404`) or any other method; `organisation_required` pages (about colleagues)
    answer 404 to an individual member.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            person = user_person(request.user)
            if person is None:
                if unlinked_404 or request.method not in ("GET", "HEAD"):
                    raise Http404
                return render(request, UNLINKED_TEMPLATE)
            if organisation_required and person.organisation_id is None:
                raise Http404
            request.space_section = section
            return view(request, *args, person=person, **kwargs)

        return never_cache(member_required(wrapper))

    return decorator
