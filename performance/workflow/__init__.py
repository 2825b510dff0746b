"""The workflow of SPEC section 7 on one engine (``engine``): each kind of document declares its flow beside
its rules, and this package holds the self-evaluation's (``evaluation``) and the review cycle that
self-evaluations and monitoring entries share (``review_cycle``).
"""

from .engine import Flow, Transition, record_transition, require_status, required_reason, run
from .evaluation import (
    EVALUATION,
    approve_evaluation,
    reopen_evaluation,
    return_evaluation,
    submit_evaluation,
)

__all__ = [
    "EVALUATION",
    "Flow",
    "Transition",
    "approve_evaluation",
    "record_transition",
    "reopen_evaluation",
    "require_status",
    "required_reason",
    "return_evaluation",
    "run",
    "submit_evaluation",
]
