import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.config.base")
application = get_asgi_application()

from onewindow.core.startup import refuse_unsafe_production  # noqa: E402  (after setup)

refuse_unsafe_production("web server")
