from . import secret_box
from . import job_retry
