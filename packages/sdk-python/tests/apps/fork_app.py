"""Pre-fork server shape (gunicorn/uwsgi): init in the parent, fork workers that report, all exit."""

import os
import sys

import tollgate

tollgate.init(endpoint=os.environ["ENDPOINT"], spool_path=os.environ["SPOOL"], policy_poll_interval_s=0)
tollgate.report({"name": "parent-before-fork"})
children = []
for w in range(3):
    pid = os.fork()
    if pid == 0:
        for i in range(20):
            tollgate.report({"name": f"worker-{w}-{i}"})
        tollgate.shutdown(5)
        os._exit(0)
    children.append(pid)
tollgate.report({"name": "parent-after-fork"})
codes = [os.waitpid(p, 0)[1] for p in children]
tollgate.shutdown(5)
sys.stdout.write(f"{codes}\n")
