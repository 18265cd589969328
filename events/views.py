from django.views.generic import TemplateView


class AgendaView(TemplateView):
    template_name = "events/agenda.html"
