from django.views.generic import TemplateView

from portal.core.roles import MemberRequiredMixin


class PublicListView(TemplateView):
    template_name = "members/public_list.html"


class MemberSpaceView(MemberRequiredMixin, TemplateView):
    template_name = "members/space.html"
