"""Responses to the party that escalated a case: templates per channel (``templates``), the response
deadline set at import (``due``), drafts and final responses (``store``), their state per case
(``states``) and their export (``export``). Nothing is ever sent over a network."""
