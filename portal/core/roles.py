"""The roles of DESIGN.md, each with one test, one decorator and one view mixin.

public: anyone; member: a signed-in account; staff: the back office team
("Équipe", or any staff account); director: the "Direction" group.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, user_passes_test
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied

STAFF_GROUP = "Équipe"
DIRECTOR_GROUP = "Direction"


def _in_group(user, name: str) -> bool:
    return user.is_authenticated and user.groups.filter(name=name).exists()


def is_member(user) -> bool:
    return user.is_authenticated and user.is_active


def is_staff(user) -> bool:
    return is_member(user) and user.is_staff


def is_director(user) -> bool:
    return is_member(user) and (user.is_superuser or _in_group(user, DIRECTOR_GROUP))


def _role_required(test):
    """Anonymous visitors go to the login page; signed-in visitors without the role get 403."""

    def decorator(view):
        def check(user):
            if not test(user):
                raise PermissionDenied
            return True

        return login_required(user_passes_test(check)(view))

    return decorator


member_required = _role_required(is_member)
staff_required = _role_required(is_staff)
director_required = _role_required(is_director)


class _RoleMixin(LoginRequiredMixin, UserPassesTestMixin):
    role_test = staticmethod(is_member)
    raise_exception = False

    def test_func(self) -> bool:
        return self.role_test(self.request.user)

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise PermissionDenied
        return super().handle_no_permission()


class MemberRequiredMixin(_RoleMixin):
    role_test = staticmethod(is_member)


class StaffRequiredMixin(_RoleMixin):
    role_test = staticmethod(is_staff)


class DirectorRequiredMixin(_RoleMixin):
    role_test = staticmethod(is_director)


# Permissions of the role groups ---------------------------------------------------

# Apps whose models the back-office team manages; accounts and groups stay with superusers.
TEAM_APPS = ("members", "events", "publications", "infodoc", "newsletter")
# Apps of the directors alone (the annual report's texts and builds).
DIRECTOR_APPS = ("reports",)
TEAM_MODELS = (("core", "sitesettings"), ("core", "importjob"), ("core", "outgoingmail"))
# Reference data and the audit trail: staff read them, superusers change them.
TEAM_VIEW_MODELS = (
    ("core", "department"),
    ("core", "epci"),
    ("core", "commune"),
    ("core", "auditentry"),
    ("core", "consentrecord"),
)


def sync_group_permissions(**kwargs) -> None:
    """Give "Équipe" and "Direction" every permission on the portal's own models, and
    "Direction" alone those of the directors' apps.

    Runs after each migrate, so a model added by a later issue is covered
    without a data migration of its own.
    """
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    scope = Q(content_type__app_label__in=TEAM_APPS)
    for app_label, model in TEAM_MODELS:
        scope |= Q(content_type__app_label=app_label, content_type__model=model)
    for app_label, model in TEAM_VIEW_MODELS:
        scope |= Q(
            content_type__app_label=app_label,
            content_type__model=model,
            codename__startswith="view_",
        )
    permissions = list(Permission.objects.filter(scope))
    directors_only = list(Permission.objects.filter(content_type__app_label__in=DIRECTOR_APPS))
    staff, _created = Group.objects.get_or_create(name=STAFF_GROUP)
    staff.permissions.add(*permissions)
    staff.permissions.remove(*directors_only)
    directors, _created = Group.objects.get_or_create(name=DIRECTOR_GROUP)
    directors.permissions.add(*permissions, *directors_only)
