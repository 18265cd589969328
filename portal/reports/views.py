from django.views.generic import TemplateView

from portal.core.roles import DirectorRequiredMixin


class DashboardView(DirectorRequiredMixin, TemplateView):
    template_name = "reports/dashboard.html"
