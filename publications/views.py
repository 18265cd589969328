from django.views.generic import TemplateView


class PublicationListView(TemplateView):
    template_name = "publications/list.html"
