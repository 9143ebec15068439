"""A second version of the built-in pack for policy-update tests: VIO-2 reworded and its actions
changed, a new section VIO-9 added, version 2027.01 (after the built-in one, OLD_VERSION). Written as a file, as a policy team would ship it."""

from __future__ import annotations

from pathlib import Path

from reviewer.policy import default_pack_path, load_default_pack

OLD_VERSION = load_default_pack().version
NEW_VERSION = "2027.01"
CHANGED_CODE, ADDED_CODE = "VIO-2", "VIO-9"
ADDED = '''
[[section]]
code = "VIO-9"
title = "Violent events in progress"
categories = ["violence"]
severity = 5
text = """
Live or near-live footage of an attack in progress is removed and escalated at once.
"""
examples = ["Violates: a stream of an attack while it is happening."]
actions = ["remove", "escalate"]
'''


def second_version(folder: Path, *, extra: str = "") -> Path:
    """The built-in pack as version 2027.01 with one changed and one added section; returns the file."""
    text = default_pack_path().read_text(encoding="utf-8")
    text = text.replace(f'version = "{OLD_VERSION}"', f'version = "{NEW_VERSION}"', 1)
    old = "age gate. Fictional, medical and clearly staged content is assessed under VIO-4 context rules."
    assert old in text
    text = text.replace(
        old, "age gate for adults only. Fictional and medical content is assessed under VIO-4.", 1
    )
    text = text.replace(
        'actions = ["remove", "restrict", "warn"]', 'actions = ["remove", "restrict", "warn", "escalate"]', 1
    )
    path = folder / f"community-standards-{NEW_VERSION}.toml"
    path.write_text(text + ADDED + extra, encoding="utf-8")
    return path
