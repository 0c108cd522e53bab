"""The vector_store setting accepts exactly the stores the registry knows."""

import pytest
from pydantic import ValidationError

from kotae.index.stores import STORES
from kotae.settings import VECTOR_STORES, Settings


@pytest.mark.parametrize("kind", sorted(STORES))
def test_every_registered_store_is_a_valid_setting(kind: str) -> None:
    assert Settings(vector_store=kind).vector_store == kind


def test_an_unknown_store_names_the_value_and_the_known_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KOTAE_VECTOR_STORE", "qdrant")
    with pytest.raises(ValidationError) as error:
        Settings()
    message = str(error.value)
    assert "KOTAE_VECTOR_STORE" in message and "'qdrant'" in message
    assert ", ".join(sorted(STORES)) in message


def test_the_settings_names_are_the_registry_names() -> None:
    """Settings name the stores without importing index; this keeps the two lists one."""
    assert sorted(VECTOR_STORES) == sorted(STORES)
