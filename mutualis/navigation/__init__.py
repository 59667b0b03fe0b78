"""Site navigation: the lifecycle phases (`phases.PHASES`) and the context processor that
puts them in every page. Not a domain app: it imports no model.

A phase app enables its entry by setting `url_name` on its `Phase` line in `phases.py`.
"""
