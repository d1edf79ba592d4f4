"""A later process of the same application: delivers what earlier ones left in the spool."""

import os

import tollgate

tollgate.init(endpoint=os.environ["ENDPOINT"], spool_path=os.environ["SPOOL"], policy_poll_interval_s=0, max_batch=1000)
tollgate.flush(30)
tollgate.shutdown(5)
