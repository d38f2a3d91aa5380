"""The shipped deployment files agree with each other: the compose file gives nginx every
variable the proxy template needs and mounts that template where the nginx image renders it,
and the template renders only with every variable given."""

from __future__ import annotations

import re

import pytest

from atlas_tools.proxy import TEMPLATE, render
from tests.conftest import REPO_ROOT

COMPOSE = REPO_ROOT / "deploy" / "compose.yaml"


def test_the_compose_file_gives_the_proxy_every_variable_of_its_template() -> None:
    needed = set(re.findall(r"\$\{(ATLAS_[A-Z0-9_]+)\}", TEMPLATE.read_text()))
    compose = COMPOSE.read_text()
    proxy = compose[compose.index("\n  proxy:") :]
    given = set(re.findall(r"^\s+(ATLAS_[A-Z0-9_]+):", proxy, flags=re.M))
    assert needed and needed <= given, needed - given
    assert "./nginx/atlas.conf.template:/etc/nginx/templates/atlas.conf.template" in proxy
    # Every app process serves under the proxy's prefix and shares the cookie secret.
    app = compose[compose.index("x-app:") : compose.index("\nservices:")]
    assert "STREAMLIT_SERVER_BASE_URL_PATH: ${ATLAS_PREFIX:-atlas}" in app
    assert "ATLAS_PREFIX: ${ATLAS_PREFIX:-atlas}" in proxy
    assert "STREAMLIT_SERVER_COOKIE_SECRET:" in app and "GEO_PUBLIC_URL:" in app


def test_the_template_renders_only_with_every_variable() -> None:
    template = TEMPLATE.read_text()
    with pytest.raises(KeyError, match="ATLAS_"):
        render(template, {"ATLAS_PREFIX": "atlas"})
    values = {name: f"<{name}>" for name in re.findall(r"\$\{(ATLAS_[A-Z0-9_]+)\}", template)}
    rendered = render(template, values)
    assert "${ATLAS_" not in rendered
    assert "$http_upgrade" in rendered and "$cookie_atlas_route" in rendered
