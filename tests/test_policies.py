"""One policy source: every browser's policy rendered from a policy.toml, compared field by field."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from companion.config import EXTENSION_ID, GECKO_ID
from companion_process import SECONDLOOK

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "installer" / "policy.toml"
ADMX = "{http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions}"
SITES = ["https://*.medigate.net/*", "https://board.hospital.kr/nurse/*"]
URLS = {"chrome": "https://it.hospital.kr/sl/chrome/updates.xml", "edge": "https://it.hospital.kr/sl/edge/updates.xml",
        "whale": "https://it.hospital.kr/sl/whale/updates.xml", "firefox": "https://it.hospital.kr/sl/secondlook.xpi"}
#: What the extension must find in managed storage, from the sample below.
SETTINGS = {"sites": SITES, "mode": "block", "warn_level": "high", "fail_mode": "closed", "port": 47900}
REGISTRY = {"chrome": r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Google\Chrome",
            "edge": r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Edge",
            "whale": r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Naver\Whale",
            "firefox": r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Mozilla\Firefox"}


def sample_policy(tmp: Path, deploy_extra: str = "") -> Path:
    path = tmp / "policy.toml"
    path.write_text(f"""
[server]
port = 47900

[policy]
sites = {json.dumps(SITES)}
mode = "block"
warn_level = "high"
fail_mode = "closed"

[detection]
threshold = 0.5

