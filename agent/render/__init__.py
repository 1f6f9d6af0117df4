"""Every output format in one place: ``report`` (a verification report, terminal), ``summary``
(a summary: terminal and Markdown), ``answer`` (an answer: terminal and Markdown), ``html`` (a
summary's HTML report) and ``eval`` (the eval report: terminal and HTML). The HTML comes from
Jinja2 templates in ``templates/`` (autoescaped); the terminal is rich. Renderers read
``agent.models`` only: they never import the stages that make what they show.
"""
