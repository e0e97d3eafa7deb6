"""Driving the extension's UI inside closed shadow roots, as a user would.

The review dialog, badge, notice and next-finding pill live in closed shadow roots, so page
scripts (and Playwright's locators, which run as page scripts) cannot see into them. The
tests reach them through the DevTools protocol instead (DOM.getDocument with pierce lists
closed shadow roots), read them there, and act with real mouse and keyboard input, which is
trusted — untrusted clicks are ignored by the dialog, as the tests check.

    dialog = shadow(page, "review")
    dialog.locator('[data-action="apply"]').click()
    wait_for(lambda: dialog.locator("[data-finding-id]").count() >= 2)
"""

from __future__ import annotations

from typing import Any, Callable

from playwright.sync_api import CDPSession, Page

from polling import poll

TIMEOUT_S = 10

#: Runs on the shadow root (as `this`): resolves the locator's steps to elements, then acts.
_QUERY = """
function (steps, action, arg) {
  let found = [this];
  for (const step of steps) {
    let next = [];
    for (const base of found) next.push(...base.querySelectorAll(step.css));
    if (step.has) {
      next = next.filter((el) => [...el.querySelectorAll(step.has)].some((d) => !step.hasText || d.innerText.includes(step.hasText)));
    } else if (step.hasText) {
      next = next.filter((el) => el.innerText.includes(step.hasText));
    }
    if (step.index !== null) next = step.index < 0 ? next.slice(next.length + step.index).slice(0, 1) : next.slice(step.index, step.index + 1);
    found = next;
  }
  const el = found[0];
  const box = (e) => { const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; };
  switch (action) {
    case "count": return found.length;
    case "texts": return found.map((e) => e.innerText);
    case "exists": return Boolean(el);
    case "text": return el ? el.innerText : null;
    case "attr": return el ? el.getAttribute(arg) : null;
    case "value": return el ? el.value : null;
    case "visible": {
      if (!el) return false;
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && style.visibility !== "hidden" && style.display !== "none";
    }
    case "box": return el ? box(el) : null;
    case "reveal": if (!el) return null; el.scrollIntoView({ block: "nearest", inline: "nearest" }); return box(el);
    case "select": if (!el) return false; el.focus(); el.select(); return true;
    case "script-click": if (!el) return false; el.click(); el.dispatchEvent(new MouseEvent("click", { bubbles: true, composed: true })); return true;
    default: throw new Error(`unknown action ${action}`);
  }
}
"""


def wait_for(condition: Callable[[], Any], timeout: float = TIMEOUT_S, message: str = "") -> Any:
    """Poll until condition() is truthy (see polling.poll), with this suite's default timeout."""
    return poll(condition, timeout, message)


