"""The second approval (issue 16 item 2): a department submits its year to the finance bureau (部门提交), which
approves it (locking the year for everyone but finance) or returns it with a reason naming projects (财政审核).

``models``: a department's year (``DepartmentYear``) with its history. ``flows``: its transitions on the one
workflow engine (``performance.workflow.engine``). ``services``: what submitting needs, reading a year's
projects. ``bulk``: approving and returning many self-evaluations at once from the review list. ``views``: the
department-year page and the review list. ``admin``: the years shown, read-only. Who may do what is decided in
``performance.rights`` (the lock too).
"""