[deploy]
chrome_update_url = "{URLS['chrome']}"
edge_update_url = "{URLS['edge']}"
whale_update_url = "{URLS['whale']}"
firefox_install_url = "{URLS['firefox']}"
{deploy_extra}""", encoding="utf-8")
    return path


def export(policy: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(SECONDLOOK), "policies", "export", "--policy", str(policy), "--out", str(out)],
                          capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("policies")
    result = export(sample_policy(tmp), tmp / "out")
    assert result.returncode == 0, result.stderr
    return tmp / "out"


@pytest.mark.parametrize("browser", ["chrome", "edge", "whale"])
def test_chromium_browsers_force_install_and_get_the_policy_files_settings(rendered: Path, browser: str) -> None:
    policy = json.loads((rendered / f"{browser}.json").read_text(encoding="utf-8"))
    assert set(policy) == {"ExtensionSettings", "3rdparty"}
    assert policy["ExtensionSettings"] == {EXTENSION_ID: {"installation_mode": "force_installed",
                                                          "update_url": URLS[browser]}}
    assert policy["3rdparty"] == {"extensions": {EXTENSION_ID: SETTINGS}}


def test_firefox_policies_json_and_managed_storage_manifest(rendered: Path) -> None:
    policy = json.loads((rendered / "firefox" / "policies.json").read_text(encoding="utf-8"))
    assert policy == {"policies": {
        "ExtensionSettings": {GECKO_ID: {"installation_mode": "force_installed", "install_url": URLS["firefox"]}},
        "3rdparty": {"Extensions": {GECKO_ID: SETTINGS}},
    }}
    manifest = json.loads((rendered / "firefox" / "managed-storage" / f"{GECKO_ID}.json").read_text(encoding="utf-8"))
    assert manifest == {"name": GECKO_ID, "description": "SecondLook managed settings", "type": "storage",
                        "data": SETTINGS}


def test_settings_fit_the_extensions_managed_schema(rendered: Path) -> None:
    from companion.deploy.browser_policies import check_against_schema

    schema_text = (ROOT / "extension" / "managed-schema.json").read_text(encoding="utf-8")
    assert (rendered / "managed_schema.json").read_text(encoding="utf-8") == schema_text
    check_against_schema(SETTINGS, json.loads(schema_text))
    with pytest.raises(ValueError, match="port"):
        check_against_schema({"port": "47813"}, json.loads(schema_text))
    with pytest.raises(ValueError, match="not in the extension's managed schema"):
        check_against_schema({"colour": "red"}, json.loads(schema_text))


def parse_reg(data: bytes) -> tuple[dict[str, dict[str, object]], list[str]]:
    """A .reg file, parsed independently of the writer: {key: {name: value}}, deleted keys."""
    assert data.startswith(b"\xff\xfe"), "regedit's format is UTF-16 LE with a BOM"
    text = data.decode("utf-16")
    lines = text.split("\r\n")
    assert lines[0] == "Windows Registry Editor Version 5.00"
    keys: dict[str, dict[str, object]] = {}
    deleted: list[str] = []
    current = None
    for line in lines[1:]:
        if not line:
            continue
        if line.startswith("[-"):
            deleted.append(line[2:-1])
            current = None
        elif line.startswith("["):
            current = keys.setdefault(line[1:-1], {})
        else:
            match = re.fullmatch(r'"((?:[^"\\]|\\.)*)"=(?:"((?:[^"\\]|\\.)*)"|dword:([0-9a-f]{8}))', line)
            assert match and current is not None, line
            unescape = lambda s: re.sub(r"\\(.)", r"\1", s)  # noqa: E731
            name = unescape(match[1])
            current[name] = unescape(match[2]) if match[2] is not None else int(match[3], 16)
    return keys, deleted


@pytest.mark.parametrize("browser", ["chrome", "edge", "whale", "firefox"])
def test_reg_files(rendered: Path, browser: str) -> None:
    keys, deleted = parse_reg((rendered / "windows" / f"{browser}.reg").read_bytes())
    base = REGISTRY[browser]
    ext = GECKO_ID if browser == "firefox" else EXTENSION_ID
    managed = (f"{base}\\3rdparty\\Extensions\\{ext}" if browser == "firefox"
               else f"{base}\\3rdparty\\extensions\\{ext}\\policy")
    where = "install_url" if browser == "firefox" else "update_url"
    assert json.loads(keys[base]["ExtensionSettings"]) == {ext: {"installation_mode": "force_installed",
                                                                 where: URLS[browser]}}
    assert deleted == [managed], "stale sites are removed before the new list is written"
    assert keys[managed] == {"mode": "block", "warn_level": "high", "fail_mode": "closed", "port": 47900}
    assert keys[managed + "\\sites"] == {"1": SITES[0], "2": SITES[1]}


def test_admx_and_adml(rendered: Path) -> None:
    admx = ET.parse(rendered / "windows" / "secondlook.admx").getroot()
    adml = ET.parse(rendered / "windows" / "en-US" / "secondlook.adml").getroot()
    strings = {s.get("id"): s.text for s in adml.iter(f"{ADMX}string")}
    presentations = {p.get("id"): p for p in adml.iter(f"{ADMX}presentation")}
    admx_text = (rendered / "windows" / "secondlook.admx").read_text(encoding="utf-8")
    for ref in re.findall(r"\$\(string\.(\w+)\)", admx_text):
        assert ref in strings, f"ADMX refers to a string the ADML lacks: {ref}"
    for ref in re.findall(r"\$\(presentation\.(\w+)\)", admx_text):
        assert ref in presentations, ref
    policies = {p.get("name"): p for p in admx.iter(f"{ADMX}policy")}
    assert set(policies) == {f"{b}_{kind}" for b in REGISTRY for kind in ("force_install", "settings")}
    for browser, hklm in REGISTRY.items():
        ext = GECKO_ID if browser == "firefox" else EXTENSION_ID
        install = policies[f"{browser}_force_install"]
        assert install.get("class") == "Machine" and install.get("key") == hklm.removeprefix("HKEY_LOCAL_MACHINE\\")
        assert install.get("valueName") == "ExtensionSettings"
        value = json.loads(install.find(f"{ADMX}enabledValue/{ADMX}string").text)
        assert list(value) == [ext] and URLS[browser] in value[ext].values()
        settings = policies[f"{browser}_settings"]
        assert settings.get("key").endswith(ext + ("" if browser == "firefox" else "\\policy"))
        elements = settings.find(f"{ADMX}elements")
        sites = elements.find(f"{ADMX}list")
        assert sites.get("key") == settings.get("key") + "\\sites" and sites.get("valuePrefix") == ""
        panel = presentations[f"{browser}_settings"]
        for enum in elements.findall(f"{ADMX}enum"):
            choices = [item.find(f"{ADMX}value/{ADMX}string").text for item in enum.findall(f"{ADMX}item")]
            default = panel.find(f"{ADMX}dropdownList[@refId='{enum.get('id')}']").get("defaultItem")
            assert choices[int(default)] == SETTINGS[enum.get("id")], enum.get("id")
        assert {e.get("id") for e in elements.findall(f"{ADMX}enum")} == {"mode", "warn_level", "fail_mode"}
        port = panel.find(f"{ADMX}decimalTextBox[@refId='port']")
        assert port.get("defaultValue") == "47900" and elements.find(f"{ADMX}decimal").get("valueName") == "port"


def test_build_py_renders_the_same_files(tmp_path: Path, rendered: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "companion.deploy.browser_policies",
                             "--policy", str(sample_policy(tmp_path)), "--out", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    ours = sorted(p.relative_to(rendered) for p in rendered.rglob("*") if p.is_file())
    assert ours == sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*") if p.is_file())
    for rel in ours:
        if rel.name != "secondlook.adml":  # names the source file only
            assert (rendered / rel).read_bytes() == (tmp_path / "out" / rel).read_bytes(), rel


def test_the_same_file_is_the_companions_valid_policy(tmp_path: Path) -> None:
    policy = sample_policy(tmp_path)
    result = subprocess.run([str(SECONDLOOK), "config", "show", "--policy", str(policy)],
                            capture_output=True, text=True, timeout=60, env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "port = 47900  # policy" in result.stdout and 'warn_level = "high"  # policy' in result.stdout
    assert "[deploy]" not in result.stdout  # read by `policies export` only


def test_only_the_chosen_browsers(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(f'[deploy]\nbrowsers = ["edge"]\nedge_update_url = "{URLS["edge"]}"\n', encoding="utf-8")
    result = export(policy, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    files = {p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert files == {"edge.json", "windows/edge.reg", "windows/secondlook.admx", "windows/en-US/secondlook.adml",
                     "managed_schema.json"}
    edge = json.loads((tmp_path / "out" / "edge.json").read_text(encoding="utf-8"))
    settings = edge["3rdparty"]["extensions"][EXTENSION_ID]
    assert settings["fail_mode"] == "open"  # the companion's default
    assert "port" not in settings and "token" not in settings, "each user's companion keeps its own port"
    admx = (tmp_path / "out" / "windows" / "secondlook.admx").read_text(encoding="utf-8")
    assert 'id="port"' not in admx and "<decimal" not in admx


@pytest.mark.parametrize("deploy, key, expectation", [
    (None, "deploy.chrome_update_url", "is a placeholder; expected the URL where you host the updates.xml"),
    ({"browsers": '["chrome"]', "chrome_update_url": '""'}, "deploy.chrome_update_url",
     "is not set; expected the http(s) URL of the updates.xml"),
    ({"firefox_install_url": '"https://cdn.example.com/sl.xpi"'}, "deploy.firefox_install_url", "is a placeholder"),
    ({"browsers": '"chrome"'}, "deploy.browsers", "must be a non-empty list of browsers"),
    ({"browsers": '["chrome", "safari"]'}, "deploy.browsers", 'one of "chrome", "edge", "whale", "firefox"'),
    ({"extension_id": '"not-an-id"'}, "deploy.extension_id", "a 32-letter Chromium extension ID"),
    ({"extension_id": '"aaaabbbbccccddddeeeeffffgggghhhh"'}, "policy.allowed_extension_ids",
     'must include deploy.extension_id "aaaabbbbccccddddeeeeffffgggghhhh"'),
    ({"gecko_id": '"secondlook"'}, "deploy.gecko_id", "a Firefox add-on ID"),
    ({"chrome_update_url": '"ftp://it.hospital.kr/u.xml"'}, "deploy.chrome_update_url", "an http(s) URL"),
    ({"colour": '"red"'}, "deploy.colour", "unknown key"),
])
def test_bad_policy_files_give_one_line_naming_file_key_and_expectation(
        tmp_path: Path, deploy: dict[str, str] | None, key: str, expectation: str) -> None:
    policy = tmp_path / "policy.toml"
    if deploy is None:  # the shipped template as it is
        policy.write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    else:
        table = {f"{b}_{'install' if b == 'firefox' else 'update'}_url": f'"{url}"' for b, url in URLS.items()}
        table.update(deploy)
        policy.write_text("[deploy]\n" + "".join(f"{k} = {v}\n" for k, v in table.items()), encoding="utf-8")
    result = export(policy, tmp_path / "out")
    assert result.returncode == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(policy) in lines[0] and key in lines[0] and expectation in lines[0], lines[0]
    assert not (tmp_path / "out").exists(), "nothing is written from a bad file"


def test_not_toml_and_deploy_in_a_user_config(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[deploy\n", encoding="utf-8")
    result = export(broken, tmp_path / "out")
    assert result.returncode == 2 and f"{broken}: not valid TOML" in result.stderr
    config = tmp_path / "config.toml"
    config.write_text(f'[deploy]\nchrome_update_url = "{URLS["chrome"]}"\n', encoding="utf-8")
    result = subprocess.run([str(SECONDLOOK), "config", "validate", str(config)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert f"{config}: [deploy] belongs in the managed policy file" in result.stderr


def test_build_py_and_the_companion_agree_on_the_gecko_id() -> None:
    build = (ROOT / "build.py").read_text(encoding="utf-8")
    assert f'GECKO_ID = "{GECKO_ID}"' in build
