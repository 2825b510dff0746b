"""The department as a whole (部门整体支出绩效, issue 18): its main tasks and indicators beside the published goals,
and its yearly self-evaluation under a framework (SPEC section 15) with items prefilled from the app's data."""
