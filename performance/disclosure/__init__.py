"""The department's budget disclosure (部门预算信息公开情况说明): read it, write it, generate it.

``text``/``docx`` turn a document into blocks (paragraphs and tables, with their place), ``parse``
reads the template's phrases and tables into the same dict shape as ``fixtures/seed_2021.json``,
``write`` saves that dict idempotently (shared with ``performance.demo.load_demo``), ``generate``
builds the disclosure of a department's year from the database (web page and .docx), and
``importer`` runs read → write → check_budget/review_projects in one transaction (or a dry run).
"""
