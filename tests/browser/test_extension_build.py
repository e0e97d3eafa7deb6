"""`build.py extension`: both packages are written and a broken extension is refused."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_build():
    spec = importlib.util.spec_from_file_location("secondlook_build", ROOT / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_packages_for_chromium_and_firefox(built_extension):
    chromium = json.loads((ROOT / "dist" / "chromium" / "manifest.json").read_text(encoding="utf-8"))
    firefox = json.loads((ROOT / "dist" / "firefox" / "manifest.json").read_text(encoding="utf-8"))
    assert chromium["key"] and chromium["background"] == {"service_worker": "background/service-worker.js"}
    assert "key" not in firefox and firefox["background"]["scripts"][-1] == "background/main.js"
    assert firefox["browser_specific_settings"]["gecko"]["id"]
    for name in ("chromium", "firefox"):
        with zipfile.ZipFile(ROOT / "dist" / f"secondlook-{name}.zip") as archive:
            assert "manifest.json" in archive.namelist() and "icons/icon128.png" in archive.namelist()
            assert not [n for n in archive.namelist() if n.startswith("tests/")], "the extension's tests are not shipped"
        assert not (ROOT / "dist" / name / "tests").exists()


def test_missing_files_and_messages_are_reported(tmp_path):
    build = load_build()
    source = tmp_path / "extension"
    shutil.copytree(ROOT / "extension", source)
    (source / "icons" / "icon48.png").unlink()
    (source / "content" / "badge.js").unlink()
    messages = source / "_locales" / "ko" / "messages.json"
    table = json.loads(messages.read_text(encoding="utf-8"))
    del table["actionApply"]
    messages.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    problems = "\n".join(build.check_extension(source, manifest))
    assert "icons/icon48.png" in problems
    assert "content/badge.js" in problems
    assert "_locales/ko/messages.json: no message 'actionApply'" in problems
    assert build.check_extension(ROOT / "extension", json.loads((ROOT / "extension" / "manifest.json").read_text())) == []
