"""Windows forms of the browser policies: ``.reg`` files and an ADMX/ADML template for GPO.

Both write the registry values the browsers read their policies from:

- ``<browser key>\\ExtensionSettings``: the force-install entry as one JSON string (REG_SZ),
  the form Chrome, Edge, Whale and Firefox accept for this dictionary policy;
- Chromium: ``<browser key>\\3rdparty\\extensions\\<id>\\policy``, Firefox:
  ``<browser key>\\3rdparty\\Extensions\\<id>``: the extension's managed storage, an integer as
  REG_DWORD, a string as REG_SZ and a list as a subkey of values named ``1``, ``2``, ….

A ``.reg`` file sets one browser's values machine-wide (HKLM) and first deletes the managed
storage key, so a site dropped from policy.toml is dropped on the PCs too. The ADMX template
offers the same as two GPO settings per browser ("force-install", "settings"), with the
policy file's values as the defaults shown in the editor; the port is offered only when the
policy file locks it (otherwise every user's companion keeps its own).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from ..config import RISK_LEVELS
from .browser_policies import BROWSERS, Deployment

REG_HEADER = "Windows Registry Editor Version 5.00"
ADMX_NS = "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"
ADMX_PREFIX = "secondlook"
ADMX_NAMESPACE = "SecondLook.Policies"
#: The ADMX enum choices, in the order the GPO editor lists them.
CHOICES = {"mode": ("warn", "block"), "warn_level": RISK_LEVELS[1:], "fail_mode": ("open", "closed")}


def settings_key(deployment: Deployment, browser: str) -> str:
    """The registry key the browser reads the extension's managed storage from (under HKLM/HKCU)."""
    base = BROWSERS[browser].registry_key
    if browser == "firefox":
        return f"{base}\\3rdparty\\Extensions\\{deployment.gecko_id}"
    return f"{base}\\3rdparty\\extensions\\{deployment.extension_id}\\policy"


def extension_settings_json(deployment: Deployment, browser: str) -> str:
    """The ExtensionSettings policy value: force-install from the browser's URL."""
    where = "install_url" if browser == "firefox" else "update_url"
    entry = {"installation_mode": "force_installed", where: deployment.urls[browser]}
    return json.dumps({deployment.extension_for(browser): entry}, separators=(",", ":"))


# --- .reg -------------------------------------------------------------------------------

