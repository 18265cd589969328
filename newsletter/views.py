from django.views.generic import TemplateView


class ArchiveView(TemplateView):
    template_name = "newsletter/archive.html"
