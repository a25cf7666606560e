from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "strata.web"
    label = "web"
