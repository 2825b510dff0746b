"""Finance's tasks with deadlines and everyone's to-do inbox (issue 16, items 1 and 5).

``models``: a task (自评任务, 监控任务) finance issues for a year to all departments or chosen ones, and the
in-app notifications the workflow writes. ``services``: issuing, editing and closing tasks, which tasks
concern a user, the days left, what is overdue. ``inbox``: what waits for each user, counted in a constant
number of queries. ``notifications``: who acts next after a transition (``performance.workflow`` calls it)
and the daily digest mail. ``views``: finance's task pages and the inbox.
"""
