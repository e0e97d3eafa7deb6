"""A small WebDriver BiDi client for Debian's Firefox ESR: enough to install the extension and
drive a tab as a user would (navigate, trusted pointer and key input, read the DOM).

Firefox speaks BiDi itself (``--remote-debugging-port``, ``ws://127.0.0.1:<port>/session``),
so nothing but the ``websockets`` package is needed: no geckodriver, no downloaded browser.
The extension's UI lives in closed shadow roots; BiDi reaches them for automation when
asked to (``serializationOptions.includeShadowTree = "all"``), and pointer input aimed at an
element in one is real, trusted input.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any, Callable

from websockets.sync.client import ClientConnection, connect

from polling import poll

TIMEOUT_S = 15
#: WebDriver key codes
ENTER = "\ue007"
CONTROL = "\ue009"


class BiDiError(Exception):
    """An error answer from the browser."""


class BiDi:
    """One BiDi session over one WebSocket; commands are answered in order, events dropped."""

    def __init__(self, url: str, connect_timeout: float = 30) -> None:
        deadline = time.monotonic() + connect_timeout
        while True:
            try:
                self.ws: ClientConnection = connect(url, max_size=None, open_timeout=5).__enter__()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self._ids = itertools.count(1)
        self.call("session.new", capabilities={"alwaysMatch": {"acceptInsecureCerts": False}})

    def call(self, method: str, timeout: float = TIMEOUT_S, **params: Any) -> dict:
        command = next(self._ids)
        self.ws.send(json.dumps({"id": command, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") != command:
                continue  # an event
            if message.get("type") == "error":
                raise BiDiError(f"{method}: {message.get('error')}: {message.get('message')}")
            return message["result"]

    def close(self) -> None:
        try:
            self.call("session.end", timeout=5)
        except Exception:  # the browser may already be going away
            pass
        self.ws.__exit__(None, None, None)


def unwrap(remote: dict) -> Any:
    """A BiDi remote value as Python (primitives, arrays, objects; nodes stay remote values)."""
    kind = remote.get("type")
    if kind in ("undefined", "null"):
        return None
    if kind in ("string", "boolean"):
        return remote["value"]
    if kind == "number":
        value = remote["value"]
        return value if not isinstance(value, str) else float(value.replace("Infinity", "inf"))
    if kind == "array":
        return [unwrap(v) for v in remote["value"]]
    if kind == "object":
        return {k if isinstance(k, str) else unwrap(k): unwrap(v) for k, v in remote["value"]}
    return remote


def wait_for(condition: Callable[[], Any], timeout: float = TIMEOUT_S, message: str = "") -> Any:
    """Poll until condition() is truthy (see polling.poll), with this suite's default timeout."""
    return poll(condition, timeout, message)


class Tab:
    """One top-level browsing context."""

    def __init__(self, bidi: BiDi, context: str) -> None:
        self.bidi = bidi
        self.context = context

    def goto(self, url: str) -> None:
        self.bidi.call("browsingContext.navigate", context=self.context, url=url, wait="complete", timeout=30)

    def evaluate(self, expression: str) -> Any:
        """The value of a page-script expression (awaited when it is a promise)."""
        return unwrap(self._evaluate(expression))

    def _evaluate(self, expression: str) -> dict:
        answer = self.bidi.call("script.evaluate", expression=expression, target={"context": self.context},
                                awaitPromise=True, resultOwnership="root",
                                serializationOptions={"maxDomDepth": 0, "includeShadowTree": "all"})
        if answer.get("type") == "exception":
            raise BiDiError(f"{expression[:80]}: {answer['exceptionDetails'].get('text')}")
        return answer["result"]

    def node(self, css: str) -> dict | None:
        """The first element matching css in the page, as a remote node (with its shadow root, open or closed)."""
        found = self._evaluate(f"document.querySelector({json.dumps(css)})")
        return found if found.get("type") == "node" else None

    def in_shadow(self, host_css: str, css: str) -> dict | None:
        """An element inside the (closed) shadow root of the element host_css."""
        host = self.node(host_css)
        root = host and host["value"].get("shadowRoot")
        if not root:
            return None
        answer = self.bidi.call("script.callFunction", functionDeclaration="function (css) { return this.querySelector(css); }",
                                this={"sharedId": root["sharedId"]}, arguments=[{"type": "string", "value": css}],
                                target={"context": self.context}, awaitPromise=False, resultOwnership="root",
                                serializationOptions={"maxDomDepth": 0})
        result = answer.get("result", {})
        return result if result.get("type") == "node" else None

    def texts_in_shadow(self, host_css: str, css: str) -> list[str]:
        """innerText of every element matching css inside host_css's shadow root."""
        host = self.node(host_css)
        root = host and host["value"].get("shadowRoot")
        if not root:
            return []
        answer = self.bidi.call("script.callFunction",
                                functionDeclaration="function (css) { return [...this.querySelectorAll(css)].map((e) => e.innerText); }",
                                this={"sharedId": root["sharedId"]}, arguments=[{"type": "string", "value": css}],
                                target={"context": self.context}, awaitPromise=False)
        return unwrap(answer["result"])

    def click(self, node: dict) -> None:
        """A trusted mouse click in the middle of the element."""
        origin = {"type": "element", "element": {"sharedId": node["sharedId"]}}
        self.bidi.call("input.performActions", context=self.context, actions=[{
            "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
            "actions": [{"type": "pointerMove", "x": 0, "y": 0, "origin": origin, "duration": 0},
                        {"type": "pointerDown", "button": 0}, {"type": "pointerUp", "button": 0}]}])

    def type(self, text: str) -> None:
        """Trusted key input, one character at a time, into the focused element."""
        actions = []
        for char in text:
            actions += [{"type": "keyDown", "value": char}, {"type": "keyUp", "value": char}]
        self.bidi.call("input.performActions", context=self.context, timeout=60,
                       actions=[{"type": "key", "id": "keyboard", "actions": actions}])

    def close(self) -> None:
        self.bidi.call("browsingContext.close", context=self.context)