class ShadowLocator:
    """Elements inside one of the extension's shadow roots, found afresh on every call."""

    def __init__(self, host: "ShadowHost", steps: list[dict]) -> None:
        self.host = host
        self.steps = steps

    def locator(self, css: str, has: str | None = None, has_text: str | None = None) -> "ShadowLocator":
        return ShadowLocator(self.host, [*self.steps, {"css": css, "has": has, "hasText": has_text, "index": None}])

    def nth(self, index: int) -> "ShadowLocator":
        last = {**self.steps[-1], "index": index}
        return ShadowLocator(self.host, [*self.steps[:-1], last])

    @property
    def first(self) -> "ShadowLocator":
        return self.nth(0)

    @property
    def last(self) -> "ShadowLocator":
        return self.nth(-1)

    def _run(self, action: str, arg: Any = None) -> Any:
        return self.host.run(self.steps, action, arg)

    def count(self) -> int:
        return self._run("count") or 0

    def all_inner_texts(self) -> list[str]:
        return self._run("texts") or []

    def inner_text(self) -> str:
        return wait_for(lambda: self._run("text") is not None and [self._run("text")], message=f"{self} not found")[0]

    def get_attribute(self, name: str) -> str | None:
        return self._run("attr", name)

    def input_value(self) -> str:
        return self._run("value")

    def is_visible(self) -> bool:
        return bool(self._run("visible"))

    def bounding_box(self) -> dict | None:
        return self._run("box")

    def wait_visible(self, timeout: float = TIMEOUT_S) -> "ShadowLocator":
        wait_for(self.is_visible, timeout, f"{self} is not visible")
        return self

    def wait_count(self, count: int, timeout: float = TIMEOUT_S) -> "ShadowLocator":
        wait_for(lambda: self.count() == count, timeout, f"{self}: expected {count}, found {self.count()}")
        return self

    def click(self) -> None:
        """A real (trusted) click at the element's centre, after scrolling it into view."""
        self.wait_visible()
        box = self._run("reveal")
        x, y = self.host.offset()
        self.host.page.mouse.click(x + box["x"] + box["width"] / 2, y + box["y"] + box["height"] / 2)

    def script_click(self) -> None:
        """What a page script holding the element could do: click() and a synthetic click event (untrusted)."""
        assert self._run("script-click"), f"{self} not found"

    def fill(self, text: str) -> None:
        """Select the field's content and type over it (trusted input events)."""
        self.click()
        self._run("select")
        if text:
            self.host.page.keyboard.insert_text(text)
        else:
            self.host.page.keyboard.press("Delete")

    def __repr__(self) -> str:
        return f"<{self.host.kind} {' >> '.join(s['css'] for s in self.steps)}>"


class ShadowHost:
    """One kind of the extension's UI hosts ([data-secondlook=kind]) in a page, any frame."""

    def __init__(self, page: Page, kind: str, frame_selector: str = "") -> None:
        self.page = page
        self.kind = kind
        self.frame_selector = frame_selector  # the iframe whose document holds the host, if not the page
        self._session: CDPSession | None = None

    @property
    def session(self) -> CDPSession:
        if self._session is None:
            self._session = self.page.context.new_cdp_session(self.page)
        return self._session

    def _roots(self) -> list[int]:
        """Node ids of the shadow roots of every host of this kind (closed ones included)."""
        doc = self.session.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
        roots: list[int] = []
        stack = [doc]
        while stack:
            node = stack.pop()
            attrs = node.get("attributes") or []
            pairs = dict(zip(attrs[::2], attrs[1::2]))
            if pairs.get("data-secondlook") == self.kind:
                roots += [r["nodeId"] for r in node.get("shadowRoots", [])]
            stack += node.get("children", []) + node.get("shadowRoots", [])
            if node.get("contentDocument"):
                stack.append(node["contentDocument"])
        return roots

    def run(self, steps: list[dict], action: str, arg: Any = None) -> Any:
        for root in self._roots():
            try:
                obj = self.session.send("DOM.resolveNode", {"nodeId": root})["object"]["objectId"]
                out = self.session.send("Runtime.callFunctionOn", {
                    "objectId": obj, "functionDeclaration": _QUERY, "returnByValue": True,
                    "arguments": [{"value": steps}, {"value": action}, {"value": arg}]})
            except Exception:  # the host went away between the two calls
                continue
            if "exceptionDetails" in out:
                raise AssertionError(out["exceptionDetails"])
            value = out["result"].get("value")
            if action in ("count",) and value == 0:
                continue
            if action == "texts" and not value:
                continue
            if value not in (None, False):
                return value
        return {"count": 0, "texts": []}.get(action)

    def offset(self) -> tuple[float, float]:
        if not self.frame_selector:
            return 0.0, 0.0
        box = self.page.locator(self.frame_selector).bounding_box()
        return box["x"], box["y"]

    def locator(self, css: str, has: str | None = None, has_text: str | None = None) -> ShadowLocator:
        return ShadowLocator(self, []).locator(css, has, has_text)

    def is_open(self) -> bool:
        return bool(self._roots())


def shadow(page: Page, kind: str, frame_selector: str = "") -> ShadowHost:
    return ShadowHost(page, kind, frame_selector)
