from django.views.generic import TemplateView


class InfodocView(TemplateView):
    template_name = "infodoc/index.html"
