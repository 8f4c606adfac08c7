import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialscreen.settings")

application = get_wsgi_application()

# Each server process readies the PDF before its first request, not during a patient's.
from screening.sheet_pdf import warm_up  # noqa: E402  (needs the settings loaded above)

warm_up()