def reg_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def reg_value(name: str, value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{reg_string(name)}=dword:{value:08x}"
    return f"{reg_string(name)}={reg_string(str(value))}"


def reg_file(deployment: Deployment, browser: str, hive: str = "HKEY_LOCAL_MACHINE") -> str:
    """One browser's policy as a .reg text (CRLF line ends; encode as UTF-16 with a BOM)."""
    base = f"{hive}\\{BROWSERS[browser].registry_key}"
    managed = f"{hive}\\{settings_key(deployment, browser)}"
    lines = [REG_HEADER, "", f"[{base}]", reg_value("ExtensionSettings", extension_settings_json(deployment, browser)),
             "", f"[-{managed}]", "", f"[{managed}]"]
    lists = {}
    for key, value in deployment.settings.items():
        if isinstance(value, list):
            lists[key] = value
        else:
            lines.append(reg_value(key, value))
    for key, items in lists.items():
        lines += ["", f"[{managed}\\{key}]"]
        lines += [reg_value(str(i), item) for i, item in enumerate(items, 1)]
    return "\r\n".join(lines) + "\r\n"


# --- ADMX / ADML ------------------------------------------------------------------------

def _el(parent: ET.Element | None, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.Element(tag, attrs) if parent is None else ET.SubElement(parent, tag, attrs)
    element.text = text
    return element


def admx(deployment: Deployment) -> str:
    """The policy definitions: per browser a force-install and a settings policy, machine-wide."""
    root = _el(None, "policyDefinitions", revision="1.0", schemaVersion="1.0", xmlns=ADMX_NS)
    names = _el(root, "policyNamespaces")
    _el(names, "target", prefix=ADMX_PREFIX, namespace=ADMX_NAMESPACE)
    _el(names, "using", prefix="windows", namespace="Microsoft.Policies.Windows")
    _el(root, "resources", minRequiredRevision="1.0")
    categories = _el(root, "categories")
    _el(categories, "category", name="SecondLook", displayName="$(string.SecondLook)")
    policies = _el(root, "policies")
    for browser in deployment.browsers:
        category = f"SecondLook_{browser}"
        parent = _el(categories, "category", name=category, displayName=f"$(string.{category})")
        _el(parent, "parentCategory", ref="SecondLook")
        install = _el(policies, "policy", name=f"{browser}_force_install", **{"class": "Machine"},
                      displayName=f"$(string.{browser}_force_install)", explainText="$(string.force_install_help)",
                      key=BROWSERS[browser].registry_key, valueName="ExtensionSettings")
        _el(install, "parentCategory", ref=category)
        _el(install, "supportedOn", ref="windows:SUPPORTED_WindowsVista")
        _el(_el(install, "enabledValue"), "string", extension_settings_json(deployment, browser))
        _el(install, "disabledValue").append(ET.Element("delete"))
        key = settings_key(deployment, browser)
        settings = _el(policies, "policy", name=f"{browser}_settings", **{"class": "Machine"},
                       displayName=f"$(string.{browser}_settings)", explainText="$(string.settings_help)",
                       key=key, presentation=f"$(presentation.{browser}_settings)")
        _el(settings, "parentCategory", ref=category)
        _el(settings, "supportedOn", ref="windows:SUPPORTED_WindowsVista")
        elements = _el(settings, "elements")
        _el(elements, "list", id="sites", key=f"{key}\\sites", valuePrefix="")  # values named 1, 2, …
        for name, choices in CHOICES.items():
            enum = _el(elements, "enum", id=name, valueName=name, required="true")
            for choice in choices:
                item = _el(enum, "item", displayName=f"$(string.{name}_{choice})")
                _el(_el(item, "value"), "string", choice)
        if "port" in deployment.settings:  # only a port the policy file locks: else each user keeps their own
            _el(elements, "decimal", id="port", valueName="port", minValue="1", maxValue="65535", required="true")
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def adml(deployment: Deployment) -> str:
    """English strings and presentations; the defaults shown are the policy file's values."""
    root = _el(None, "policyDefinitionResources", revision="1.0", schemaVersion="1.0", xmlns=ADMX_NS)
    _el(root, "displayName", "SecondLook")
    _el(root, "description", f"SecondLook browser extension policies, rendered from {deployment.source.name}")
    resources = _el(root, "resources")
    strings = _el(resources, "stringTable")
    presentations = _el(resources, "presentationTable")

    def string(ident: str, text: str) -> None:
        _el(strings, "string", text, id=ident)

    string("SecondLook", "SecondLook")
    string("force_install_help", "Installs the SecondLook extension and keeps it installed (ExtensionSettings). "
                                 "Replaces the browser's whole ExtensionSettings policy value.")
    string("settings_help", "What the SecondLook extension reads from managed storage: the sites it checks, "
                            "warn or block, the risk level that stops a post, what happens when the companion "
                            "cannot be reached, and the companion's port. Keep these equal to the companions' "
                            "policy.toml; export both from it.")
    for name, choices in CHOICES.items():
        for choice in choices:
            string(f"{name}_{choice}", choice)
    settings = deployment.settings
    for browser in deployment.browsers:
        title = BROWSERS[browser].title
        string(f"SecondLook_{browser}", title)
        string(f"{browser}_force_install", f"Force-install SecondLook in {title}")
        string(f"{browser}_settings", f"SecondLook settings for {title}")
        panel = _el(presentations, "presentation", id=f"{browser}_settings")
        _el(panel, "listBox", "Sites (URL match patterns)", refId="sites")
        for name, choices in CHOICES.items():
            _el(panel, "dropdownList", name, refId=name, noSort="true",
                defaultItem=str(choices.index(settings[name])))
        if "port" in settings:
            _el(panel, "decimalTextBox", "Companion port", refId="port", defaultValue=str(settings["port"]))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_all(deployment: Deployment, out: Path) -> list[Path]:
    """windows/<browser>.reg for each browser, secondlook.admx and en-US/secondlook.adml."""
    (out / "en-US").mkdir(parents=True, exist_ok=True)
    written = []
    for browser in deployment.browsers:
        path = out / f"{browser}.reg"
        path.write_bytes(reg_file(deployment, browser).encode("utf-16"))  # regedit's own format: UTF-16 + BOM
        written.append(path)
    for path, text in ((out / "secondlook.admx", admx(deployment)),
                       (out / "en-US" / "secondlook.adml", adml(deployment))):
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
