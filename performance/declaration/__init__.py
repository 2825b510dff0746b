"""Targets declared, approved as a baseline, and adjusted only on record (绩效目标申报、批复与调整).

``models``: the declaration's state (TargetSet), the approved baseline (BaselineIndicator) and adjustment
requests (Adjustment, AdjustmentItem). ``flows``: their transitions on the one workflow engine.
``services``: saving a declaration, freezing the baseline, applying an approved adjustment.
``forms`` and ``views``: the declaration and adjustment pages.
"""
