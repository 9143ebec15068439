"""``reviewer.resources``: the one way to find shipped data files."""

from __future__ import annotations

import tomllib

import pytest

from reviewer.resources import ResourceError, read_resource_bytes, resource, resource_path


@pytest.mark.parametrize(
    "parts", [("keymap.toml",), ("policies", "community-standards.toml"), ("wellbeing", "org-defaults.toml")]
)
def test_shipped_resources_are_files_with_valid_toml(parts: tuple[str, ...]) -> None:
    path = resource_path(*parts)
    assert path.is_file()
    assert resource(*parts).read_bytes() == path.read_bytes() == read_resource_bytes(*parts)
    tomllib.loads(read_resource_bytes(*parts).decode("utf-8"))


@pytest.mark.parametrize("parts", [("..", "pyproject.toml"), ("policies/community-standards.toml",), ("",)])
def test_parts_must_be_plain_names(parts: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="plain names"):
        resource(*parts)


def test_a_missing_resource_is_named() -> None:
    with pytest.raises(ResourceError, match="reviewer_resources/policies/nope.toml"):
        read_resource_bytes("policies", "nope.toml")
    assert not resource_path("policies", "nope.toml").exists()
