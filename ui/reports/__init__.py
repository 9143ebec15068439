"""Investigation reports in the running app: the export dialog (Ctrl+Shift+P) and the PDF renderer
(``install`` in ``actions.py``; ``pdf.render_pdf`` is also what the CLI uses for .pdf)."""

from ui.reports.actions import ACTIONS, ReportsFeature, install

__all__ = ["ACTIONS", "ReportsFeature", "install"]
