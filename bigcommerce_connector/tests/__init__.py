from . import test_instance
from . import test_security
from . import test_jobs
