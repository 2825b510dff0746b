"""The indicator library (指标库, issue 15): recommended indicators by project category, their suggestion in the
declaration form beside last year's and peers' figures, and the review rules that compare a target with them.

``names`` matches indicator names that differ only in spacing, full width or an alias; ``models`` holds the
entries, the project categories they fit and the reviewer's peer factor; ``suggestions`` computes what the
declaration form offers (a constant number of queries); ``context`` gives the review rules last year's and
the peers' figures; ``workbook`` imports and exports the library; ``seed`` is what the migration loads.
"""
