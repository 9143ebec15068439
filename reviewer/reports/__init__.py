"""Investigation reports (issue 14 §2): what a report shows, its hash, and its HTML; the PDF is drawn by
the Qt side (``ui.reports.pdf``) from the same content."""
