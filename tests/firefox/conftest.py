"""Firefox-test fixtures: Debian's Firefox ESR (headless, a fresh profile) with the built Firefox
extension (dist/firefox) installed over WebDriver BiDi, configured the way IT configures it:
a managed storage manifest rendered by `secondlook policies export` from a policy.toml that
names the fixture forum, the companion's port and its token.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

import companion_process as companions
from bidi import BiDi, Tab
from companion.config import GECKO_ID
from forum_server import ForumServer

ROOT = Path(__file__).resolve().parents[2]
FIREFOX = "/usr/bin/firefox-esr"
EXTENSION_DIR = ROOT / "dist" / "firefox"
#: Firefox trusts only a token-holding client from its random moz-extension:// origin.
TOKEN = "firefox-token-0123456789abcdef"
#: Firefox's match patterns have no port (one with a port matches nothing there), so the forum
#: is named by host, as real boards are.
SITES = '["http://127.0.0.1/*"]'

#: The extension's moz-extension:// host in the test profile (Firefox picks a random one unless told).
EXTENSION_UUID = "3c0c8e8a-6f0e-4d1e-9b7a-5e2f0c1d2a3b"
EXTENSION_ORIGIN = f"moz-extension://{EXTENSION_UUID}"
#: A fresh profile that never phones home, opens no first-run pages and accepts the unsigned
#: build as a temporary add-on.
PREFS = {
    "xpinstall.signatures.required": False,
    "extensions.autoDisableScopes": 0,
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.aboutwelcome.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "app.update.enabled": False,
    "app.normandy.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "extensions.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "intl.accept_languages": "ko-KR, ko",
    "remote.prefs.recommended": True,
    "extensions.webextensions.uuids": json.dumps({GECKO_ID: EXTENSION_UUID}),
    # the extension's console (background and content scripts) in firefox.log, for failures
    "devtools.console.stdout.chrome": True,
    "devtools.console.stdout.content": True,
}


@pytest.fixture(scope="session")
def firefox_companion(tmp_path_factory: pytest.TempPathFactory, forum: ForumServer) -> Iterator:
    config = f'[policy]\nsites = {SITES}\nmode = "warn"\nfail_mode = "open"\n'
    running = companions.start_companion(tmp_path_factory.mktemp("companion-firefox"), config,
                                         env={"SECONDLOOK_TOKEN": TOKEN})
    yield running
    running.stop()


def managed_storage(tmp: Path, forum: ForumServer, port: int) -> Path:
    """The managed storage manifest, exported from a policy.toml as IT would."""
    policy = tmp / "policy.toml"
    policy.write_text(f"""[server]
port = {port}
token = "{TOKEN}"

[policy]
sites = {SITES}
mode = "warn"
warn_level = "medium"
fail_mode = "open"

[deploy]
browsers = ["firefox"]
firefox_install_url = "https://it.hospital.kr/secondlook/secondlook.xpi"
""", encoding="utf-8")
    result = subprocess.run([str(companions.SECONDLOOK), "policies", "export", "--policy", str(policy), "--out", str(tmp / "out")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return tmp / "out" / "firefox" / "managed-storage" / f"{GECKO_ID}.json"


@dataclass
class Firefox:
    process: subprocess.Popen
    bidi: BiDi

    def new_tab(self) -> Tab:
        created = self.bidi.call("browsingContext.create", type="tab")
        return Tab(self.bidi, created["context"])


@pytest.fixture(scope="session")
def built_extension() -> Path:
    subprocess.run([sys.executable, str(ROOT / "build.py"), "extension"], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    assert json.loads((EXTENSION_DIR / "manifest.json").read_text())["browser_specific_settings"]["gecko"]["id"] == GECKO_ID
    return EXTENSION_DIR


@pytest.fixture(scope="session")
def firefox(tmp_path_factory: pytest.TempPathFactory, built_extension: Path, forum: ForumServer,
            firefox_companion) -> Iterator[Firefox]:
    if not Path(FIREFOX).exists():
        pytest.fail(f"{FIREFOX} missing: `python3 build.py test` installs Debian's firefox-esr")
    tmp = tmp_path_factory.mktemp("firefox")
    home, profile = tmp / "home", tmp / "profile"
    storage = home / ".mozilla" / "managed-storage"
    storage.mkdir(parents=True)
    profile.mkdir()
    shutil.copy2(managed_storage(tmp, forum, firefox_companion.port), storage / f"{GECKO_ID}.json")
    (profile / "user.js").write_text("".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n"
                                             for k, v in PREFS.items()), encoding="utf-8")
    port = companions.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECONDLOOK_")}
    env.update({"HOME": str(home), "MOZ_HEADLESS": "1", "LANG": "ko_KR.UTF-8", "MOZ_CRASHREPORTER_DISABLE": "1"})
    with (tmp / "firefox.log").open("wb") as log:
        process = subprocess.Popen([FIREFOX, "--headless", "--no-remote", "--profile", str(profile),
                                    f"--remote-debugging-port={port}", "--width=1000", "--height=760", "about:blank"],
                                   stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        bidi = BiDi(f"ws://127.0.0.1:{port}/session")
        installed = bidi.call("webExtension.install", extensionData={"type": "path", "path": str(built_extension)})
        assert installed["extension"] == GECKO_ID
        yield Firefox(process, bidi)
        bidi.close()
    finally:
        companions.stop_process(process, timeout=20)


@pytest.fixture
def tab(firefox: Firefox, forum: ForumServer) -> Iterator[Tab]:
    forum.clear()
    page = firefox.new_tab()
    yield page
    page.close()
