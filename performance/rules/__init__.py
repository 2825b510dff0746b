"""Scoring rules as data (评分规则, issue 19, SPEC section 16).

``value`` is the plain ``Rules`` the scorer takes (no ORM); ``models`` stores rule sets as immutable
versions and which version each department uses in a year; ``services`` resolves the rules of projects,
previews and applies a change of a year's rules; ``views`` and ``forms`` are finance's pages.
"""
