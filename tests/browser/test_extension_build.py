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
    """Both packages hold every file files.json declares; Chromium's worker and Firefox's
    background scripts are files.json's service-worker list, in order; no test is shipped."""
    files = json.loads((ROOT / "extension" / "files.json").read_text(encoding="utf-8"))
    declared = {"files.json", *files["service_worker"], *files["content_scripts"]["js"], *files["content_scripts"]["css"]}
    chromium = json.loads((ROOT / "dist" / "chromium" / "manifest.json").read_text(encoding="utf-8"))
    firefox = json.loads((ROOT / "dist" / "firefox" / "manifest.json").read_text(encoding="utf-8"))
    assert chromium["key"] and chromium["background"] == {"service_worker": "background/service-worker.js"}
    worker = (ROOT / "dist" / "chromium" / "background" / "service-worker.js").read_text(encoding="utf-8")
    assert f"importScripts({', '.join(json.dumps('/' + f) for f in files['service_worker'])});" in worker
    assert "key" not in firefox and firefox["background"] == {"scripts": files["service_worker"]}
    assert firefox["background"]["scripts"][0] == "shared/constants.js"
    assert firefox["browser_specific_settings"]["gecko"]["id"]
    assert not (ROOT / "dist" / "firefox" / "background" / "service-worker.js").exists()
    for name in ("chromium", "firefox"):
        with zipfile.ZipFile(ROOT / "dist" / f"secondlook-{name}.zip") as archive:
            names = set(archive.namelist())
        assert {"manifest.json", "icons/icon128.png", "ui/popup/popup.html"} <= names
        assert declared <= names, declared - names
        assert declared <= {p.relative_to(ROOT / "dist" / name).as_posix() for p in (ROOT / "dist" / name).rglob("*")}
        assert not [n for n in names if n.startswith("tests/")], "the extension's tests are not shipped"
        assert not (ROOT / "dist" / name / "tests").exists()


def test_missing_files_and_messages_are_reported(tmp_path):
    build = load_build()
    source = tmp_path / "extension"
    shutil.copytree(ROOT / "extension", source)
    (source / "icons" / "icon48.png").unlink()
    (source / "content" / "badge.js").unlink()
    (source / "ui" / "i18n.js").unlink()  # named by the pages' <script src> only
    messages = source / "_locales" / "ko" / "messages.json"
    table = json.loads(messages.read_text(encoding="utf-8"))
    del table["actionApply"]
    messages.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    problems = "\n".join(build.check_extension(source, manifest))
    assert "icons/icon48.png" in problems
    assert "content/badge.js" in problems
    assert "ui/i18n.js, which does not exist" in problems
    assert "_locales/ko/messages.json: no message 'actionApply'" in problems
    assert build.check_extension(ROOT / "extension", json.loads((ROOT / "extension" / "manifest.json").read_text())) == []


def test_declared_files_are_checked(tmp_path):
    """files.json is the one list: a missing file, a malformed list, the constants not first, a
    test file or no files.json at all is refused, naming files.json and the key."""
    build = load_build()
    source = tmp_path / "extension"
    shutil.copytree(ROOT / "extension", source)
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    declared = source / "files.json"
    original = json.loads(declared.read_text(encoding="utf-8"))

    def problems_with(files) -> str:
        declared.write_text(json.dumps(files), encoding="utf-8")
        return "\n".join(build.check_extension(source, manifest))

    assert problems_with(original) == ""
    missing = {**original, "service_worker": [*original["service_worker"], "background/gone.js"]}
    assert "background/gone.js, which does not exist" in problems_with(missing)
    shipped_test = {**original, "content_scripts": {**original["content_scripts"],
                                                    "js": [*original["content_scripts"]["js"], "tests/load.js"]}}
    assert "tests/load.js, which is never packaged" in problems_with(shipped_test)
    assert "files.json: 'content_scripts.js' must be a list of file paths" in problems_with(
        {**original, "content_scripts": {"js": "content/main.js"}})
    assert "files.json: 'service_worker' must load shared/constants.js first" in problems_with(
        {**original, "service_worker": original["service_worker"][1:]})
    declared.unlink()
    assert "files.json is missing" in "\n".join(build.check_extension(source, manifest))
